"""Conversation routing: every customer message is stored first, then answered by the bot.

The gateway owns the conversation. Rasa sees an opaque sender id (the conversation's public id) and the
channel facts in metadata; control payloads in Rasa's replies (a handoff request) are acted on here and
never shown to the customer.

Channels that push to the customer (WhatsApp, the widget) register an `Outlet`: it stages a stored reply in
the same transaction (the WhatsApp outbox) and is told after the commit (wake the sender, push to a socket).
Messages of one conversation are answered one at a time, in the order they were stored, whichever gateway
process stored them: a conversation lock (`bot.locks`, through Redis when several processes run) is held
while a turn is answered, and a caller waiting for its replies first answers any older message still
pending, then reads its own replies from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, Protocol, TypeVar

import httpx
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.config import Settings
from bot.handoff import csat
from bot.handoff.desk import acknowledgement, leave_queue, request_handoff, wants_to_leave
from bot.handoff.states import transition
from bot.locks import ConversationLocks, LocalLocks
from bot.logs import conversation_context
from bot.metrics import counters as metrics
from bot.rasa_client import ActionServerDown, RasaClient, RasaUnavailable
from bot.sanitize import clean_json, clean_text
from bot.services.credentials import redact_credentials
from bot.store.models import (
    Conversation,
    ConversationEvent,
    ConversationState,
    Direction,
    Message,
    MessageStatus,
    utcnow,
)

_T = TypeVar("_T")

log = logging.getLogger(__name__)

BOT_UNAVAILABLE_TEXT = (
    "Mohon maaf Kak, sistem kami sedang mengalami gangguan sehingga pesan Kakak belum bisa dijawab "
    "sekarang. Pesan Kakak sudah kami simpan. Silakan coba kirim lagi beberapa saat lagi ya. 🙏"
)
# The help centre (FAQ 99% Usahaku — Keamanan Akun): nobody may ask for a password or an OTP.
CREDENTIAL_WARNING_TEXT = (
    "Mohon jangan bagikan kode OTP atau kata sandi kepada siapa pun, termasuk kepada kami, Kak: petugas "
    "resmi tidak pernah memintanya. Kode tadi sudah kami sensor dan tidak kami simpan. Kalau Kakak merasa "
    "kode itu sudah diketahui orang lain, segera ganti kata sandi akun Kakak."
)
# The database could not take the message (locked past its timeout, unreachable): nothing was stored, so
# unlike BOT_UNAVAILABLE_TEXT this must not say it was kept.
STORAGE_UNAVAILABLE_TEXT = (
    "Mohon maaf Kak, sistem kami sedang sibuk sehingga pesan Kakak belum bisa kami terima. Silakan kirim "
    "ulang pesan yang sama beberapa saat lagi ya. 🙏"
)
EMPTY_MESSAGE_TEXT = "Maaf Kak, pesannya belum terbaca oleh kami. Boleh diketik ulang?"
NO_REPLY_TEXT = (
    "Maaf Kak, saya belum menangkap maksud pesan tadi. Boleh dijelaskan dengan kalimat lain? Kalau ingin "
    'dibantu tim kami, ketik "CS" ya.'
)
_CONTROL_KEYS = ("handoff",)
_REPLY_FIELDS = ("buttons", "image", "custom")
# What Rasa is sent for a file with no caption: the return form takes the file from the metadata whatever
# the words; elsewhere NLU sees a neutral phrase instead of an empty message.
MEDIA_ONLY_TEXT = "(mengirim lampiran)"


@dataclass(frozen=True)
class Reply:
    text: str | None = None
    buttons: list[dict[str, Any]] | None = None
    image: str | None = None
    custom: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


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
    # Set when the gateway answers the message itself (a location, an unsupported file): not sent to Rasa.
    # An empty text: stored and not answered at all (a sender over its rate limit, told so once already).
    reply_instead: str | None = None


@dataclass(frozen=True)
class Received:
    conversation_id: str  # the conversation's public id (Rasa's sender id)
    message_id: int
    duplicate: bool = False


@dataclass(frozen=True)
class _Stored:
    channel: str
    views: list[dict[str, Any]]
    handoff_texts: list[str]  # what the customer was told about the queue, when the bot asked for a human


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


class _NoFeed:
    async def message(self, conversation_id: str, view: dict[str, Any]) -> None:
        pass

    async def conversation(self, conversation_id: str, state: str, agent: str | None) -> None:
        pass

    async def note(self, conversation_id: str, note: dict[str, Any]) -> None:
        pass


def _reply_from_rasa(raw: dict[str, Any]) -> Reply:
    return Reply(
        text=raw.get("text"), buttons=raw.get("buttons"), image=raw.get("image"), custom=raw.get("custom")
    )


def _is_control(reply: Reply) -> bool:
    return bool(reply.custom) and any(key in reply.custom for key in _CONTROL_KEYS)


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


class ConversationRouter:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        rasa: RasaClient,
        settings: Settings,
        feed: Feed | None = None,
        locks: ConversationLocks | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._rasa = rasa
        self._settings = settings
        self.feed: Feed = feed or _NoFeed()
        self._outlets: dict[str, Outlet] = {}
        self._locks: ConversationLocks = locks or LocalLocks()

    def add_outlet(self, channel: str, outlet: Outlet) -> None:
        self._outlets[channel] = outlet

    async def handle_customer_message(
        self,
        *,
        channel: str,
        external_id: str,
        text: str,
        metadata: dict[str, Any],
        brand: str | None = None,
        message_key: str | None = None,
    ) -> RouteResult:
        """Store and answer at once (the REST channel, whose caller waits for the replies). A repeated
        message_key gets the replies of the first delivery, produced once."""
        received: Received | None = None
        try:
            received = await self.receive(
                Inbound(
                    channel=channel,
                    external_id=external_id,
                    text=text,
                    metadata=metadata,
                    brand=brand,
                    message_key=message_key,
                )
            )
            return await self.answer(received)
        except OperationalError as exc:
            # A database locked past its timeout or gone: an apology the caller can act on (the channel
            # answers 503 + Retry-After), not a 500. A retry with the same message_key stores it once and
            # answers it, also when it was stored before the failure.
            log.error("database unavailable for a %s message: %s", channel, exc.orig)
            return RouteResult(
                received.conversation_id if received else "",
                [Reply(text=STORAGE_UNAVAILABLE_TEXT)],
                bot_available=False,
            )

    async def receive(self, inbound: Inbound) -> Received:
        """Store the message (credentials redacted) before anything else; a repeated message_key is
        recognised and not stored again."""
        inbound = replace(
            inbound,
            external_id=clean_text(inbound.external_id),
            text=clean_text(inbound.text),
            metadata=clean_json(inbound.metadata),
            message_key=inbound.message_key and clean_text(inbound.message_key),
        )
        if not inbound.text.strip() and inbound.reply_instead is None:  # nothing readable: ask, not Rasa
            inbound = replace(inbound, reply_instead=EMPTY_MESSAGE_TEXT)
        text = redact_credentials(inbound.text)
        received = await run_in_threadpool(self._store_inbound, inbound, text, text != inbound.text)
        if not received.duplicate:
            metrics.MESSAGES_RECEIVED.labels(inbound.channel).inc()
        return received

    async def answer(self, received: Received) -> RouteResult:
        """Answer one stored message, after any older one of the conversation still pending: Rasa's replies
        (or an apology when Rasa is down) are stored and handed to the channel's outlet. Returns the
        replies to this message, also when another process (or an earlier delivery) produced them."""
        async with self._locks.hold(received.conversation_id):
            await self._answer_pending(received.conversation_id, up_to=received.message_id)
        return await run_in_threadpool(self._replies_to, received)

    async def answer_pending(self, conversation_id: str) -> None:
        """Answer every stored, unanswered message of a conversation, oldest first (background channels,
        and after a restart)."""
        async with self._locks.hold(conversation_id):
            await self._answer_pending(conversation_id)

    async def _answer_pending(self, conversation_id: str, up_to: int | None = None) -> None:
        with conversation_context(conversation_id):  # every log line of these turns names the conversation
            while (message_id := await run_in_threadpool(self._oldest_pending, conversation_id)) is not None:
                if up_to is not None and message_id > up_to:
                    return
                await self._answer(conversation_id, message_id)
                if message_id == up_to:
                    return

    async def send_to_customer(self, conversation_id: str | None, author: str, replies: list[Reply]) -> bool:
        """Messages not caused by a customer message (a decision on a return, an agent's reply), stored
        and handed to the conversation's channel; False when there is no such conversation."""
        if conversation_id is None:
            return False
        async with self._locks.hold(conversation_id):
            stored = await run_in_threadpool(self._store_outbound, conversation_id, None, author, replies)
            if stored is None:
                return False
            await self._delivered(conversation_id, stored)
            return True

    async def announce_state(self, conversation_id: str) -> None:
        """Tell the customer's channel (the widget shows it) and the consoles where a conversation is now."""
        found = await run_in_threadpool(self._state_of, conversation_id)
        if found is None:
            return
        channel, state, agent_name, agent_username = found
        outlet = self._outlets.get(channel)
        try:
            if outlet is not None:
                await outlet.state_changed(conversation_id, state, agent_name)
            await self.feed.conversation(conversation_id, state, agent_username)
        except Exception:  # the state is stored; consoles and widgets catch up when they reload
            log.exception("announcing the state of %s failed", conversation_id)

    def _state_of(self, conversation_id: str) -> tuple[str, str, str | None, str | None] | None:
        with self._session_factory() as session:
            conversation = session.scalar(
                select(Conversation).where(Conversation.public_id == conversation_id)
            )
            if conversation is None:
                return None
            agent = conversation.agent
            return (
                conversation.channel,
                conversation.state,
                agent.name if agent else None,
                agent.username if agent else None,
            )

    def pending_conversations(self, stored_before: datetime | None = None) -> list[str]:
        """Conversations of push channels (those with an outlet) holding a stored message not yet
        answered (stored before `stored_before`, if given): after a restart, or when the process that
        stored them died, they are answered in the background."""
        query = (
            select(Conversation.public_id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.status == MessageStatus.received, Conversation.channel.in_(list(self._outlets)))
        )
        if stored_before is not None:
            query = query.where(Message.created_at < stored_before)
        with self._session_factory() as session:
            return list(session.scalars(query.distinct()))

    def _replies_to(self, received: Received) -> RouteResult:
        with self._session_factory() as session:
            status = session.get_one(Message, received.message_id).status
            stored = session.scalars(
                select(Message).where(Message.reply_to_id == received.message_id).order_by(Message.id)
            )
            replies = [
                Reply(text=m.text, **{k: v for k, v in (m.payload or {}).items() if k in _REPLY_FIELDS})
                for m in stored
            ]
        return RouteResult(received.conversation_id, replies, status != MessageStatus.bot_unavailable)

    async def _answer(self, conversation_id: str, message_id: int) -> None:
        turn = await run_in_threadpool(self._turn, message_id)
        if turn.status != MessageStatus.received:  # answered already (a duplicate delivery)
            return
        await self._tell_feed(conversation_id, [turn.view])
        replies = [Reply(text=CREDENTIAL_WARNING_TEXT)] if turn.redacted else []
        if turn.state in (ConversationState.waiting_agent, ConversationState.with_agent):
            # A human has it: the bot stays silent. Someone waiting is told their message reaches the agent
            # (once per burst); what the gateway answers itself (an unreadable message) is answered anyway.
            # A waiting customer who says "batal" / "gak jadi" leaves the queue and the bot answers again.
            status, left = MessageStatus.for_agent, False
            if turn.reply_instead:
                replies.append(Reply(text=turn.reply_instead))
            elif turn.state == ConversationState.waiting_agent and wants_to_leave(turn.text):
                text = await run_in_threadpool(self._in_conversation, conversation_id, leave_queue)
                if text is not None:  # else an agent claimed it meanwhile: the message is theirs
                    replies.append(Reply(text=text))
                    status, left = MessageStatus.answered, True
            elif turn.state == ConversationState.waiting_agent:
                ack = await run_in_threadpool(
                    self._in_conversation, conversation_id, partial(acknowledgement, settings=self._settings)
                )
                replies += [Reply(text=ack)] if ack else []
            if not replies:
                await run_in_threadpool(self._set_status, message_id, MessageStatus.for_agent)
                return
            stored = await run_in_threadpool(
                self._store_outbound, conversation_id, (message_id, status), "system", replies
            )
            assert stored is not None
            await self._delivered(conversation_id, stored)
            metrics.observe_reply(turn.channel, turn.received_at, utcnow(), bot_replies=0)
            if left:
                await self.announce_state(conversation_id)
            return
        if turn.reopened:
            await self.announce_state(conversation_id)
        status, author = MessageStatus.answered, "bot"
        if turn.reply_instead is not None:
            if turn.reply_instead:
                replies.append(Reply(text=turn.reply_instead))
            status, author = MessageStatus.declined, "system"
        elif turn.rated:  # the answer to "how did we do?" after an agent closed: recorded, not for Rasa
            replies.append(Reply(text=csat.THANKS_TEXT))
            author = "system"
        else:
            unavailable: RasaUnavailable | None = None
            try:
                raw = await self._rasa.send(conversation_id, turn.text, turn.metadata)
                if not raw and not await self._actions_reachable():
                    # Rasa logs a failed custom action and answers nothing (rasa.core.processor: "the
                    # actions events are lost"): an outage, not a message the bot did not understand.
                    raise ActionServerDown(
                        f"action server at {self._settings.action_server_base_url} is down"
                    )
                replies += [_reply_from_rasa(r) for r in raw]
                if not raw:  # the policy chose to listen: a customer is never left without an answer
                    log.warning("Rasa gave no reply in conversation %s", conversation_id)
                    replies.append(Reply(text=NO_REPLY_TEXT))
            except ActionServerDown as exc:
                metrics.ACTION_SERVER_ERRORS.inc()
                unavailable = exc
            except RasaUnavailable as exc:
                metrics.RASA_ERRORS.inc()
                unavailable = exc
            if unavailable is not None:
                log.error("bot unavailable for conversation %s: %s", conversation_id, unavailable)
                replies.append(Reply(text=BOT_UNAVAILABLE_TEXT))
                status, author = MessageStatus.bot_unavailable, "system"
        stored = await run_in_threadpool(
            self._store_outbound, conversation_id, (message_id, status), author, replies
        )
        assert stored is not None  # the message being answered belongs to the conversation
        await self._delivered(conversation_id, stored)
        bot_replies = len(stored.views) if author == "bot" else 0
        metrics.observe_reply(turn.channel, turn.received_at, utcnow(), bot_replies=bot_replies)

    async def _actions_reachable(self) -> bool:
        """Whether the action server answers its health check (asked only when Rasa said nothing)."""
        try:
            async with httpx.AsyncClient(timeout=2.0) as http:
                response = await http.get(f"{self._settings.action_server_base_url}/health")
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _in_conversation(self, conversation_id: str, act: Callable[[Session, Conversation], _T]) -> _T:
        """`act` on the conversation in one transaction (a desk operation: acknowledge, leave the queue)."""
        with self._session_factory.begin() as session:
            conversation = session.scalars(
                select(Conversation).where(Conversation.public_id == conversation_id)
            ).one()
            return act(session, conversation)

    def _set_status(self, message_id: int, status: str) -> None:
        with self._session_factory.begin() as session:
            session.get_one(Message, message_id).status = status

    async def _tell_feed(self, conversation_id: str, views: list[dict[str, Any]]) -> None:
        try:
            for view in views:
                await self.feed.message(conversation_id, view)
        except Exception:  # consoles catch up from the transcript
            log.exception("feeding the consoles failed for %s", conversation_id)

    async def _delivered(self, conversation_id: str, stored: _Stored) -> None:
        outlet = self._outlets.get(stored.channel)
        if outlet is not None and stored.views:
            try:
                await outlet.delivered(conversation_id, stored.views)
            except Exception:  # the messages are stored; the channel catches up from there
                log.exception("outlet %s failed after storing replies", stored.channel)
        await self._tell_feed(conversation_id, stored.views)
        if stored.handoff_texts:
            await self.announce_state(conversation_id)

    def _store_inbound(self, inbound: Inbound, text: str, redacted: bool) -> Received:
        with self._session_factory.begin() as session:
            conversation = session.scalar(
                select(Conversation).where(
                    Conversation.channel == inbound.channel, Conversation.external_id == inbound.external_id
                )
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
            if inbound.reply_instead is not None:
                payload["reply_instead"] = inbound.reply_instead
            message = Message(
                conversation_id=conversation.id,
                external_id=inbound.message_key,
                direction=Direction.inbound,
                author="customer",
                text=text,
                payload=payload or None,
                status=MessageStatus.received,
            )
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

    @dataclass(frozen=True)
    class _Turn:
        status: str
        state: str
        reopened: bool  # the customer wrote to a closed conversation: the bot has it again
        rated: bool  # ... or answered its satisfaction question (it stays closed)
        text: str
        metadata: dict[str, Any]
        redacted: bool
        reply_instead: str | None
        view: dict[str, Any]
        channel: str
        received_at: datetime

    def _turn(self, message_id: int) -> ConversationRouter._Turn:
        """What Rasa is sent for a stored message: its text (a picked button becomes its payload) and the
        channel metadata, with the conversation's pinned platform."""
        with self._session_factory.begin() as session:
            message = session.get_one(Message, message_id)
            conversation = message.conversation
            payload = message.payload or {}
            metadata = dict(payload.get("metadata") or {})
            if conversation.brand:  # the conversation's platform holds, whatever a later message claims
                metadata["brand"] = conversation.brand
            text = message.text or ""
            buttons = self._last_buttons(session, message)
            if buttons:
                text = choose_button(text, buttons, numbered=conversation.channel == "whatsapp") or text
            closed = (
                conversation.state == ConversationState.closed and message.status == MessageStatus.received
            )
            rated = closed and not payload.get("reply_instead") and csat.parse_rating(text) is not None
            if rated:
                rated = csat.take_rating(session, conversation, message_id=message_id, text=text) is not None
            reopened = closed and not rated
            if reopened:
                transition(
                    session, conversation, ConversationState.bot, actor="customer", reason="new message"
                )
            return self._Turn(
                status=message.status,
                state=conversation.state,
                reopened=reopened,
                rated=rated,
                text=text,
                metadata=metadata,
                redacted=bool(payload.get("redacted")),
                reply_instead=payload.get("reply_instead"),
                view=message_view(message),
                channel=conversation.channel,
                received_at=message.created_at,
            )

    @staticmethod
    def _last_buttons(session: Session, message: Message) -> list[dict[str, Any]]:
        """Buttons the bot offered since the customer's previous message."""
        previous_inbound = session.scalar(
            select(Message.id)
            .where(
                Message.conversation_id == message.conversation_id,
                Message.direction == Direction.inbound,
                Message.id < message.id,
            )
            .order_by(Message.id.desc())
            .limit(1)
        )
        offered = session.scalars(
            select(Message)
            .where(
                Message.conversation_id == message.conversation_id,
                Message.direction == Direction.outbound,
                Message.id > (previous_inbound or 0),
                Message.id < message.id,
            )
            .order_by(Message.id.desc())
        )
        for reply in offered:
            if reply.payload and reply.payload.get("buttons"):
                return list(reply.payload["buttons"])
        return []

    def _oldest_pending(self, conversation_id: str) -> int | None:
        with self._session_factory() as session:
            return session.scalar(
                select(Message.id)
                .join(Conversation)
                .where(Conversation.public_id == conversation_id, Message.status == MessageStatus.received)
                .order_by(Message.id)
                .limit(1)
            )

    def _store_outbound(
        self,
        conversation_id: str,
        answered: tuple[int, str] | None,
        author: str,
        replies: list[Reply],
    ) -> _Stored | None:
        with self._session_factory.begin() as session:
            conversation = session.scalars(
                select(Conversation).where(Conversation.public_id == conversation_id)
            ).one_or_none()
            if conversation is None:
                return None
            reply_to: int | None = None
            if answered is not None:
                reply_to, status = answered
                session.get_one(Message, reply_to).status = status
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
            outlet = self._outlets.get(conversation.channel)
            stored: list[Message] = []
            for who, reply in to_store:
                message = Message(
                    conversation_id=conversation.id,
                    direction=Direction.outbound,
                    author=who,
                    text=reply.text,
                    payload={k: v for k, v in reply.as_dict().items() if k != "text"} or None,
                    status=MessageStatus.sent,
                    reply_to_id=reply_to,
                )
                session.add(message)
                session.flush()
                if outlet is not None:
                    outlet.stage(session, conversation, message, reply)
                stored.append(message)
            return _Stored(conversation.channel, [message_view(m) for m in stored], handoff_texts)
