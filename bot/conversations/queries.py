"""The reads of conversations and messages: a turn's next message and its replies, where a conversation is,
the pending ones after a restart, and the widget's history.

Blocking (SQLAlchemy sessions): async callers run these methods in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversations.types import Received, Reply, RouteResult, message_view
from bot.store.models import Conversation, Direction, Message, MessageStatus

# Statements every turn runs, built once: building a select (its comparisons and coercions) cost SQLAlchemy
# more than executing it, about a tenth of the gateway's CPU per message (docs/adr/0014). Parameters by name.
_CONVERSATION_BY_PUBLIC_ID = select(Conversation).where(Conversation.public_id == bindparam("conversation"))


@dataclass(frozen=True)
class History:
    """What a reconnecting client is shown."""

    conversation_id: str | None
    views: list[dict[str, Any]]
    pending: bool  # a stored customer message is not answered yet (the gateway stopped mid-way)
    state: str = "bot"
    agent: str | None = None  # the display name of the agent who has the conversation


@dataclass(frozen=True)
class StateOf:
    channel: str
    state: str
    agent_name: str | None
    agent_username: str | None


class ConversationReads:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    @staticmethod
    def _conversation(session: Session, conversation_id: str) -> Conversation | None:
        return session.scalar(_CONVERSATION_BY_PUBLIC_ID, {"conversation": conversation_id})

    def replies_to(self, received: Received) -> RouteResult:
        with self._session_factory() as session:
            status = session.get_one(Message, received.message_id).status
            stored = session.scalars(
                select(Message).where(Message.reply_to_id == received.message_id).order_by(Message.id)
            )
            replies = [Reply.stored(m) for m in stored]
        return RouteResult(received.conversation_id, replies, status != MessageStatus.bot_unavailable)

    def state_of(self, conversation_id: str) -> StateOf | None:
        with self._session_factory() as session:
            conversation = self._conversation(session, conversation_id)
            if conversation is None:
                return None
            agent = conversation.agent
            return StateOf(
                conversation.channel,
                conversation.state,
                agent.name if agent else None,
                agent.username if agent else None,
            )

    def pending_conversations(self, channels: list[str], stored_before: datetime | None = None) -> list[str]:
        """Conversations of these channels holding a stored message not yet answered (stored before
        `stored_before`, if given)."""
        query = (
            select(Conversation.public_id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.status == MessageStatus.received, Conversation.channel.in_(channels))
        )
        if stored_before is not None:
            query = query.where(Message.created_at < stored_before)
        with self._session_factory() as session:
            return list(session.scalars(query.distinct()))

    def exists(self, channel: str, external_id: str) -> bool:
        with self._session_factory() as session:
            found = session.scalar(
                select(Conversation.id).where(
                    Conversation.channel == channel, Conversation.external_id == external_id
                )
            )
            return found is not None

    def history(self, channel: str, external_id: str, after: int, limit: int) -> History:
        """The newest `limit` messages after the id `after`, oldest first, and where the conversation is."""
        with self._session_factory() as session:
            conversation = session.scalar(
                select(Conversation).where(
                    Conversation.channel == channel, Conversation.external_id == external_id
                )
            )
            if conversation is None:
                return History(None, [], False)
            rows = session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id, Message.id > after)
                .order_by(Message.id.desc())
                .limit(limit)
            ).all()
            pending = session.scalar(
                select(Message.id)
                .where(
                    Message.conversation_id == conversation.id,
                    Message.direction == Direction.inbound,
                    Message.status == MessageStatus.received,
                )
                .limit(1)
            )
            return History(
                conversation.public_id,
                [message_view(m) for m in reversed(rows)],
                pending is not None,
                conversation.state,
                conversation.agent.name if conversation.agent else None,
            )
