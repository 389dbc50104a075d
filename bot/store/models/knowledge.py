"""Questions the bot could not answer, and the knowledge edits agents make from the console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, utcnow


class UnansweredQuestion(Base):
    """A customer question the bot could not answer from the corpus: work for the knowledge team."""

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    conversation_id: Mapped[str | None] = mapped_column(String(64))  # Rasa's opaque sender id
    channel: Mapped[str | None] = mapped_column(String(20))
    brand: Mapped[str | None] = mapped_column(String(40))
    intent: Mapped[str | None] = mapped_column(String(80))
    top_score: Mapped[float | None]
    # FAQ topics offered as "did you mean …?" (comma-separated); empty when the bot found nothing at all
    suggested: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Set when a supervisor answered it from the console (a wording added to a topic, a new topic).
    handled_at: Mapped[datetime | None]
    handled_topic: Mapped[str | None] = mapped_column(String(80))


class KnowledgeEdit(Base):
    """A change to the help centre's FAQ made in the agent console; append-only, so it is the history too.

    Every process replays these over knowledge/faq/*.yml (knowledge/edits.py); `make export-knowledge`
    writes them back to the files.
    """

    __tablename__ = "knowledge_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # phrasing | answer | topic
    topic: Mapped[str] = mapped_column(String(80), index=True)
    text: Mapped[str | None] = mapped_column(Text)  # the wording added, or the new answer
    question: Mapped[str | None] = mapped_column(Text)  # a new topic's question
    answer: Mapped[str | None] = mapped_column(Text)  # a new topic's answer
    brand: Mapped[str | None] = mapped_column(String(40))  # a new topic's platform
    previous: Mapped[str | None] = mapped_column(Text)  # the answer it replaced (answer edits)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))  # None: the integrator token
    author: Mapped[str] = mapped_column(String(80))  # the name the answer's source shows
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
