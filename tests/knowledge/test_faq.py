import re

import pytest
import yaml

from knowledge.documents import BY_FILE, DOCUMENTS, read_document
from knowledge.errors import KnowledgeError
from knowledge.faq import TIM_CS, FaqTopic, load_topics


def document_answers() -> list[FaqTopic]:
    """Topics answered from a document as written there (not by a supervisor in the console)."""
    return [t for t in load_topics() if t.document in BY_FILE and t.answered_by is None]


def test_every_document_has_faq_topics_and_every_answer_names_its_source():
    topics = load_topics()
    assert len(topics) >= 150
    assert {t.document for t in topics} - {TIM_CS} == {d.file for d in DOCUMENTS}
    for topic in topics:
        assert topic.reply.endswith(f"\n\nSumber: {topic.source}")
        if topic.document in BY_FILE:
            assert BY_FILE[topic.document].title in topic.source
        if topic.answered_by:  # written or rewritten in the console (knowledge/edits.py)
            assert topic.source.startswith(f"Tim CS ({topic.answered_by})")


def test_answers_do_not_carry_markdown_tables_or_headings():
    for topic in load_topics():
        assert "|---" not in topic.answer
        assert not re.search(r"^#", topic.answer, re.MULTILINE), topic.topic


def test_numbers_in_answers_come_from_the_document():
    """Every amount in rupiah an answer gives appears in its document (facts are not invented)."""
    for topic in document_answers():
        document = read_document(BY_FILE[topic.document]).replace(" ", "")
        for amount in re.findall(r"Rp\s?[\d.]+", topic.answer):
            assert amount.replace(" ", "").rstrip(".") in document, (topic.topic, amount)


def test_a_topic_citing_a_missing_section_is_rejected(tmp_path):
    (tmp_path / "bad.yml").write_text(
        yaml.safe_dump(
            {
                "document": "aksestoko_faq.txt",
                "topics": [
                    {
                        "topic": "at_bad",
                        "section": "BAB YANG TIDAK ADA",
                        "question": "?",
                        "examples": [f"contoh {i}" for i in range(10)],
                        "answer": "Jawaban.",
                    }
                ],
            }
        )
    )
    with pytest.raises(KnowledgeError, match="is not a line of"):
        load_topics(tmp_path)
