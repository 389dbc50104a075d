"""Every write of conversations and messages that a turn makes (the reads are in `queries`).

Blocking (SQLAlchemy sessions): async callers run these methods in a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, sessionmaker

from bot.config import Settings
from bot.conversations.queries import ConversationReads
from bot.conversations.types import (
    Inbound,
    Instead,
    Outlet,
    Received,
    Reply,
    instead_from_payload,
    instead_to_payload,
    message_view,
)
from bot.handoff import csat
from bot.handoff.desk import request_handoff
from bot.handoff.states import transition
from bot.store.models import (
    Conversation,
    ConversationEvent,
    ConversationState,
    Direction,
    Message,
    MessageStatus,
)

_T = TypeVar("_T")
_CONTROL_KEYS = ("handoff",)

# The statements of every turn, built once (see bot/conversations/queries.py); parameters by name.
_CONVERSATION_OF_CUSTOMER = select(Conversation).where(
    Conversation.channel == bindparam("channel"), Conversation.external_id == bindparam("external_id")
)
_OLDEST_PENDING = (
    select(Message)
    .join(Message.conversation)
    .options(contains_eager(Message.conversation))  # the turn reads it: no second query
    .where(Conversation.public_id == bindparam("conversation"), Message.status == MessageStatus.received)
    .order_by(Message.id)
    .limit(1)
)
# Payloads of the bot's messages after the customer's previous message and before this one, newest first.
_PREVIOUS_INBOUND = (
    select(func.max(Message.id))
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.direction == Direction.inbound,
        Message.id < bindparam("message_id"),
    )
    .scalar_subquery()
)
_OFFERED_SINCE_PREVIOUS = (
    select(Message.payload)
    .where(
        Message.conversation_id == bindparam("conversation_id"),
        Message.direction == Direction.outbound,
        Message.id > func.coalesce(_PREVIOUS_INBOUND, 0),
        Message.id < bindparam("message_id"),
    )
    .order_by(Message.id.desc())
)
_SET_STATUS = update(Message).where(Message.id == bindparam("message_id")).values(status=bindparam("status"))


def _set_status(session: Session, message_id: int, status: str) -> None:
    """One UPDATE; the row is not loaded in the session, so there is nothing to synchronise."""
    session.execute(
        _SET_STATUS,
        {"message_id": message_id, "status": status},
        execution_options={"synchronize_session": False},
    )


@dataclass(frozen=True)
class Turn:
    """A stored customer message, not answered yet, as its turn sees it."""

    state: str  # the conversation's state (after a reopening)
    reopened: bool  # the customer wrote to a closed conversation: the bot has it again
    rated: bool  # ... or answered its satisfaction question (it stays closed)
    text: str  # what the bot is sent: a picked button becomes its payload
    metadata: dict[str, Any]
    redacted: bool
    instead: Instead | None
    view: dict[str, Any]
    channel: str
    received_at: datetime


@dataclass(frozen=True)
class Stored:
    """Outbound messages just stored."""

    channel: str
    views: list[dict[str, Any]]
    replies: list[Reply]  # as the customer gets them (a handoff request became the desk's answer)
    handoff_texts: list[str]  # what the customer was told about the queue, when the bot asked for a human


def choose_button(text: str, buttons: list[dict[str, Any]], *, numbered: bool) -> str | None:
    """The payload of the button the customer picked by its title or, where buttons were shown as a
    numbered list (WhatsApp), by its number."""
    answer = text.strip().rstrip(".").strip().casefold()
    for i, button in enumerate(buttons, start=1):
        title = str(button.get("title", "")).strip().casefold()
        if answer == title or (numbered and answer == str(i)):
            payload = button.get("payload")
            return str(payload) if payload else str(button.get("title"))
    return None


def _is_control(reply: Reply) -> bool:
    return reply.custom is not None and any(key in reply.custom for key in _CONTROL_KEYS)


class ConversationStore(ConversationReads):
    """The reads, and every write of a turn."""

    def __init__(
        self, session_factory: sessionmaker[Session], settings: Settings, outlets: Mapping[str, Outlet]
    ) -> None:
        super().__init__(session_factory)
        self._settings = settings
        self._outlets = outlets  # staged inside the transaction that stores a reply

    def store_inbound(self, inbound: Inbound, text: str, redacted: bool) -> Received:
        """Store a customer message under its conversation (created on the first one); a repeated
        message_key is recognised and not stored again."""
        with self._session_factory.begin() as session:
            conversation = session.scalar(
                _CONVERSATION_OF_CUSTOMER, {"channel": inbound.channel, "external_id": inbound.external_id}
            )
            if conversation is None:
                conversation = Conversation(
                    channel=inbound.channel,
                    external_id=inbound.external_id,
                    brand=inbound.brand,
                    channel_address=inbound.channel_address,
                )
                session.add(conversation)
                session.flush()
            else:
                if conversation.brand is None and inbound.brand:
                    conversation.brand = inbound.brand
                if inbound.channel_address:  # reply from the number the customer last wrote to
                    conversation.channel_address = inbound.channel_address
            payload: dict[str, Any] = {}
            if inbound.metadata:
                payload["metadata"] = inbound.metadata
            if redacted:
                payload["redacted"] = True
            if inbound.instead is not None:
                payload["reply_instead"] = instead_to_payload(inbound.instead)
            message = Message(
                conversation_id=conversation.id,
                external_id=inbound.message_key,
                direction=Direction.inbound,
                author="customer",
                text=text,
                payload=payload or None,
                status=MessageStatus.received,
            )
            if inbound.message_key is None:  # nothing to recognise a repeat by: no savepoint needed
                session.add(message)
                session.flush()
                return Received(conversation.public_id, message.id)
            try:
                with session.begin_nested():
                    session.add(message)
                    session.flush()
            except IntegrityError:  # this message_key is stored already (a retried delivery)
                known = session.scalars(
                    select(Message).where(
                        Message.conversation_id == conversation.id,
                        Message.external_id == inbound.message_key,
                    )
                ).one()
                if known.status == MessageStatus.bot_unavailable:  # we asked them to resend: a new try
                    known.status = MessageStatus.received
                    session.execute(
                        update(Message).where(Message.reply_to_id == known.id).values(reply_to_id=None)
                    )
                return Received(conversation.public_id, known.id, duplicate=True)
            return Received(conversation.public_id, message.id)

    def next_turn(self, conversation_id: str, up_to: int | None = None) -> tuple[int, Turn] | None:
        """Open the turn of the conversation's oldest message not answered yet (none after `up_to`): a
        closed conversation is reopened, or takes the rating. One transaction: finding the message and
        opening its turn are one step of every turn."""
        with self._session_factory.begin() as session:
            message = session.scalar(_OLDEST_PENDING, {"conversation": conversation_id})
            if message is None or (up_to is not None and message.id > up_to):
                return None
            return message.id, self._open_turn(session, message)

    def _open_turn(self, session: Session, message: Message) -> Turn:
        conversation = message.conversation
        payload = message.payload or {}
        metadata = dict(payload.get("metadata") or {})
        if conversation.brand:  # the conversation's platform holds, whatever a later message claims
            metadata["brand"] = conversation.brand
        text = message.text or ""
        buttons = self._last_buttons(session, message)
        if buttons:
            text = choose_button(text, buttons, numbered=conversation.channel == "whatsapp") or text
        closed = conversation.state == ConversationState.closed
        instead = instead_from_payload(payload.get("reply_instead"))
        rated = closed and instead is None and csat.parse_rating(text) is not None
        if rated:
            rated = csat.take_rating(session, conversation, message_id=message.id, text=text) is not None
        reopened = closed and not rated
        if reopened:
            transition(session, conversation, ConversationState.bot, actor="customer", reason="new message")
        return Turn(
            state=conversation.state,
            reopened=reopened,
            rated=rated,
            text=text,
            metadata=metadata,
            redacted=bool(payload.get("redacted")),
            instead=instead,
            view=message_view(message),
            channel=conversation.channel,
            received_at=message.created_at,
        )

    @staticmethod
    def _last_buttons(session: Session, message: Message) -> list[dict[str, Any]]:
        """Buttons the bot offered since the customer's previous message."""
        offered = session.scalars(
            _OFFERED_SINCE_PREVIOUS, {"conversation_id": message.conversation_id, "message_id": message.id}
        )
        for payload in offered:
            if payload and payload.get("buttons"):
                return list(payload["buttons"])
        return []

    def store_outbound(
        self,
        conversation_id: str,
        answered: tuple[int, str] | None,
        author: str,
        replies: list[Reply],
    ) -> Stored | None:
        """Store replies (to the message `answered[0]`, which gets the status `answered[1]`) and stage them
        with the channel's outlet; a handoff request among them goes to the desk, and the customer gets
        the desk's answer instead. None when there is no such conversation."""
        with self._session_factory.begin() as session:
            conversation = self._conversation(session, conversation_id)
            if conversation is None:
                return None
            reply_to: int | None = None
            if answered is not None:
                reply_to, status = answered
                _set_status(session, reply_to, status)
                if status == MessageStatus.bot_unavailable:
                    session.add(
                        ConversationEvent(
                            conversation_id=conversation.id, kind="bot_unavailable", actor="system"
                        )
                    )
            to_store: list[tuple[str, Reply]] = []
            handoff_texts: list[str] = []
            for reply in replies:
                if _is_control(reply):  # the bot asks for a human; the gateway decides and says how it goes
                    assert reply.custom is not None
                    reason = str((reply.custom.get("handoff") or {}).get("reason") or "bot")[:40]
                    text = request_handoff(
                        session, conversation, reason=reason, actor="bot", settings=self._settings
                    )
                    handoff_texts.append(text)
                    to_store.append(("system", Reply(text=text)))
                else:
                    to_store.append((author, reply))
            stored = [
                Message(
                    conversation_id=conversation.id,
                    direction=Direction.outbound,
                    author=who,
                    text=reply.text,
                    payload={k: v for k, v in reply.as_dict().items() if k != "text"} or None,
                    status=MessageStatus.sent,
                    reply_to_id=reply_to,
                )
                for who, reply in to_store
            ]
            session.add_all(stored)
            session.flush()  # one INSERT for all of them, in this order; the outlet needs their ids
            outlet = self._outlets.get(conversation.channel)
            if outlet is not None:
                for message, (_, reply) in zip(stored, to_store, strict=True):
                    outlet.stage(session, conversation, message, reply)
            return Stored(
                conversation.channel,
                [message_view(m) for m in stored],
                [Reply.stored(m) for m in stored],
                handoff_texts,
            )

    def set_status(self, message_id: int, status: str) -> None:
        with self._session_factory.begin() as session:
            _set_status(session, message_id, status)

    def in_conversation(self, conversation_id: str, act: Callable[[Session, Conversation], _T]) -> _T:
        """`act` on the conversation in one transaction (a desk operation: acknowledge, leave the queue)."""
        with self._session_factory.begin() as session:
            conversation = self._conversation(session, conversation_id)
            assert conversation is not None, conversation_id
            return act(session, conversation)
