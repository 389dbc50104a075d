"""Turn-taking: a customer message is stored first (credentials redacted), then answered.

Channels that push to the customer (WhatsApp, the widget) register an `Outlet`: it stages a stored reply in
the same transaction (the WhatsApp outbox) and is told after the commit (wake the sender, push to a socket).
Messages of one conversation are answered one at a time, in the order they were stored, whichever gateway
process stored them: a conversation lock (`bot.infra.locks`, through Redis when several processes run) is
held while a turn is answered, and a caller waiting for its replies first answers any older message still
pending, then reads its own replies from the database.

A turn is answered by one of three: a human (the conversation waits for or is with an agent: the bot is
silent), the gateway itself (`Inbound.instead`, a satisfaction rating, an unreadable message), or the bot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.config import Settings
from bot.conversations.fanout import Fanout
from bot.conversations.rasa import ActionServerDown, Bot, RasaUnavailable
from bot.conversations.store import ConversationStore, Turn
from bot.conversations.texts import (
    BOT_UNAVAILABLE_TEXT,
    CREDENTIAL_WARNING_TEXT,
    EMPTY_MESSAGE_TEXT,
    NO_REPLY_TEXT,
    STORAGE_UNAVAILABLE_TEXT,
)
from bot.conversations.types import (
    AnswerWith,
    Feed,
    Inbound,
    NoFeed,
    Outlet,
    Received,
    Reply,
    RouteResult,
)
from bot.handoff import csat
from bot.handoff.desk import acknowledgement, leave_queue, wants_to_leave
from bot.infra import metrics
from bot.infra.locks import ConversationLocks, LocalLocks
from bot.infra.logs import conversation_context
from bot.services.credentials import redact_credentials
from bot.services.sanitize import clean_json, clean_text
from bot.store.models import ConversationState, MessageStatus, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answered:
    """What a customer message was answered with, as its sender gets it."""

    replies: list[Reply]
    bot_available: bool


class ConversationRouter:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        bot: Bot,
        settings: Settings,
        feed: Feed | None = None,
        locks: ConversationLocks | None = None,
    ) -> None:
        self._bot = bot
        self._settings = settings
        self._locks: ConversationLocks = locks or LocalLocks()
        outlets: dict[str, Outlet] = {}
        self.store = ConversationStore(session_factory, settings, outlets)
        self._fanout = Fanout(self.store, outlets, feed or NoFeed())

    @property
    def feed(self) -> Feed:
        return self._fanout.feed

    def add_outlet(self, channel: str, outlet: Outlet) -> None:
        self._fanout.outlets[channel] = outlet

    async def handle_customer_message(self, inbound: Inbound) -> RouteResult:
        """Store and answer at once (the REST channel, whose caller waits for the replies). A repeated
        message_key gets the replies of the first delivery, produced once."""
        received: Received | None = None
        try:
            received = await self.receive(inbound)
            return await self.answer(received)
        except OperationalError as exc:
            # A database locked past its timeout or gone: an apology the caller can act on (the channel
            # answers 503 + Retry-After), not a 500. A retry with the same message_key stores it once and
            # answers it, also when it was stored before the failure.
            log.error("database unavailable for a %s message: %s", inbound.channel, exc.orig)
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
        if not inbound.text.strip() and inbound.instead is None:  # nothing readable: ask, not the bot
            inbound = replace(inbound, instead=AnswerWith(EMPTY_MESSAGE_TEXT))
        text = redact_credentials(inbound.text)
        received = await run_in_threadpool(self.store.store_inbound, inbound, text, text != inbound.text)
        if not received.duplicate:
            metrics.MESSAGES_RECEIVED.labels(inbound.channel).inc()
        return received

    async def answer(self, received: Received) -> RouteResult:
        """Answer one stored message, after any older one of the conversation still pending; returns the
        replies to this message, also when another process (or an earlier delivery) produced them."""
        async with self._locks.hold(received.conversation_id):
            answered = await self._answer_pending(received.conversation_id, up_to=received.message_id)
        if answered is not None:  # answered here: its replies are known without reading them back
            return RouteResult(received.conversation_id, answered.replies, answered.bot_available)
        return await run_in_threadpool(self.store.replies_to, received)

    async def answer_pending(self, conversation_id: str) -> None:
        """Answer every stored, unanswered message of a conversation, oldest first (background channels,
        and after a restart)."""
        async with self._locks.hold(conversation_id):
            await self._answer_pending(conversation_id)

    async def _answer_pending(self, conversation_id: str, up_to: int | None = None) -> Answered | None:
        """Answer the conversation's pending messages, oldest first (none after `up_to`); what the message
        `up_to` was answered with when it was answered here."""
        with conversation_context(conversation_id):  # every log line of these turns names the conversation
            while (
                pending := await run_in_threadpool(self.store.next_turn, conversation_id, up_to)
            ) is not None:
                message_id, turn = pending
                answered = await self._answer(conversation_id, message_id, turn)
                if message_id == up_to:
                    return answered
        return None

    async def send_to_customer(self, conversation_id: str | None, author: str, replies: list[Reply]) -> bool:
        """Messages not caused by a customer message (a decision on a return, an agent's reply), stored
        and handed to the conversation's channel; False when there is no such conversation."""
        if conversation_id is None:
            return False
        async with self._locks.hold(conversation_id):
            stored = await run_in_threadpool(
                self.store.store_outbound, conversation_id, None, author, replies
            )
            if stored is None:
                return False
            await self._fanout.delivered(conversation_id, stored)
            return True

    async def announce_state(self, conversation_id: str) -> None:
        await self._fanout.announce_state(conversation_id)

    def pending_conversations(self, stored_before: datetime | None = None) -> list[str]:
        """Conversations of push channels (those with an outlet) holding a stored message not yet
        answered: after a restart, or when the process that stored them died, they are answered in the
        background."""
        return self.store.pending_conversations(list(self._fanout.outlets), stored_before)

    async def _answer(self, conversation_id: str, message_id: int, turn: Turn) -> Answered:
        await self._fanout.tell_feed(conversation_id, [turn.view])
        replies = [Reply(text=CREDENTIAL_WARNING_TEXT)] if turn.redacted else []
        if turn.state in (ConversationState.waiting_agent, ConversationState.with_agent):
            return await self._human_turn(conversation_id, message_id, turn, replies)
        if turn.reopened:
            await self.announce_state(conversation_id)
        status, author = MessageStatus.answered, "bot"
        if turn.instead is not None:
            if isinstance(turn.instead, AnswerWith):
                replies.append(Reply(text=turn.instead.text))
            status, author = MessageStatus.declined, "system"
        elif turn.rated:  # the answer to "how did we do?" after an agent closed: recorded, not for the bot
            replies.append(Reply(text=csat.THANKS_TEXT))
            author = "system"
        else:
            try:
                bot_replies = await self._bot.replies(conversation_id, turn.text, turn.metadata)
                if not bot_replies:  # the policy chose to listen: a customer is never left without an answer
                    log.warning("the bot gave no reply in conversation %s", conversation_id)
                replies += bot_replies or [Reply(text=NO_REPLY_TEXT)]
            except RasaUnavailable as exc:
                counter = (
                    metrics.ACTION_SERVER_ERRORS if isinstance(exc, ActionServerDown) else metrics.RASA_ERRORS
                )
                counter.inc()
                log.error("bot unavailable for conversation %s: %s", conversation_id, exc)
                replies.append(Reply(text=BOT_UNAVAILABLE_TEXT))
                status, author = MessageStatus.bot_unavailable, "system"
        return await self._store_answer(conversation_id, message_id, status, author, replies, turn)

    async def _human_turn(
        self, conversation_id: str, message_id: int, turn: Turn, replies: list[Reply]
    ) -> Answered:
        """A human has the conversation: the bot stays silent. Someone waiting is told their message
        reaches the agent (once per burst); what the gateway answers itself (an unreadable message) is
        answered anyway. A waiting customer who says "batal" / "gak jadi" leaves the queue and the bot
        answers again. `replies` holds what goes before (the warning about a shared code)."""
        status, left = MessageStatus.for_agent, False
        waiting = turn.state == ConversationState.waiting_agent
        if isinstance(turn.instead, AnswerWith):
            replies.append(Reply(text=turn.instead.text))
        elif waiting and wants_to_leave(turn.text):
            text = await run_in_threadpool(self.store.in_conversation, conversation_id, leave_queue)
            if text is not None:  # else an agent claimed it meanwhile: the message is theirs
                replies.append(Reply(text=text))
                status, left = MessageStatus.answered, True
        elif waiting:
            ack = await run_in_threadpool(
                self.store.in_conversation, conversation_id, partial(acknowledgement, settings=self._settings)
            )
            replies += [Reply(text=ack)] if ack else []
        if not replies:
            await run_in_threadpool(self.store.set_status, message_id, MessageStatus.for_agent)
            return Answered([], bot_available=True)
        answered = await self._store_answer(conversation_id, message_id, status, "system", replies, turn)
        if left:
            await self.announce_state(conversation_id)
        return answered

    async def _store_answer(
        self,
        conversation_id: str,
        message_id: int,
        status: str,
        author: str,
        replies: list[Reply],
        turn: Turn,
    ) -> Answered:
        stored = await run_in_threadpool(
            self.store.store_outbound, conversation_id, (message_id, status), author, replies
        )
        assert stored is not None  # the message being answered belongs to the conversation
        await self._fanout.delivered(conversation_id, stored)
        bot_replies = len(stored.views) if author == "bot" else 0
        metrics.observe_reply(turn.channel, turn.received_at, utcnow(), bot_replies=bot_replies)
        return Answered(stored.replies, bot_available=status != MessageStatus.bot_unavailable)
