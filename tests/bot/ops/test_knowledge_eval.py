import pytest

from bot.ops import knowledge_eval
from knowledge.evaluate import nlu
from knowledge.evaluate.dataset import DevQuestion


def test_without_a_trained_model_the_evaluation_stops_saying_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(nlu, "PARSE_CACHE", tmp_path / "nlu_parses.json")
    monkeypatch.setattr(knowledge_eval, "model_path_for", lambda hash_: tmp_path / f"rasa-{hash_}.tar.gz")
    with pytest.raises(SystemExit, match="run `make train` first"):
        knowledge_eval.trained_model_parses([DevQuestion("cara bayar pakai qris?", "aksestoko_faq.txt", ())])
