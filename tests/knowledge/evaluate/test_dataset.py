"""The dev set itself: facts and sections really are in the documents (else its figures mean nothing)."""

import re

import yaml

from knowledge.documents import BY_FILE, read_document
from knowledge.evaluate.dataset import DEV_SET, load_dev_set
from knowledge.paths import PROJECT_ROOT


def test_dev_set_size_and_spread():
    questions = load_dev_set()
    answerable = [q for q in questions if q.doc]
    assert len(answerable) >= 200
    assert len(questions) - len(answerable) >= 50
    assert {q.doc for q in answerable} == set(BY_FILE)


def test_every_fact_and_section_is_in_its_document():
    data = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))
    for item in data["answerable"]:
        text = read_document(BY_FILE[item["doc"]])
        assert item["section"] in {line.strip() for line in text.splitlines()}, item["question"]
        for fact in item["facts"]:
            assert fact in text, (item["question"], fact)


def _normalised(text: str) -> str:
    without_entities = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    return re.sub(r"\W+", " ", without_entities.lower()).strip()


def test_no_dev_question_is_a_training_example():
    """A dev question that NLU was trained on would flatter every figure measured on the dev set."""
    trained = set()
    for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml"):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in (item.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    trained.add(_normalised(line.strip()[2:]))
    leaked = [q.question for q in load_dev_set() if _normalised(q.question) in trained]
    assert leaked == []
