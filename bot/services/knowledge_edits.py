"""Fixing the help centre from the console: stored edits, their history, and the knowledge every process
answers with (the FAQ files plus the edits, swapped in the background when an edit arrives).

An edit is one row of `knowledge_edits` (author, time, what changed; knowledge/edits.py says what each kind
does). Each process keeps a `LiveKnowledge`: at most every REFRESH_SECONDS it asks the database whether
there are new edits, and if so builds the edited knowledge base in a thread (only new wordings and answers
are encoded) and swaps it in. An edit therefore answers customers within REFRESH_SECONDS plus a build of
well under a second, in the gateway and the action server alike, without a restart or a new index.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.services.sanitize import clean_text
from bot.store.db import session_scope
from bot.store.models import KnowledgeEdit, UnansweredQuestion, utcnow
from knowledge.documents import BRANDS
from knowledge.edits import TopicEdit, apply_edits
from knowledge.faq import MAX_ANSWER_CHARS, FaqTopic, load_topics
from knowledge.search import KnowledgeBase
from knowledge.service import get_knowledge

log = logging.getLogger(__name__)
REFRESH_SECONDS = 10.0
MAX_PHRASING_CHARS = 2000  # as long as a logged unanswered question


class KnowledgeEditError(Exception):
    """The edit cannot be made as asked (an unknown platform, an empty or too long text)."""


class UnknownTopic(KnowledgeEditError):
    """No FAQ topic has this name."""


def stored_edits(session: Session) -> list[TopicEdit]:
    rows = session.scalars(select(KnowledgeEdit).order_by(KnowledgeEdit.id))
    return [
        TopicEdit(
            kind=row.kind,  # type: ignore[arg-type]
            topic=row.topic,
            author=row.author,
            text=row.text,
            question=row.question,
            answer=row.answer,
            brand=row.brand,
        )
        for row in rows
    ]


def current_topics(session: Session) -> tuple[FaqTopic, ...]:
    """The FAQ topics as customers are answered now: the files with every stored edit applied."""
    return apply_edits(load_topics(), stored_edits(session))


def _topic_name(question: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", question.lower())
    base = "cs_" + "_".join(words[:6])[:50].strip("_") or "cs_topik"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _clean(text: str | None, what: str, limit: int) -> str:
    cleaned = clean_text(text or "").strip()
    if not cleaned:
        raise KnowledgeEditError(f"{what} kosong")
    if len(cleaned) > limit:
        raise KnowledgeEditError(f"{what} terlalu panjang ({len(cleaned)} karakter, maksimal {limit})")
    return cleaned


def record_edit(
    session: Session,
    *,
    kind: str,
    author: str,
    author_id: int | None,
    topic: str | None = None,
    text: str | None = None,
    question: str | None = None,
    answer: str | None = None,
    brand: str | None = None,
    unanswered_ids: Sequence[int] = (),
) -> KnowledgeEdit:
    """Store one edit (validated against the topics as they are now) and mark the unanswered questions it
    answers as handled. Raises KnowledgeEditError."""
    topics = {t.topic: t for t in current_topics(session)}
    previous = None
    if kind == "topic":
        question = _clean(question, "Pertanyaan", MAX_PHRASING_CHARS)
        answer = _clean(answer, "Jawaban", MAX_ANSWER_CHARS)
        if brand not in BRANDS:
            raise KnowledgeEditError(f"platform tidak dikenal: {brand!r}")
        topic = _topic_name(question, set(topics))
    elif kind in ("phrasing", "answer"):
        if topic not in topics:
            raise UnknownTopic(f"topik tidak ditemukan: {topic!r}")
        if kind == "phrasing":
            text = _clean(text, "Kalimat pertanyaan", MAX_PHRASING_CHARS)
        else:
            text = _clean(text, "Jawaban", MAX_ANSWER_CHARS)
            previous = topics[topic].answer
    else:
        raise KnowledgeEditError(f"jenis perubahan tidak dikenal: {kind!r}")
    row = KnowledgeEdit(
        kind=kind,
        topic=topic,
        text=text,
        question=question,
        answer=answer,
        brand=brand,
        previous=previous,
        author=author,
        author_id=author_id,
    )
    session.add(row)
    if unanswered_ids:
        session.execute(
            update(UnansweredQuestion)
            .where(UnansweredQuestion.id.in_(list(unanswered_ids)), UnansweredQuestion.handled_at.is_(None))
            .values(handled_at=utcnow(), handled_topic=topic)
        )
    session.flush()
    return row


def create_topic(
    session: Session,
    *,
    question: str,
    answer: str,
    brand: str,
    phrasings: Sequence[str],
    author: str,
    author_id: int | None,
    unanswered_ids: Sequence[int] = (),
) -> KnowledgeEdit:
    """A new topic and the customers' wordings it answers, in one transaction (the caller's)."""
    created = record_edit(
        session,
        kind="topic",
        question=question,
        answer=answer,
        brand=brand,
        author=author,
        author_id=author_id,
        unanswered_ids=unanswered_ids,
    )
    for text in phrasings:
        if text.strip():
            record_edit(
                session, kind="phrasing", topic=created.topic, text=text, author=author, author_id=author_id
            )
    return created


def edit_history(session: Session, *, topic: str | None = None, limit: int = 100) -> list[KnowledgeEdit]:
    query = select(KnowledgeEdit).order_by(KnowledgeEdit.id.desc()).limit(limit)
    if topic is not None:
        query = query.where(KnowledgeEdit.topic == topic)
    return list(session.scalars(query))


def _version(session: Session) -> int | None:
    """The newest edit's id: the log is append-only, so a new id is the only way it changes."""
    return session.scalar(select(func.max(KnowledgeEdit.id)))


