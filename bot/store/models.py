"""SQLAlchemy models: conversations and their messages, the demo shop's orders, complaint tickets."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every database: stored as UTC, read back as UTC.

    SQLite keeps no offset, so without this a value written aware comes back naive and cannot be compared
    with `datetime.now(UTC)`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
    }


class Direction(enum.StrEnum):
    inbound = "in"
    outbound = "out"


class MessageStatus(enum.StrEnum):
    received = "received"  # stored, not yet answered
    answered = "answered"  # the bot answered it
    bot_unavailable = "bot_unavailable"  # kept; Rasa could not be reached
    sent = "sent"  # outbound, handed to the channel
    declined = "declined"  # inbound the gateway answered itself (a location, an unsupported file)
    for_agent = "for_agent"  # inbound while a human has the conversation: not sent to Rasa


class ConversationState(enum.StrEnum):
    bot = "bot"  # Rasa answers
    waiting_agent = "waiting_agent"  # in the queue for a human; the bot stays silent
    with_agent = "with_agent"  # an agent answers
    closed = "closed"  # ended by an agent with a summary; a new customer message reopens it for the bot


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_conversation_channel_sender"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What Rasa sees as sender_id: opaque, so no phone number ends up in Rasa's tracker store.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(200))  # the channel's sender id (REST sender, phone)
    # Our own address on the channel the customer wrote to (the shop's WhatsApp number): replies go from it.
    channel_address: Mapped[str | None] = mapped_column(String(40))
    brand: Mapped[str | None] = mapped_column(String(40))
    # Handoff (bot/handoff/states.py): who answers, since when the customer waits, why, which agent.
    state: Mapped[str] = mapped_column(String(20), default=ConversationState.bot, index=True)
    waiting_since: Mapped[datetime | None]
    handoff_reason: Mapped[str | None] = mapped_column(String(40))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agent: Mapped[Agent | None] = relationship()
    messages: Mapped[list[Message]] = relationship(back_populates="conversation", order_by="Message.id")
    events: Mapped[list[ConversationEvent]] = relationship(order_by="ConversationEvent.id")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation", "conversation_id", "id"),
        # A channel's own id for an inbound message (Twilio MessageSid, the widget's client id): a retried
        # delivery of the same message is stored once.
        UniqueConstraint("conversation_id", "external_id", name="uq_message_external_id"),
        Index("ix_messages_reply_to", "reply_to_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    external_id: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(3))
    author: Mapped[str] = mapped_column(String(20))  # customer | bot | agent | system
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None]  # buttons, custom payloads, channel metadata
    status: Mapped[str] = mapped_column(String(20))
    # The customer message a bot/system reply answers: a caller waiting for "its" replies finds them here,
    # whichever gateway process produced them.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", name="fk_messages_reply_to"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class Agent(Base):
    """A CS agent (or supervisor) who logs in to the console. Passwords are argon2 hashes."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))  # agent | supervisor
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    last_seen_at: Mapped[datetime | None]  # the last console request or heartbeat (presence)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentSession(Base):
    """A console login: the cookie carries the token, the database only its SHA-256."""

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    agent: Mapped[Agent] = relationship()


class LoginAttempt(Base):
    """Failed console logins, per username and address: the rate limit counts them across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxStatus(enum.StrEnum):
    pending = "pending"  # waiting for its first or next attempt
    sent = "sent"  # accepted by the provider (provider_sid set)
    failed = "failed"  # given up: a permanent error or too many attempts (last_error says which)


class Outbox(Base):
    """One part of an outbound WhatsApp message, kept until the provider has accepted it.

    A reply becomes one row per part (replies over 1,600 characters are split); rows of a conversation are
    sent strictly in id order, so a part waiting for a retry holds back the parts after it.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    part: Mapped[int] = mapped_column(default=1)
    to_address: Mapped[str] = mapped_column(String(40))  # whatsapp:+62…
    from_address: Mapped[str] = mapped_column(String(40))
    body: Mapped[str | None] = mapped_column(Text)
    media_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set when the customer had been silent for more than 24 hours and the approved template was used.
    template_sid: Mapped[str | None] = mapped_column(String(64))
    provider_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    delivery_status: Mapped[str | None] = mapped_column(String(20))  # queued, sent, delivered, read, failed
    delivery_error: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    delivery_updated_at: Mapped[datetime | None]


class ConversationEvent(Base):
    """Append-only facts about a conversation (handoff requested, bot unavailable, ...)."""

    __tablename__ = "conversation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    brand: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    customer_name: Mapped[str] = mapped_column(String(120))
    customer_phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    customer_email: Mapped[str | None] = mapped_column(String(200))
    courier: Mapped[str | None] = mapped_column(String(40))
    courier_service: Mapped[str | None] = mapped_column(String(40))
    resi: Mapped[str | None] = mapped_column(String(60))
    city: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(200))

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    unit_price: Mapped[int]  # rupiah

    order: Mapped[Order] = relationship(back_populates="items")


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


class Complaint(Base):
    """A complaint ticket (pengaduan) as POJK 18/2018 requires: numbered, dated, with a deadline."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # PGD-2611-7KQ4M
    status: Mapped[str] = mapped_column(String(20), index=True)
    regime: Mapped[str] = mapped_column(String(10))  # pojk18 | pojk22, fixed at receipt
    form: Mapped[str] = mapped_column(String(10))  # lisan (oral and chat) | tertulis (written)
    channel: Mapped[str] = mapped_column(String(20))
    brand: Mapped[str | None] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(64))  # Rasa's opaque sender id
    customer_name: Mapped[str] = mapped_column(String(120))
    customer_phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    order_id: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)
    extended_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]  # set by the deadline job when due_date passed unresolved

    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="all, delete-orphan"
    )


class ComplaintEvent(Base):
    """Append-only history of a ticket: received, assigned, extended, answered, closed, breached."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(60))  # customer | bot | agent:<name> | system
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class ReturnRequest(Base):
    """A damaged-goods return (retur barang rusak) for one order item, with its evidence and history."""

    __tablename__ = "return_requests"
    __table_args__ = (Index("ix_return_requests_order_item", "order_id", "item_sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # RTR-2612-7KQ4M
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempt: Mapped[int]  # 1, or 2 after a rejection (the AksesToko rule allows one more)
    order_id: Mapped[str] = mapped_column(String(40))
    brand: Mapped[str | None] = mapped_column(String(40))
    item_sku: Mapped[str] = mapped_column(String(60))
    item_name: Mapped[str] = mapped_column(String(200))
    quantity_reported: Mapped[int]
    quantity_accepted: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(20))  # kirim_ulang | potong_invoice
    decision_reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    customer_phone: Mapped[str | None] = mapped_column(String(20))  # E.164, the order's
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    evidence: Mapped[list[ReturnEvidence]] = relationship(
        back_populates="request", order_by="ReturnEvidence.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[ReturnEvent]] = relationship(
        back_populates="request", order_by="ReturnEvent.id", cascade="all, delete-orphan"
    )


class ReturnEvidence(Base):
    """A stored photo, video or PDF: of the goods, or of the SPJ / resi."""

    __tablename__ = "return_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # barang | dokumen
    source_url: Mapped[str] = mapped_column(Text)
    stored_path: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="evidence")


class ReturnEvent(Base):
    """Append-only history of a return: diajukan, disetujui, ditolak, dikirim_ulang, potong_invoice, …"""

    __tablename__ = "return_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="events")
