"""SQLAlchemy models: conversations and their messages, and the demo shop's orders."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: DateTime(timezone=True),
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


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_conversation_channel_sender"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What Rasa sees as sender_id: opaque, so no phone number ends up in Rasa's tracker store.
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(200))  # the channel's sender id (REST sender, phone)
    brand: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    messages: Mapped[list[Message]] = relationship(back_populates="conversation", order_by="Message.id")
    events: Mapped[list[ConversationEvent]] = relationship(order_by="ConversationEvent.id")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(3))
    author: Mapped[str] = mapped_column(String(20))  # customer | bot | agent | system
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None]  # buttons, custom payloads, channel metadata
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


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
