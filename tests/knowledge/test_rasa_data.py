import yaml

from knowledge.faq import load_topics
from knowledge.rasa_data import NLU_FILE, render, stale_files


def test_generated_rasa_file_is_up_to_date():
    assert stale_files() == [], "run: python -m knowledge.rasa_data"


def test_every_topic_gives_examples_of_the_one_faq_intent():
    topics = load_topics()
    nlu = yaml.safe_load(render(topics))["nlu"]
    assert [item["intent"] for item in nlu] == ["faq"]
    examples = {line[2:].lower() for line in nlu[0]["examples"].splitlines()}
    unbracketed = str.maketrans("[](){}", "      ")
    for topic in topics:  # the canonical question of every topic is taught, brackets taken out
        assert " ".join(topic.question.translate(unbracketed).split()).lower() in examples
    assert len(examples) >= 8 * len(topics) * 0.9
    assert not any(ch in e for e in examples for ch in "[](){}")


def test_a_changed_topic_makes_the_generated_file_stale(tmp_path, monkeypatch):
    monkeypatch.setattr("knowledge.rasa_data.NLU_FILE", tmp_path / "faq.yml")
    (tmp_path / "faq.yml").write_text(NLU_FILE.read_text() + "\n# edited by hand\n")
    assert stale_files() == [tmp_path / "faq.yml"]
