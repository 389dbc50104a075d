"""The conversation state machine: every allowed transition, every refused one, and the claim race on SQLite
and PostgreSQL."""

from __future__ import annotations

import itertools
import threading
import uuid

import pytest
from sqlalchemy import select, update

from bot.handoff import desk
from bot.handoff.agents import create_agent
from bot.handoff.states import TRANSITIONS, IllegalTransition, transition
from bot.store import db
from bot.store.models import Agent, Conversation, ConversationEvent
from bot.store.models import ConversationState as S


def _conversation(state: S, agent: str | None = None) -> int:
    with db.session_scope() as session:
        conversation = Conversation(channel="widget", external_id=uuid.uuid4().hex, state=state)
        if agent:
            conversation.agent_id = session.scalars(select(Agent.id).where(Agent.username == agent)).one()
        session.add(conversation)
        session.flush()
        return conversation.id


def _agents(*names: str) -> None:
    with db.session_scope() as session:
        for name in names:
            create_agent(session, username=name, name=name.title(), password=f"{name}-password-1")


@pytest.mark.parametrize(("current", "wanted"), sorted(TRANSITIONS))
def test_every_allowed_transition_is_made_and_recorded(database_url: str, current: S, wanted: S) -> None:
    _agents("dewi", "budi")
    conversation_id = _conversation(current, "dewi" if current == S.with_agent else None)
    with db.session_scope() as session:
        conversation = session.get_one(Conversation, conversation_id)
        budi = session.scalars(select(Agent).where(Agent.username == "budi")).one()
        transition(
            session,
            conversation,
            wanted,
            actor="agent:budi",
            reason="test",
            agent=budi if wanted == S.with_agent else None,
        )
    with db.session_scope() as session:
        conversation = session.get_one(Conversation, conversation_id)
        assert conversation.state == wanted
        assert (conversation.agent_id is not None) == (wanted == S.with_agent)
        assert (conversation.waiting_since is not None) == (wanted == S.waiting_agent)
        [event] = session.scalars(select(ConversationEvent)).all()
        assert event.kind == TRANSITIONS[(current, wanted)]
        assert (event.actor, event.detail["from"], event.detail["to"]) == ("agent:budi", current, wanted)


REFUSED = sorted(set(itertools.product(S, S)) - set(TRANSITIONS))


@pytest.mark.parametrize(("current", "wanted"), REFUSED)
def test_every_other_transition_is_refused_and_changes_nothing(
    database_url: str, current: S, wanted: S
) -> None:
    _agents("dewi")
    conversation_id = _conversation(current, "dewi" if current == S.with_agent else None)
    with db.session_scope() as session:
        conversation = session.get_one(Conversation, conversation_id)
        dewi = session.scalars(select(Agent)).one()
        with pytest.raises(IllegalTransition):
            transition(session, conversation, wanted, actor="system", agent=dewi)
    with db.session_scope() as session:
        assert session.get_one(Conversation, conversation_id).state == current
        assert session.scalars(select(ConversationEvent)).all() == []


def test_a_stale_read_cannot_overwrite_a_newer_state(database_url: str) -> None:
    """Read in waiting_agent, changed meanwhile by someone else: the update finds nothing to change."""
    _agents("dewi")
    conversation_id = _conversation(S.waiting_agent)
    with db.session_scope() as session:
        stale = session.get_one(Conversation, conversation_id)
        assert stale.state == S.waiting_agent
        with db.session_scope() as other:
            other.execute(update(Conversation).values(state=S.bot))
        dewi = session.scalars(select(Agent)).one()
        with pytest.raises(IllegalTransition):
            transition(session, stale, S.with_agent, actor="agent:dewi", agent=dewi)


def _race(conversation_id: int, names: list[str]) -> dict[str, str]:
    """Each agent claims in its own thread and transaction, released together."""
    barrier = threading.Barrier(len(names))
    outcome: dict[str, str] = {}

    def claim(name: str) -> None:
        try:
            with db.session_scope() as session:
                conversation = session.get_one(Conversation, conversation_id)
                agent = session.scalars(select(Agent).where(Agent.username == name)).one()
                assert conversation.state == S.waiting_agent  # both read it free
                barrier.wait(timeout=10)
                desk.claim(session, conversation, agent)
            outcome[name] = "won"
        except IllegalTransition:
            outcome[name] = "refused"

    threads = [threading.Thread(target=claim, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcome


def _claim_race() -> None:
    names = ["dewi", "budi", "sari"]
    _agents(*names)
    for _ in range(3):
        conversation_id = _conversation(S.waiting_agent)
        outcome = _race(conversation_id, names)
        assert sorted(outcome.values()) == ["refused", "refused", "won"], outcome
        with db.session_scope() as session:
            conversation = session.get_one(Conversation, conversation_id)
            winner = next(name for name, result in outcome.items() if result == "won")
            assert (conversation.state, conversation.agent.username) == (S.with_agent, winner)
            claims = session.scalars(
                select(ConversationEvent).where(
                    ConversationEvent.conversation_id == conversation_id, ConversationEvent.kind == "claimed"
                )
            ).all()
            assert len(claims) == 1
        with db.session_scope() as session:  # next round: a fresh conversation
            session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(external_id=f"done-{conversation_id}")
            )


def test_three_agents_claim_at_once_on_sqlite_and_exactly_one_wins(database_url: str) -> None:
    _claim_race()


@pytest.mark.postgres
def test_three_agents_claim_at_once_on_postgres_and_exactly_one_wins(postgres_url: str) -> None:
    _claim_race()
