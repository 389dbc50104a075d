"""A customer waiting for a human is never left in silence nor spammed, whatever the day and hour: the
clock is pinned (CLOCK_OVERRIDE) to a Saturday night and to a weekday morning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import Settings
from bot.router import EMPTY_MESSAGE_TEXT
from bot.services.timefmt import JAKARTA
from bot.store import db
from bot.store.models import ConversationEvent, Message
from tests.bot.handoff.conftest import texts, widget_hello, widget_say
from tests.fakes.rasa_server import FakeRasa

SATURDAY_NIGHT = datetime(2026, 12, 5, 21, 30, tzinfo=JAKARTA)
WEEKDAY_MORNING = datetime(2026, 12, 7, 9, 0, tzinfo=JAKARTA)


@pytest.mark.parametrize("when", [SATURDAY_NIGHT, WEEKDAY_MORNING], ids=["saturday-night", "weekday-morning"])
def test_a_burst_while_waiting_gets_one_acknowledgement_and_reaches_the_agents(
    make_settings: Callable[..., Settings], agents: None, rasa: FakeRasa, when: datetime
) -> None:
    settings = make_settings(environment="test", clock_override=when)
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws/chat") as ws:
        widget_hello(ws)
        queued = texts(widget_say(ws, "mau bicara dengan CS", "c1"))
        asked = len(rasa.received)
        first = texts(widget_say(ws, "halo? ada orang?", "c2"))
        second = texts(widget_say(ws, "tolong dibalas ya", "c3"))
    assert "urutan ke-1" in queued[-1]
    [ack] = first
    assert "akan dibaca oleh CS" in ack
    assert "urutan ke-1" in ack
    if when == SATURDAY_NIGHT:
        assert "Senin, 7 Des 2026 pukul 08.00 WIB" in ack  # honest about when CS opens
    else:
        assert "Senin" not in ack
    assert second == []  # one acknowledgement per burst
    assert len(rasa.received) == asked  # the bot stays out of it
    with db.session_scope() as session:
        stored = session.scalars(select(Message.status).where(Message.text == "tolong dibalas ya")).all()
        acks = session.scalars(select(ConversationEvent).where(ConversationEvent.kind == "queue_ack")).all()
    assert stored == ["for_agent"]
    assert len(acks) == 1


def test_with_no_burst_window_every_message_is_answered(
    make_settings: Callable[..., Settings], agents: None
) -> None:
    settings = make_settings(environment="test", clock_override=SATURDAY_NIGHT, handoff_ack_minutes=0)
    with TestClient(create_app(settings)) as client:
        rest = "/webhooks/rest/webhook"
        client.post(rest, json={"sender": "s1", "message": "mau bicara dengan CS"})
        for text in ("halo", "ada orang?"):
            [reply] = client.post(rest, json={"sender": "s1", "message": text}).json()
            assert "akan dibaca oleh CS" in reply["text"]
        [unreadable] = client.post(rest, json={"sender": "s1", "message": "   "}).json()
        assert unreadable["text"] == EMPTY_MESSAGE_TEXT  # asked to type it again, in the queue too
