"""GET /api/knowledge/search: ranked FAQ answers and passages with their sources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from bot.deps import SettingsDep, require_staff
from bot.services.unanswered import list_unanswered
from bot.store.db import session_scope
from knowledge.documents import BRANDS
from knowledge.errors import KnowledgeError
from knowledge.service import get_knowledge

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
        kb = await run_in_threadpool(get_knowledge, settings.knowledge_encoder)
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


def _unanswered(limit: int, offset: int) -> list[UnansweredPublic]:
    with session_scope() as session:
        return [
            UnansweredPublic.model_validate(row)
            for row in list_unanswered(session, limit=limit, offset=offset)
        ]


@router.get("/unanswered", response_model=list[UnansweredPublic], dependencies=[Depends(require_staff)])
async def unanswered(
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0
) -> list[UnansweredPublic]:
    """Questions the bot could not answer from the corpus, newest first (for the knowledge team)."""
    return await run_in_threadpool(_unanswered, limit, offset)
