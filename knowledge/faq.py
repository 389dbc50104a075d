"""FAQ topics: the one source of truth (knowledge/faq/*.yml) for Rasa's faq examples and the answers.

Most topics answer from a help-centre document and name it as their source. Topics written by supervisors in
the agent console (document `tim_cs`, exported to knowledge/faq/tim_cs.yml) name "Tim CS" and their author;
a document's topic whose answer a supervisor rewrote names both (knowledge/edits.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.documents import BRANDS, BY_FILE, read_document
from knowledge.errors import KnowledgeError

FAQ_DIR = Path(__file__).resolve().parent / "faq"
TIM_CS = "tim_cs"  # the "document" of topics written in the agent console
_TOPIC = re.compile(r"^[a-z0-9_]+$")
_NUMBERING = re.compile(r"^(?:\d+|[a-z]|[ivx]+)\.\s+", re.IGNORECASE)
MAX_ANSWER_CHARS = 650


@dataclass(frozen=True)
class FaqTopic:
    topic: str
    document: str
    brand: str
    section: str
    question: str
    examples: tuple[str, ...]
    answer: str  # as written, without the source line
    answered_by: str | None = None  # the supervisor who wrote or rewrote the answer in the console

    @property
    def source(self) -> str:
        """How the answer names its source: document title and section heading (numbering dropped); the
        console's author for an answer written there."""
        if self.document == TIM_CS:
            return f"Tim CS ({self.answered_by})"
        cited = f"{BY_FILE[self.document].title} — {_NUMBERING.sub('', self.section).rstrip('?').strip()}"
        return cited if self.answered_by is None else f"Tim CS ({self.answered_by}), berdasarkan {cited}"

    @property
    def reply(self) -> str:
        """The answer as the customer receives it, ending with its source."""
        return f"{self.answer.strip()}\n\nSumber: {self.source}"


def _validate(topic: FaqTopic, document_lines: set[str] | None) -> list[str]:
    """document_lines: None for a console topic (no document; its phrasings come as customers ask)."""
    problems = []
    if not _TOPIC.match(topic.topic):
        problems.append(f"{topic.topic}: topic names are lower-case snake_case")
    if document_lines is None:
        if topic.brand not in BRANDS or not topic.answered_by:
            problems.append(f"{topic.topic}: a console topic needs a known brand and its author")
    else:
        if topic.section not in document_lines:
            problems.append(f"{topic.topic}: section {topic.section!r} is not a line of {topic.document}")
        if len(topic.examples) < 8:
            problems.append(f"{topic.topic}: {len(topic.examples)} examples, at least 8 needed")
    if len(topic.answer) > MAX_ANSWER_CHARS:
        problems.append(f"{topic.topic}: answer has {len(topic.answer)} characters (max {MAX_ANSWER_CHARS})")
    return problems


@lru_cache
def load_topics(directory: Path = FAQ_DIR) -> tuple[FaqTopic, ...]:
    """All topics, validated: unknown documents, missing sections or duplicate names raise KnowledgeError."""
    topics: list[FaqTopic] = []
    problems: list[str] = []
    lines_of: dict[str, set[str]] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        document = data["document"]
        if document not in BY_FILE and document != TIM_CS:
            raise KnowledgeError(f"{path.name}: unknown document {document!r}")
        if document in BY_FILE and document not in lines_of:
            lines_of[document] = {line.strip() for line in read_document(BY_FILE[document]).splitlines()}
        for item in data["topics"]:
            topic = FaqTopic(
                topic=item["topic"],
                document=document,
                brand=item["brand"] if document == TIM_CS else BY_FILE[document].brand,
                section=str(item.get("section") or item["question"]).strip(),
                question=item["question"].strip(),
                examples=tuple(str(e).strip() for e in item.get("examples") or ()),
                answer=item["answer"].strip(),
                answered_by=item.get("answered_by"),
            )
            problems.extend(_validate(topic, lines_of.get(document)))
            topics.append(topic)
    names = [t.topic for t in topics]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        problems.append(f"duplicate topic names: {duplicates}")
    if problems:
        raise KnowledgeError("invalid FAQ topics:\n" + "\n".join(problems))
    return tuple(topics)
