"""Conversations, their messages and events, and the WhatsApp outbox."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, utcnow

if TYPE_CHECKING:  # relationships across modules resolve by name in the registry
    from bot.store.models.agents import Agent


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


class ConversationEvent(Base):
    """Append-only facts about a conversation (handoff requested, bot unavailable, ...)."""

    __tablename__ = "conversation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
