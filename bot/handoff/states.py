"""The conversation state machine: one table of allowed transitions; every change is an event row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.infra.metrics import HANDOFFS
from bot.services.errors import ServiceError
from bot.store.models import Agent, Conversation, ConversationEvent, utcnow
from bot.store.models import ConversationState as S

# (from, to) -> the event kind recorded for it
TRANSITIONS: dict[tuple[S, S], str] = {
    (S.bot, S.waiting_agent): "handoff_requested",
    (S.waiting_agent, S.with_agent): "claimed",
    (S.waiting_agent, S.bot): "returned_to_bot",
    (S.waiting_agent, S.closed): "closed",
    (S.with_agent, S.with_agent): "transferred",
    (S.with_agent, S.bot): "returned_to_bot",
    (S.with_agent, S.closed): "closed",
    (S.closed, S.bot): "reopened",
}


class IllegalTransition(ServiceError):
    """The conversation is not in a state that allows this change (e.g. claimed by someone else); the
    message is what the agent reads (the API answers 409 with it)."""

    def __init__(self, current: str, wanted: str) -> None:
        if current == S.with_agent and wanted == S.with_agent:
            message = "Percakapan ini sudah diambil oleh agent lain."
        else:
            message = f"Tidak bisa: percakapan sedang berstatus {current}."
        super().__init__(message)
        self.current, self.wanted = current, wanted


def transition(
    session: Session,
    conversation: Conversation,
    to: S,
    *,
    actor: str,
    reason: str | None = None,
    agent: Agent | None = None,
    detail: dict[str, Any] | None = None,
) -> ConversationEvent:
    """Move the conversation to `to` and record who, when and why; raises IllegalTransition.

    The change is one conditional UPDATE on the state (and agent) the conversation was read with, so of two
    agents claiming at once exactly one wins, on SQLite and PostgreSQL alike.
    """
    current = S(conversation.state)
    kind = TRANSITIONS.get((current, to))
    if kind is None:
        raise IllegalTransition(current, to)
    values: dict[str, Any] = {"state": to, "updated_at": utcnow()}
    if to == S.waiting_agent:
        values |= {"waiting_since": utcnow(), "handoff_reason": reason, "agent_id": None}
    elif to == S.with_agent:
        if agent is None:
            raise ValueError("an agent takes the conversation")
        values["agent_id"] = agent.id
    else:  # bot or closed: nobody waits, no agent holds it
        values |= {"waiting_since": None, "agent_id": None}
    changed = session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation.id,
            Conversation.state == current,
            Conversation.agent_id.is_(None)
            if conversation.agent_id is None
            else Conversation.agent_id == conversation.agent_id,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.expire(conversation)
        raise IllegalTransition(session.get_one(Conversation, conversation.id).state, to)
    session.expire(conversation)
    event = ConversationEvent(
        conversation_id=conversation.id,
        kind=kind,
        actor=actor,
        detail={
            "from": current.value,
            "to": to.value,
            **({"reason": reason} if reason else {}),
            **({"agent": agent.username} if agent is not None else {}),
            **(detail or {}),
        },
    )
    session.add(event)
    if to == S.waiting_agent:
        HANDOFFS.labels(reason or "lainnya").inc()
    return event
