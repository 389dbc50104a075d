"""The help centre over HTTP: GET /api/knowledge/search (ranked FAQ answers and passages with their sources),
the unanswered questions, and the supervisors' fixes (topics, wordings, answers, their history)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.api.deps import SessionsDep, SettingsDep, Staff, require_staff, require_supervisor
from bot.services.knowledge_edits import (
    MAX_PHRASING_CHARS,
    KnowledgeEditError,
    UnknownTopic,
    create_topic,
    current_knowledge,
    current_topics,
    edit_history,
    live_knowledge,
    record_edit,
)
from bot.services.unanswered import list_unanswered
from bot.store.models import KnowledgeEdit
from knowledge.answering import platform_name
from knowledge.documents import BRANDS
from knowledge.errors import KnowledgeError
from knowledge.faq import MAX_ANSWER_CHARS, FaqTopic

router = APIRouter(prefix="/api/knowledge", tags=["knowledge"])


class SearchHitPublic(BaseModel):
    kind: Literal["faq", "passage"]
    id: str
    doc: str
    brand: str
    section: str
    score: float
    text: str
    topic: str | None = None


@router.get("/search", response_model=list[SearchHitPublic])
async def search(
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    brand: str | None = None,
) -> list[SearchHitPublic]:
    """The k best answers for q (optionally for one platform), best first."""
    if brand is not None and brand not in BRANDS:
        raise HTTPException(422, f"unknown brand {brand!r}; known: {', '.join(sorted(BRANDS))}")
    try:
        kb = await run_in_threadpool(current_knowledge, settings.knowledge_encoder)
        hits = await run_in_threadpool(kb.search, q, k, brand)
    except KnowledgeError as exc:
        raise HTTPException(503, f"knowledge index unavailable: {exc}") from exc
    return [SearchHitPublic(**hit.__dict__) for hit in hits]


class UnansweredPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    question: str
    channel: str | None
    brand: str | None
    intent: str | None
    top_score: float | None
    suggested: str | None
    created_at: datetime


def _unanswered(sessions: sessionmaker[Session], limit: int, offset: int) -> list[UnansweredPublic]:
    with sessions.begin() as session:
        return [
            UnansweredPublic.model_validate(row)
            for row in list_unanswered(session, limit=limit, offset=offset)
        ]


@router.get("/unanswered", response_model=list[UnansweredPublic], dependencies=[Depends(require_staff)])
async def unanswered(
    sessions: SessionsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[UnansweredPublic]:
    """Questions the bot could not answer from the corpus, newest first (for the knowledge team)."""
    return await run_in_threadpool(_unanswered, sessions, limit, offset)


# --- fixing the help centre from the console (supervisors; bot/services/knowledge_edits.py) ---------------


class TopicPublic(BaseModel):
    topic: str
    brand: str
    platform: str
    question: str
    answer: str
    source: str  # how the answer names its source to the customer
    examples: list[str]
    answered_by: str | None


class EditPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Literal["phrasing", "answer", "topic"]
    topic: str
    text: str | None
    question: str | None
    answer: str | None
    brand: str | None
    previous: str | None
    author: str
    created_at: datetime


class TopicDetail(TopicPublic):
    history: list[EditPublic]


RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class PhrasingIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_PHRASING_CHARS)
    unanswered_ids: list[RowId] = Field(default_factory=list, max_length=500)


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1, max_length=MAX_ANSWER_CHARS)


class NewTopicIn(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_PHRASING_CHARS)
    answer: str = Field(min_length=1, max_length=MAX_ANSWER_CHARS)
    brand: str = Field(examples=sorted(BRANDS))
    phrasings: list[str] = Field(default_factory=list, max_length=50)
    unanswered_ids: list[RowId] = Field(default_factory=list, max_length=500)


def _public(topic: FaqTopic) -> TopicPublic:
    return TopicPublic(
        topic=topic.topic,
        brand=topic.brand,
        platform=platform_name(topic.brand),
        question=topic.question,
        answer=topic.answer,
        source=topic.source,
        examples=list(topic.examples),
        answered_by=topic.answered_by,
    )


def _topics(sessions: sessionmaker[Session], q: str, brand: str | None, backend: str) -> list[TopicPublic]:
    if not q.strip():  # the whole list, from the database: an edit made a second ago is in it
        with sessions.begin() as session:
            return [_public(t) for t in current_topics(session) if brand is None or t.brand == brand]
    kb = current_knowledge(backend)  # the topics customers are answered from, edits included
    names = [h.topic for h in kb.search(q, k=40, brand=brand) if h.kind == "faq" and h.topic in kb.by_topic]
    return [_public(kb.by_topic[name]) for name in dict.fromkeys(names)][:10]


@router.get("/topics", response_model=list[TopicPublic], dependencies=[Depends(require_staff)])
async def topics(
    sessions: SessionsDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=500)] = "",
    brand: str | None = None,
) -> list[TopicPublic]:
    """FAQ topics as customers are answered now (files plus console edits): the ten nearest to `q`, or all."""
    if brand is not None and brand not in BRANDS:
        raise HTTPException(422, f"unknown brand {brand!r}; known: {', '.join(sorted(BRANDS))}")
    try:
        return await run_in_threadpool(_topics, sessions, q, brand, settings.knowledge_encoder)
    except KnowledgeError as exc:
        raise HTTPException(503, f"knowledge index unavailable: {exc}") from exc


def _detail(sessions: sessionmaker[Session], name: str) -> TopicDetail:
    with sessions.begin() as session:
        topic = next((t for t in current_topics(session) if t.topic == name), None)
        if topic is None:
            raise HTTPException(404, f"no FAQ topic {name!r}")
        history = [EditPublic.model_validate(e) for e in edit_history(session, topic=name)]
    return TopicDetail(**_public(topic).model_dump(), history=history)


@router.get("/topics/{topic}", response_model=TopicDetail, dependencies=[Depends(require_staff)])
async def topic_detail(sessions: SessionsDep, topic: Annotated[str, Path(max_length=80)]) -> TopicDetail:
    """One topic with its console history, newest first."""
    return await run_in_threadpool(_detail, sessions, topic)


def _edit(
    sessions: sessionmaker[Session],
    staff: Staff,
    backend: str,
    record: Callable[..., KnowledgeEdit],
    **edit: Any,
) -> TopicDetail:
    """Store an edit as `staff`, have this process pick it up at once, and show the topic as it is now."""
    try:
        with sessions.begin() as session:
            name = record(session, author=staff.name, author_id=staff.agent_id, **edit).topic
    except UnknownTopic as exc:
        raise HTTPException(404, str(exc)) from exc
    except KnowledgeEditError as exc:
        raise HTTPException(422, str(exc)) from exc
    live_knowledge(backend).check_soon()
    return _detail(sessions, name)


SupervisorDep = Annotated[Staff, Depends(require_supervisor)]


@router.post("/topics/{topic}/phrasings", response_model=TopicDetail, responses={404: {}, 422: {}})
async def add_phrasing(
    sessions: SessionsDep,
    topic: Annotated[str, Path(max_length=80)],
    body: PhrasingIn,
    staff: SupervisorDep,
    settings: SettingsDep,
) -> TopicDetail:
    """Teach a topic a customer's wording (e.g. an unanswered question): retrieval answers it within a
    minute; `make export-knowledge` adds it to the topic file for the next training."""
    return await run_in_threadpool(
        partial(
            _edit,
            sessions,
            staff,
            settings.knowledge_encoder,
            record_edit,
            kind="phrasing",
            topic=topic,
            text=body.text,
            unanswered_ids=body.unanswered_ids,
        )
    )


@router.post("/topics/{topic}/answer", response_model=TopicDetail, responses={404: {}, 422: {}})
async def edit_answer(
    sessions: SessionsDep,
    topic: Annotated[str, Path(max_length=80)],
    body: AnswerIn,
    staff: SupervisorDep,
    settings: SettingsDep,
) -> TopicDetail:
    """Rewrite a topic's answer; its source then names the supervisor too ("Tim CS (Sari), berdasarkan …")."""
    return await run_in_threadpool(
        partial(
            _edit,
            sessions,
            staff,
            settings.knowledge_encoder,
            record_edit,
            kind="answer",
            topic=topic,
            text=body.answer,
        )
    )


@router.post("/topics", response_model=TopicDetail, status_code=201, responses={422: {}})
async def new_topic(
    sessions: SessionsDep, body: NewTopicIn, staff: SupervisorDep, settings: SettingsDep
) -> TopicDetail:
    """Write a topic the help centre lacks (with the customers' wordings it answers); its answer names
    "Tim CS" and the author as its source."""
    return await run_in_threadpool(
        partial(
            _edit,
            sessions,
            staff,
            settings.knowledge_encoder,
            create_topic,
            question=body.question,
            answer=body.answer,
            brand=body.brand,
            phrasings=body.phrasings,
            unanswered_ids=body.unanswered_ids,
        )
    )


@router.get("/edits", response_model=list[EditPublic], dependencies=[Depends(require_staff)])
async def edits(sessions: SessionsDep, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[EditPublic]:
    """The console's changes to the help centre, newest first (who, when, what it replaced)."""

    def run() -> list[EditPublic]:
        with sessions.begin() as session:
            return [EditPublic.model_validate(e) for e in edit_history(session, limit=limit)]

    return await run_in_threadpool(run)
