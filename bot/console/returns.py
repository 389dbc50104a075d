"""Staff API for damaged-goods returns under /api/agent/returns: list, detail, decide, complete.

For a console session or the integrator token (GATEWAY_API_TOKEN); the history names who acted: the
logged-in agent, or the integration (bot.api.deps.acting_as).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.api.deps import RouterDep, SessionsDep, StaffDep, acting_as, require_staff
from bot.conversations.types import Reply
from bot.services.identity import mask_phone
from bot.services.returns import (
    OPEN_STATUSES,
    complete,
    decide,
    describe_return,
    find_return,
)
from bot.store.models import ReturnRequest

router = APIRouter(prefix="/api/agent", tags=["returns"], dependencies=[Depends(require_staff)])

UPDATE_INTRO = "Kabar terbaru untuk pengajuan retur Kakak:\n"


class EvidencePublic(BaseModel):
    kind: str
    content_type: str
    size_bytes: int
    sha256: str
    stored_path: str


class ReturnEventPublic(BaseModel):
    kind: str
    actor: str
    note: str | None
    created_at: datetime


class ReturnPublic(BaseModel):
    number: str
    status: str
    attempt: int
    order_id: str
    brand: str | None
    item_sku: str
    item_name: str
    quantity_reported: int
    quantity_accepted: int | None
    outcome: str | None
    decision_reason: str | None
    description: str
    channel: str
    customer_phone: str  # masked
    created_at: datetime
    evidence: list[EvidencePublic]
    events: list[ReturnEventPublic]


def _public(request: ReturnRequest) -> ReturnPublic:
    return ReturnPublic(
        number=request.number,
        status=request.status,
        attempt=request.attempt,
        order_id=request.order_id,
        brand=request.brand,
        item_sku=request.item_sku,
        item_name=request.item_name,
        quantity_reported=request.quantity_reported,
        quantity_accepted=request.quantity_accepted,
        outcome=request.outcome,
        decision_reason=request.decision_reason,
        description=request.description,
        channel=request.channel,
        customer_phone=mask_phone(request.customer_phone),
        created_at=request.created_at,
        evidence=[
            EvidencePublic(
                kind=e.kind,
                content_type=e.content_type,
                size_bytes=e.size_bytes,
                sha256=e.sha256,
                stored_path=e.stored_path,
            )
            for e in request.evidence
        ],
        events=[
            ReturnEventPublic(kind=e.kind, actor=e.actor, note=e.note, created_at=e.created_at)
            for e in request.events
        ],
    )


def _find(session: Session, number: str) -> ReturnRequest:
    request = find_return(session, number)
    if request is None:
        raise HTTPException(404, f"no return {number}")
    return request


def _list(sessions: sessionmaker[Session], open_only: bool, limit: int) -> list[ReturnPublic]:
    with sessions.begin() as session:
        query = select(ReturnRequest).order_by(ReturnRequest.id).limit(limit)
        if open_only:
            query = query.where(ReturnRequest.status.in_(OPEN_STATUSES))
        return [_public(r) for r in session.scalars(query)]


@router.get("/returns", response_model=list[ReturnPublic])
async def list_returns(
    sessions: SessionsDep, open_only: bool = True, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[ReturnPublic]:
    """Return requests, oldest first (open ones by default)."""
    return await run_in_threadpool(_list, sessions, open_only, limit)


def _get(sessions: sessionmaker[Session], number: str) -> ReturnPublic:
    with sessions.begin() as session:
        request = _find(session, number)
        return _public(request)


@router.get("/returns/{number}", response_model=ReturnPublic)
async def get_return(sessions: SessionsDep, number: str) -> ReturnPublic:
    return await run_in_threadpool(_get, sessions, number)


AGENT_FIELD = Field(
    default=None,
    min_length=1,
    max_length=50,
    description="ignored for a console session (another name is refused); the integration's person",
)


class DecisionRequest(BaseModel):
    approve: bool
    agent: str | None = AGENT_FIELD
    outcome: Literal["kirim_ulang", "potong_invoice"] | None = None
    accepted_quantity: int | None = Field(default=None, ge=1, le=100_000)
    reason: str | None = Field(default=None, max_length=2000)


Outcome = tuple[ReturnPublic, str | None, str]  # the request, its conversation, what the customer is told


def _decide(sessions: sessionmaker[Session], number: str, body: DecisionRequest, actor: str) -> Outcome:
    with sessions.begin() as session:
        request = _find(session, number)
        decide(  # ReturnNotAllowed is 409 with its sentence (bot/api/errors.py)
            session,
            request,
            approve=body.approve,
            actor=actor,
            reason=body.reason,
            outcome=body.outcome,
            accepted_quantity=body.accepted_quantity,
        )
        return _public(request), request.conversation_id, UPDATE_INTRO + describe_return(request)


@router.post("/returns/{number}/decision", response_model=ReturnPublic)
async def decide_return(
    sessions: SessionsDep, number: str, body: DecisionRequest, router_: RouterDep, staff: StaffDep
) -> ReturnPublic:
    """Approve (with outcome and accepted quantity ≤ reported) or reject (with a reason); the customer
    is told on their own channel. The history names the logged-in agent (or the integration)."""
    actor = acting_as(staff, body.agent)
    public, conversation_id, text = await run_in_threadpool(_decide, sessions, number, body, actor)
    await router_.send_to_customer(conversation_id, "agent", [Reply(text=text)])
    return public


class CompleteRequest(BaseModel):
    agent: str | None = AGENT_FIELD


def _complete(sessions: sessionmaker[Session], number: str, actor: str) -> Outcome:
    with sessions.begin() as session:
        request = _find(session, number)
        complete(session, request, actor=actor)
        return _public(request), request.conversation_id, UPDATE_INTRO + describe_return(request)


@router.post("/returns/{number}/complete", response_model=ReturnPublic)
async def complete_return(
    sessions: SessionsDep, number: str, body: CompleteRequest, router_: RouterDep, staff: StaffDep
) -> ReturnPublic:
    """The replacement arrived or the invoice was cut: the return is done (and the customer told)."""
    public, conversation_id, text = await run_in_threadpool(
        _complete, sessions, number, acting_as(staff, body.agent)
    )
    await router_.send_to_customer(conversation_id, "agent", [Reply(text=text)])
    return public
