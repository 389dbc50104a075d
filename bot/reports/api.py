"""GET /api/agent/reports/overview: how the service did over the last N days, for supervisors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.api.deps import SessionsDep, SettingsDep, require_supervisor
from bot.config import Settings
from bot.reports.overview import overview
from bot.services.clock import now

router = APIRouter(prefix="/api/agent/reports", tags=["reports"], dependencies=[Depends(require_supervisor)])


class SlicePublic(BaseModel):
    conversations: int
    messages: int
    handed_off: int
    contained_rate: float | None
    handoff_rate: float | None
    median_wait_seconds: float | None


class DayPublic(SlicePublic):
    date: str  # YYYY-MM-DD, Jakarta time


class CsatPublic(BaseModel):
    average: float | None
    responses: int
    distribution: dict[str, int]  # "1".."5" -> number of ratings


class UnansweredGroupPublic(BaseModel):
    question: str  # the most frequent wording
    count: int
    variants: list[str]
    ids: list[int]  # the unanswered questions' ids (a fix from the console marks them handled)


class ComplaintsPublic(BaseModel):
    opened: int
    answered_on_time: int
    breached: int
    open: int


class OverviewPublic(BaseModel):
    since: datetime
    until: datetime
    days: int
    conversations: int
    messages: int
    contained_rate: float | None
    handoff_rate: float | None
    handoffs: int
    handoffs_by_reason: dict[str, int]
    handoff_outcomes: dict[str, int]  # claimed | abandoned | still_waiting
    median_wait_seconds: float | None
    p90_wait_seconds: float | None
    median_first_response_seconds: float | None
    csat: CsatPublic
    top_unanswered: list[UnansweredGroupPublic]
    complaints: ComplaintsPublic
    returns_by_state: dict[str, int]
    by_channel: dict[str, SlicePublic]
    by_brand: dict[str, SlicePublic]
    daily: list[DayPublic]


def _overview(sessions: sessionmaker[Session], settings: Settings, days: int) -> OverviewPublic:
    with sessions.begin() as session:
        return OverviewPublic.model_validate(overview(session, until=now(settings), days=days))


@router.get("/overview", response_model=OverviewPublic)
async def report_overview(
    sessions: SessionsDep, settings: SettingsDep, days: Annotated[int, Query(ge=1, le=90)] = 7
) -> OverviewPublic:
    """Conversations, containment, handoffs and waits, CSAT, unanswered questions, complaints and returns
    over the last `days` days (bot/reports/overview.py defines each figure). Supervisors and the integrator
    token only."""
    return await run_in_threadpool(_overview, sessions, settings, days)
