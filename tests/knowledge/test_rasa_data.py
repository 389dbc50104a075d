import yaml

from knowledge.faq import load_topics
from knowledge.rasa_data import DOMAIN_FILE, NLU_FILE, render, stale_files


def test_generated_rasa_files_are_up_to_date():
    assert stale_files() == [], "run: python -m knowledge.rasa_data"


def test_every_topic_becomes_a_retrieval_intent_with_its_answer():
    topics = load_topics()
    nlu_text, domain_text = render(topics)
    nlu = yaml.safe_load(nlu_text)["nlu"]
    responses = yaml.safe_load(domain_text)["responses"]
    assert [item["intent"] for item in nlu] == [f"faq/{t.topic}" for t in topics]
    for topic in topics:
        assert responses[f"utter_faq/{topic.topic}"][0]["text"].strip() == topic.reply
    for item in nlu:
        examples = [line[2:] for line in item["examples"].splitlines()]
        assert len(examples) >= 8
        assert not any(ch in e for e in examples for ch in "[](){}")


def test_a_changed_topic_makes_the_generated_files_stale(tmp_path, monkeypatch):
    monkeypatch.setattr("knowledge.rasa_data.NLU_FILE", tmp_path / "faq.yml")
    monkeypatch.setattr("knowledge.rasa_data.DOMAIN_FILE", DOMAIN_FILE)
    (tmp_path / "faq.yml").write_text(NLU_FILE.read_text() + "\n# edited by hand\n")
    assert stale_files() == [tmp_path / "faq.yml"]
