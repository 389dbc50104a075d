"""Staff API for complaint tickets under /api/agent/complaints, and the quarterly report as CSV.

For a console session or the integrator token (GATEWAY_API_TOKEN); the ticket's history names who acted:
the logged-in agent, or the integration (bot.api.deps.acting_as).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.api.deps import RouterDep, SessionsDep, StaffDep, acting_as, require_staff
from bot.conversations.types import Reply
from bot.services.complaint_report import complaint_report
from bot.services.complaints import (
    OPEN_STATUSES,
    describe_complaint,
    extend,
    find_complaint,
    local_date,
    near_deadline,
    record_step,
    working_days_left,
)
from bot.services.identity import mask_phone
from bot.store.models import Complaint

router = APIRouter(prefix="/api/agent", tags=["complaints"], dependencies=[Depends(require_staff)])


class ComplaintEventPublic(BaseModel):
    kind: str
    actor: str
    note: str | None
    created_at: datetime


class ComplaintPublic(BaseModel):
    number: str
    status: str
    regime: str
    form: str
    channel: str
    brand: str | None
    customer_name: str
    customer_phone: str  # masked: the agent sees enough to recognise it
    order_id: str | None
    category: str
    description: str
    received_at: datetime
    due_date: date
    working_days_left: int
    near_deadline: bool  # open and due within 2 working days, or overdue (services.complaints.near_deadline)
    breached: bool
    events: list[ComplaintEventPublic]


def _public(complaint: Complaint, today: date) -> ComplaintPublic:
    left = working_days_left(complaint, today=today)
    return ComplaintPublic(
        number=complaint.number,
        status=complaint.status,
        regime=complaint.regime,
        form=complaint.form,
        channel=complaint.channel,
        brand=complaint.brand,
        customer_name=complaint.customer_name,
        customer_phone=mask_phone(complaint.customer_phone),
        order_id=complaint.order_id,
        category=complaint.category,
        description=complaint.description,
        received_at=complaint.received_at,
        due_date=complaint.due_date,
        working_days_left=left,
        near_deadline=near_deadline(complaint, today=today),
        breached=complaint.breached_at is not None,
        events=[
            ComplaintEventPublic(kind=e.kind, actor=e.actor, note=e.note, created_at=e.created_at)
            for e in complaint.events
        ],
    )


def _today() -> date:
    return local_date(datetime.now().astimezone())


def _find(session: Session, number: str) -> Complaint:
    complaint = find_complaint(session, number)
    if complaint is None:
        raise HTTPException(404, f"no complaint {number}")
    return complaint


def _list(sessions: sessionmaker[Session], open_only: bool, limit: int) -> list[ComplaintPublic]:
    with sessions.begin() as session:
        query = select(Complaint).order_by(Complaint.due_date, Complaint.id).limit(limit)
        if open_only:
            query = query.where(Complaint.status.in_(OPEN_STATUSES))
        return [_public(c, _today()) for c in session.scalars(query)]


@router.get("/complaints", response_model=list[ComplaintPublic])
async def list_complaints(
    sessions: SessionsDep, open_only: bool = True, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[ComplaintPublic]:
    """Tickets by deadline, nearest first; `near_deadline` flags those due within 2 working days."""
    return await run_in_threadpool(_list, sessions, open_only, limit)


def _get(sessions: sessionmaker[Session], number: str) -> ComplaintPublic:
    with sessions.begin() as session:
        complaint = _find(session, number)
        return _public(complaint, _today())


@router.get("/complaints/{number}", response_model=ComplaintPublic)
async def get_complaint(sessions: SessionsDep, number: str) -> ComplaintPublic:
    return await run_in_threadpool(_get, sessions, number)


class StepRequest(BaseModel):
    step: Literal["assigned", "answered", "closed", "extended"]
    # Ignored for a console session (its own agent acts; another name is refused with 403); with the
    # integrator token, the person the integration acts for (recorded as "integrasi:<agent>").
    agent: str | None = Field(default=None, min_length=1, max_length=50)
    note: str | None = Field(default=None, max_length=4000)


# Steps the customer hears about on their own channel; "assigned" is internal.
_TOLD_STEPS = ("extended", "answered", "closed")
UPDATE_INTRO = "Kabar terbaru untuk pengaduan Kakak:\n"


def _step(
    sessions: sessionmaker[Session], number: str, request: StepRequest, actor: str
) -> tuple[ComplaintPublic, str | None, str]:
    with sessions.begin() as session:
        complaint = _find(session, number)
        if request.step == "extended":  # a ComplaintError is 409 with its sentence (bot/api/errors.py)
            extend(session, complaint, reason=request.note or "", actor=actor)
        else:
            record_step(session, complaint, kind=request.step, actor=actor, note=request.note)
        told = complaint.conversation_id if request.step in _TOLD_STEPS else None
        return _public(complaint, _today()), told, UPDATE_INTRO + describe_complaint(complaint)


@router.post("/complaints/{number}/steps", response_model=ComplaintPublic)
async def add_step(
    sessions: SessionsDep, number: str, request: StepRequest, router_: RouterDep, staff: StaffDep
) -> ComplaintPublic:
    """Assign, answer, close, or extend (once, `note` is the reason the customer is told). The customer
    hears of an extension, an answer and the closing on their own channel. The history names the logged-in
    agent (or the integration)."""
    actor = acting_as(staff, request.agent)
    public, conversation_id, text = await run_in_threadpool(_step, sessions, number, request, actor)
    await router_.send_to_customer(conversation_id, "agent", [Reply(text=text)])
    return public


def _report(sessions: sessionmaker[Session], quarter: str) -> str:
    with sessions.begin() as session:
        return complaint_report(session, quarter)


@router.get("/reports/complaints", response_class=PlainTextResponse)
async def quarterly_report(
    sessions: SessionsDep, quarter: Annotated[str, Query(examples=["2026Q4"])]
) -> PlainTextResponse:
    """The quarterly complaint report for OJK as CSV (same as `python -m bot.reports complaints`)."""
    try:
        text = await run_in_threadpool(_report, sessions, quarter)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return PlainTextResponse(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="pengaduan-{quarter.upper()}.csv"'},
    )
