"""What the console shows: conversation summaries, the transcript with notes and events, and the customer's
orders, returns and tickets beside it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.conversations.types import message_view
from bot.services.complaints import near_deadline
from bot.services.identity import mask_phone
from bot.services.order_records import OrderServiceError
from bot.services.orders import get_order_backend
from bot.store.models import Complaint, Conversation, ConversationEvent, Message, ReturnRequest, utcnow

TRANSCRIPT_LIMIT = 500


class LastMessage(BaseModel):
    text: str | None
    author: str
    created_at: datetime


class ConversationSummary(BaseModel):
    id: str
    channel: str
    state: str
    brand: str | None
    customer: str
    waiting_since: datetime | None
    waited_seconds: int | None
    handoff_reason: str | None
    agent: str | None  # username
    agent_name: str | None
    last_message: LastMessage | None


class Note(BaseModel):
    author: str
    text: str
    created_at: datetime


class EventPublic(BaseModel):
    kind: str
    actor: str
    detail: dict[str, Any] | None
    created_at: datetime


class OrderPublic(BaseModel):
    id: str
    brand: str
    status: str
    items: list[str]


class ReturnSummary(BaseModel):
    number: str
    status: str
    order_id: str
    item_name: str
    quantity_reported: int


class TicketSummary(BaseModel):
    number: str
    status: str
    category: str
    due_date: date
    near_deadline: bool
    extended: bool  # the one extension was used
    breached: bool


class CustomerPublic(BaseModel):
    phones: list[str]  # masked
    orders: list[OrderPublic]
    orders_error: str | None = None
    returns: list[ReturnSummary]
    tickets: list[TicketSummary]


class ConversationDetail(ConversationSummary):
    messages: list[dict[str, Any]]
    notes: list[Note]
    events: list[EventPublic]
    customer_context: CustomerPublic


def customer_label(conversation: Conversation) -> str:
    if conversation.channel == "whatsapp":
        return f"WhatsApp {mask_phone(conversation.external_id.removeprefix('whatsapp:'))}"
    return "Pengunjung web" if conversation.channel == "widget" else "REST"


def summary(session: Session, conversation: Conversation) -> ConversationSummary:
    last = session.scalar(
        select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id.desc()).limit(1)
    )
    waiting = conversation.waiting_since
    return ConversationSummary(
        id=conversation.public_id,
        channel=conversation.channel,
        state=conversation.state,
        brand=conversation.brand,
        customer=customer_label(conversation),
        waiting_since=waiting,
        waited_seconds=int((utcnow() - waiting).total_seconds()) if waiting else None,
        handoff_reason=conversation.handoff_reason,
        agent=conversation.agent.username if conversation.agent else None,
        agent_name=conversation.agent.name if conversation.agent else None,
        last_message=LastMessage(text=last.text, author=last.author, created_at=last.created_at)
        if last
        else None,
    )


def _phones(session: Session, conversation: Conversation) -> list[str]:
    """Numbers known to be this customer's: the WhatsApp sender, and those on their tickets and returns."""
    phones: list[str] = []
    if conversation.channel == "whatsapp":
        phones.append(conversation.external_id.removeprefix("whatsapp:"))
    for model in (Complaint, ReturnRequest):
        for phone in session.scalars(
            select(model.customer_phone).where(model.conversation_id == conversation.public_id).distinct()
        ):
            if phone and phone not in phones:
                phones.append(phone)
    return phones


def customer_context(session: Session, conversation: Conversation) -> CustomerPublic:
    phones = _phones(session, conversation)
    orders: list[OrderPublic] = []
    orders_error = None
    try:
        backend = get_order_backend()
        for phone in phones:
            orders += [
                OrderPublic(
                    id=o.id,
                    brand=o.brand,
                    status=o.status,
                    items=[f"{i.quantity} x {i.name}" for i in o.items],
                )
                for o in backend.recent_orders(phone)
            ]
    except OrderServiceError as exc:  # the shop's order system is down: the rest of the console still works
        orders_error = str(exc)
    mine = [ReturnRequest.conversation_id == conversation.public_id]
    tickets_mine = [Complaint.conversation_id == conversation.public_id]
    if phones:
        mine.append(ReturnRequest.customer_phone.in_(phones))
        tickets_mine.append(Complaint.customer_phone.in_(phones))
    returns = session.scalars(
        select(ReturnRequest).where(or_(*mine)).order_by(ReturnRequest.id.desc()).limit(20)
    )
    tickets = session.scalars(
        select(Complaint).where(or_(*tickets_mine)).order_by(Complaint.id.desc()).limit(20)
    )
    today = utcnow().date()
    return CustomerPublic(
        phones=[mask_phone(p) for p in phones],
        orders=orders,
        orders_error=orders_error,
        returns=[
            ReturnSummary(
                number=r.number,
                status=r.status,
                order_id=r.order_id,
                item_name=r.item_name,
                quantity_reported=r.quantity_reported,
            )
            for r in returns
        ],
        tickets=[
            TicketSummary(
                number=t.number,
                status=t.status,
                category=t.category,
                due_date=t.due_date,
                near_deadline=near_deadline(t, today=today),
                extended=t.extended_at is not None,
                breached=t.breached_at is not None,
            )
            for t in tickets
        ],
    )


def detail(session: Session, conversation: Conversation) -> ConversationDetail:
    messages = list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.id.desc())
            .limit(TRANSCRIPT_LIMIT)
        )
    )
    events = list(
        session.scalars(
            select(ConversationEvent)
            .where(ConversationEvent.conversation_id == conversation.id)
            .order_by(ConversationEvent.id)
        )
    )
    return ConversationDetail(
        **summary(session, conversation).model_dump(),
        messages=[message_view(m) for m in reversed(messages)],
        notes=[
            Note(author=e.actor, text=str((e.detail or {}).get("text", "")), created_at=e.created_at)
            for e in events
            if e.kind == "note"
        ],
        events=[
            EventPublic(kind=e.kind, actor=e.actor, detail=e.detail, created_at=e.created_at)
            for e in events
            if e.kind != "note"
        ],
        customer_context=customer_context(session, conversation),
    )
