import json

import pytest

from knowledge.evaluate import nlu
from knowledge.evaluate.dataset import DevQuestion

QUESTIONS = [DevQuestion("cara bayar pakai qris?", "aksestoko_faq.txt", ()), DevQuestion("halo", None, ())]
RESULTS = [
    {"intent": {"name": "faq", "confidence": 0.93}, "intent_ranking": []},
    {"intent": {"name": "greet", "confidence": 0.8}, "intent_ranking": []},
]


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setattr(nlu, "PARSE_CACHE", tmp_path / "nlu_parses.json")
    monkeypatch.setattr(nlu, "REPORTS", tmp_path)
    return tmp_path / "nlu_parses.json"


def test_a_rasa_parse_gives_the_intent_and_its_confidence():
    assert nlu.parse_of(RESULTS[0]) == nlu.Parse("faq", 0.93)
    assert nlu.parse_of({"intent": None}) == nlu.Parse(None, 0.0)
    assert nlu.parses_from(QUESTIONS, RESULTS) == {
        "cara bayar pakai qris?": nlu.Parse("faq", 0.93),
        "halo": nlu.Parse("greet", 0.8),
    }


def test_model_parses_are_cached_per_model_and_dev_set(cache):
    asked: list[list[str]] = []

    def parse(texts: list[str]) -> list[dict]:
        asked.append(texts)
        return RESULTS

    parses = nlu.cached_parses(QUESTIONS, "h1", parse)
    assert parses == nlu.parses_from(QUESTIONS, RESULTS)
    assert asked == [[q.question for q in QUESTIONS]]
    assert json.loads(cache.read_text())["key"].startswith("h1-")

    # the same model and dev set: read from the cache, the model is not asked again
    assert nlu.cached_parses(QUESTIONS, "h1", parse) == parses
    assert len(asked) == 1
    # another model: asked again
    nlu.cached_parses(QUESTIONS, "h2", parse)
    assert len(asked) == 2
