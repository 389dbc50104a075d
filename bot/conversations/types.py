"""The values channels hand over and get back, the protocols of the channels that push, and how a stored
message is shown to a channel client or a console."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.store.models import Conversation, Direction, Message

REPLY_FIELDS = ("buttons", "image", "custom")


@dataclass(frozen=True)
class Reply:
    text: str | None = None
    buttons: list[dict[str, Any]] | None = None
    image: str | None = None
    custom: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def stored(cls, message: Message) -> Reply:
        """A stored outbound message as the reply it was."""
        payload = message.payload or {}
        return cls(text=message.text, **{k: v for k, v in payload.items() if k in REPLY_FIELDS})


@dataclass(frozen=True)
class AnswerWith:
    """The gateway answers the message itself with `text` (a location, an unsupported file, an unreadable
    message); the bot does not see it."""

    text: str


@dataclass(frozen=True)
class LeaveUnanswered:
    """The message is stored (agents see it) and answered by nobody: a sender over its rate limit who has
    been told so once already."""


# Who answers a stored customer message other than the bot (None: the bot answers).
Instead = AnswerWith | LeaveUnanswered


def instead_to_payload(instead: Instead | None) -> str | None:
    """How `instead` is kept in the message's payload (`reply_instead`: a text, "" for no answer)."""
    if instead is None:
        return None
    return instead.text if isinstance(instead, AnswerWith) else ""


def instead_from_payload(value: str | None) -> Instead | None:
    if value is None:
        return None
    return AnswerWith(value) if value else LeaveUnanswered()


@dataclass(frozen=True)
class Inbound:
    """One customer message as a channel hands it over."""

    channel: str
    external_id: str  # the customer's id on the channel: REST sender, whatsapp:+62…, widget session
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    brand: str | None = None
    message_key: str | None = None  # the channel's id of this message (MessageSid): stored once
    channel_address: str | None = None  # our address the customer wrote to (the shop's WhatsApp number)
    instead: Instead | None = None  # set when the bot is not to answer it


@dataclass(frozen=True)
class Received:
    conversation_id: str  # the conversation's public id (Rasa's sender id)
    message_id: int
    duplicate: bool = False


@dataclass
class RouteResult:
    conversation_id: str
    replies: list[Reply] = field(default_factory=list)
    bot_available: bool = True


def message_view(message: Message) -> dict[str, Any]:
    """How a stored message is shown to a channel client (the widget's history, a push)."""
    payload = message.payload or {}
    view: dict[str, Any] = {
        "id": message.id,
        "author": message.author,
        "text": message.text,
        "created_at": message.created_at.isoformat(),
    }
    for key in ("buttons", "image"):
        if payload.get(key):
            view[key] = payload[key]
    media = (payload.get("metadata") or {}).get("media")
    if message.direction == Direction.inbound and media:  # what kind of file, never its URL
        view["media"] = [{"content_type": m.get("content_type")} for m in media]
    return view


class Outlet(Protocol):
    """A channel that delivers stored outbound messages to the customer on its own."""

    def stage(self, session: Session, conversation: Conversation, message: Message, reply: Reply) -> None:
        """Called inside the transaction that stores `message` (e.g. to add outbox rows)."""

    async def delivered(self, conversation_id: str, messages: Sequence[dict[str, Any]]) -> None:
        """Called after the commit with the stored messages' views."""

    async def state_changed(self, conversation_id: str, state: str, agent: str | None) -> None:
        """The conversation went to the queue, to an agent (`agent` is their display name) or back."""


class Feed(Protocol):
    """What the agent consoles hear: every stored message, and conversations changing state or owner."""

    async def message(self, conversation_id: str, view: dict[str, Any]) -> None: ...

    async def conversation(self, conversation_id: str, state: str, agent: str | None) -> None: ...

    async def note(self, conversation_id: str, note: dict[str, Any]) -> None: ...


class NoFeed:
    """No console listens (tools and tests that run the router alone)."""

    async def message(self, conversation_id: str, view: dict[str, Any]) -> None:
        pass

    async def conversation(self, conversation_id: str, state: str, agent: str | None) -> None:
        pass

    async def note(self, conversation_id: str, note: dict[str, Any]) -> None:
        pass