class LiveKnowledge:
    """The knowledge base of one retrieval backend with the console's edits, kept current (module doc)."""

    def __init__(self, backend: str, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.backend = backend
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._base: KnowledgeBase | None = None
        self._current: KnowledgeBase | None = None
        self._version: int | None = None
        self._checked = float("-inf")
        self._building = False

    def get(self) -> KnowledgeBase:
        """The current knowledge base (raises KnowledgeError when the index is unavailable)."""
        base = get_knowledge(self.backend)
        if self._current is None or self._base is not base:
            with self._lock:
                if self._current is None or self._base is not base:
                    self._build(base)
        elif time.monotonic() - self._checked >= self.refresh_seconds:
            self._checked = time.monotonic()
            self._rebuild_if_changed(base)
        assert self._current is not None
        return self._current

    def check_soon(self) -> None:
        """Look for new edits at the next get() (this process has just stored one)."""
        self._checked = float("-inf")

    def _build(self, base: KnowledgeBase) -> None:
        try:
            with session_scope() as session:
                version, edits = _version(session), stored_edits(session)
        except Exception:  # the database is down: answer from the files until it is back
            log.exception("knowledge edits could not be read; answering from the FAQ files")
            version, edits = None, []
        self._current = base.with_topics(apply_edits(base.topics, edits)) if edits else base
        self._base, self._version, self._checked = base, version, time.monotonic()
        if edits:
            log.info("knowledge: %d console edits applied in %.2f s", len(edits), self._current.build_seconds)

    def _rebuild_if_changed(self, base: KnowledgeBase) -> None:
        try:
            with session_scope() as session:
                changed = _version(session) != self._version
        except Exception:
            log.exception("knowledge edits could not be checked")
            return
        if not changed or self._building:
            return
        self._building = True
        threading.Thread(target=self._rebuild, args=(base,), name="knowledge-rebuild", daemon=True).start()

    def _rebuild(self, base: KnowledgeBase) -> None:
        try:
            with self._lock:
                self._build(base)
        finally:
            self._building = False


@lru_cache
def live_knowledge(backend: str) -> LiveKnowledge:
    """This process's LiveKnowledge for a backend (one per process, like get_knowledge)."""
    return LiveKnowledge(backend)


def current_knowledge(backend: str) -> KnowledgeBase:
    """The knowledge base to answer with: the FAQ files and every console edit this process has seen."""
    return live_knowledge(backend).get()
