"""A customer waiting for a human is never left in silence nor spammed, whatever the day and hour: the
clock is pinned (CLOCK_OVERRIDE) to a Saturday night and to a weekday morning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import Settings
from bot.conversations.texts import EMPTY_MESSAGE_TEXT
from bot.handoff.desk import LEFT_QUEUE_TEXT, due_reminders
from bot.services.timefmt import JAKARTA
from bot.store import db
from bot.store.models import Conversation, ConversationEvent, Message
from tests.bot.channels.test_whatsapp import inbound, post_signed
from tests.bot.console.conftest import Console, texts, widget_hello, widget_say
from tests.fakes.rasa_server import FakeRasa
from tests.fakes.twilio_api import FakeTwilio

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


def _later(minutes: float) -> None:
    """Let `minutes` pass for the queue: every wait and queue event moves that far into the past."""
    with db.session_scope() as session:
        for conversation in session.scalars(select(Conversation)):
            if conversation.waiting_since is not None:
                conversation.waiting_since -= timedelta(minutes=minutes)
        for event in session.scalars(select(ConversationEvent)):
            event.created_at -= timedelta(minutes=minutes)


def _remind(settings: Settings) -> list[str]:
    with db.session_scope() as session:
        return [text for _, text in due_reminders(session, settings)]


def test_out_of_hours_nobody_is_reminded_and_batal_returns_to_the_bot(
    make_settings: Callable[..., Settings], agents: None, rasa: FakeRasa
) -> None:
    settings = make_settings(
        environment="test", clock_override=SATURDAY_NIGHT, handoff_reminder_minutes=1, handoff_ack_minutes=0
    )
    rest = "/webhooks/rest/webhook"
    with TestClient(create_app(settings)) as client:
        Console(client.app, "dewi", "dewi-demo-123")  # someone online does not make it CS hours
        queued = client.post(rest, json={"sender": "s1", "message": "mau bicara dengan CS"}).json()
        for _ in range(5):  # several intervals, nothing unprompted
            _later(10)
            assert _remind(settings) == []
        [ack] = client.post(rest, json={"sender": "s1", "message": "kak tolong batalkan pesanan saya"}).json()
        asked = len(rasa.received)
        [left] = client.post(rest, json={"sender": "s1", "message": "gak jadi deh kak"}).json()
        heard_by_bot = len(rasa.received)
        answered = client.post(rest, json={"sender": "s1", "message": "cara bayar pakai OVO"}).json()
    assert "Senin, 7 Des 2026 pukul 08.00 WIB" in queued[-1]["text"]
    assert "tinggalkan pesan" in queued[-1]["text"]
    assert "akan dibaca oleh CS" in ack["text"]  # a request for the agent, not a way out of the queue
    assert left["text"] == LEFT_QUEUE_TEXT
    assert heard_by_bot == asked  # the queue was left by the gateway, not by the bot
    assert answered == [{"recipient_id": "s1", "text": "Kamu bilang: cara bayar pakai OVO"}]
    with db.session_scope() as session:
        conversation = session.scalars(select(Conversation)).one()
        events = session.scalars(select(ConversationEvent).order_by(ConversationEvent.id)).all()
        for_agent = session.scalars(select(Message.text).where(Message.status == "for_agent")).all()
    assert conversation.state == "bot"
    assert not [e for e in events if e.kind == "queue_reminder"]
    left_event = [e for e in events if e.actor == "customer" and e.kind == "returned_to_bot"]
    assert len(left_event) == 1
    assert for_agent == ["kak tolong batalkan pesanan saya"]  # kept for the agents


def test_in_hours_reminders_come_less_often_and_stop_at_the_cap(
    make_settings: Callable[..., Settings], agents: None
) -> None:
    settings = make_settings(
        environment="test", clock_override=WEEKDAY_MORNING, handoff_reminder_minutes=1, handoff_reminder_max=3
    )
    with TestClient(create_app(settings)) as client:
        client.post("/webhooks/rest/webhook", json={"sender": "s1", "message": "mau bicara dengan CS"})
        assert _remind(settings) == []  # nobody online yet: nobody to wait for
        Console(client.app, "dewi", "dewi-demo-123")
        heard = []
        for minutes in (1, 1, 1, 2, 4, 60, 600):  # due after 1, then 2, then 4 more minutes; then never
            _later(minutes)
            heard.append(_remind(settings))
    assert [len(texts) for texts in heard] == [1, 0, 1, 0, 1, 0, 0]
    assert "Mohon maaf menunggu" in heard[0][0]
    assert "urutan ke-1" in heard[0][0]
    with db.session_scope() as session:
        assert (
            session.scalar(select(Message.id).where(Message.text == heard[0][0])) is None
        )  # the job sends it


def test_a_whatsapp_customer_silent_for_over_24_hours_gets_no_queue_reminder(
    make_settings: Callable[..., Settings], agents: None, twilio: FakeTwilio
) -> None:
    """Outside WhatsApp's 24-hour window only an agent's reply may go out (through the approved template);
    a queue notice waits until the customer writes again."""
    settings = make_settings(
        environment="test",
        clock_override=WEEKDAY_MORNING,
        handoff_reminder_minutes=1,
        twilio_template_sid="HX" + "e" * 32,
    )
    with TestClient(create_app(settings)) as client:
        Console(client.app, "dewi", "dewi-demo-123")
        post_signed(client, twilio, inbound("mau bicara dengan CS", sid="SM" + "7" * 32))
        twilio.wait_for(1)  # the queue message: the customer is waiting
        _later(2)
        assert len(_remind(settings)) == 1  # inside the window the first reminder is due
        with db.session_scope() as session:
            for message in session.scalars(select(Message)):
                message.created_at -= timedelta(hours=25)
        _later(60)
        assert _remind(settings) == []
        post_signed(client, twilio, inbound("halo kak masih nunggu", sid="SM" + "8" * 32))
        twilio.wait_for(2)  # acknowledged
        _later(60)
        assert len(_remind(settings)) == 1  # the customer wrote: the window is open again
