"""Handoff through the real gateway: a customer asks for a human on the widget or WhatsApp, agents work the
conversation through the console API, the customer hears them on their own channel."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from starlette.websockets import WebSocketDisconnect

from bot.handoff import csat
from bot.handoff.desk import CLOSING_GREETING, RETURNED_TO_BOT_TEXT
from bot.store import db
from bot.store.models import AgentSession, Conversation, ConversationEvent, utcnow
from tests.bot.channels.test_whatsapp import inbound, post_signed
from tests.bot.console.conftest import Console, texts, widget_hello, widget_say, widget_turn
from tests.fakes.rasa_server import FakeRasa
from tests.fakes.twilio_api import FakeTwilio


def state_of(conversation_id: str) -> tuple[str, str | None]:
    with db.session_scope() as session:
        c = session.scalars(select(Conversation).where(Conversation.public_id == conversation_id)).one()
        return c.state, c.agent.username if c.agent else None


def test_login_wrong_password_and_rate_limit(app_client: TestClient) -> None:
    wrong = {"username": "dewi", "password": "salah-sekali"}
    for _ in range(5):
        assert app_client.post("/api/agent/login", json=wrong).status_code == 401
    limited = app_client.post("/api/agent/login", json={"username": "dewi", "password": "dewi-demo-123"})
    assert limited.status_code == 429  # even the right password waits now
    assert int(limited.headers["Retry-After"]) > 0
    other = app_client.post("/api/agent/login", json={"username": "budi", "password": "budi-demo-123"})
    assert other.status_code == 200


def test_unknown_user_is_refused_like_a_wrong_password(app_client: TestClient) -> None:
    response = app_client.post("/api/agent/login", json={"username": "nobody", "password": "whatever-123"})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong username or password"


def test_every_agent_route_needs_a_session_and_changes_need_the_csrf_token(
    app_client: TestClient, console: Callable[[str], Console]
) -> None:
    for path in ("/api/agent/me", "/api/agent/conversations", "/api/agent/agents", "/api/agent/returns"):
        assert app_client.get(path).status_code == 401, path
    dewi = console("dewi")
    assert dewi.get("/api/agent/me").json()["agent"]["username"] == "dewi"
    no_csrf = dewi.client.post("/api/agent/logout")
    assert no_csrf.status_code == 403
    wrong_csrf = dewi.client.post("/api/agent/logout", headers={"X-CSRF-Token": "nope"})
    assert wrong_csrf.status_code == 403


def test_an_expired_session_is_refused(console: Callable[[str], Console]) -> None:
    dewi = console("dewi")
    with db.session_scope() as session:
        session.execute(update(AgentSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert dewi.get("/api/agent/me").status_code == 401


def test_logout_ends_the_session(console: Callable[[str], Console]) -> None:
    dewi = console("dewi")
    assert dewi.post("/api/agent/logout").status_code == 204
    assert dewi.get("/api/agent/me").status_code == 401


def test_widget_customer_to_agent_and_back_to_the_bot(
    app_client: TestClient, console: Callable[[str], Console], rasa: FakeRasa
) -> None:
    dewi = console("dewi")
    with app_client.websocket_connect("/ws/chat") as ws:
        widget_hello(ws)
        frames = widget_say(ws, "kak saya mau bicara dengan CS", "c1")
        said = texts(frames)
        assert said[0] == "Baik Kak, permintaan Kakak sudah kami catat."
        assert "antrean" in said[1]
        assert "urutan ke-1" in said[1]  # the wording depends on the hour; the place does not
        assert all("custom" not in f for f in frames)
        [queued] = dewi.get("/api/agent/conversations?view=queue").json()
        conversation_id = queued["id"]
        assert (queued["channel"], queued["handoff_reason"]) == ("widget", "customer_request")
        assert {"type": "state", "state": "waiting_agent", "agent": None} in frames

        asked = len(rasa.received)
        acknowledged = texts(widget_say(ws, "halo? ada orang?", "c2"))
        assert len(rasa.received) == asked  # while waiting, the bot stays silent
        assert ["akan dibaca oleh CS" in t for t in acknowledged] == [True]  # and the customer hears so

        claimed = dewi.post(f"/api/agent/conversations/{conversation_id}/claim")
        assert claimed.status_code == 200
        assert [m["text"] for m in claimed.json()["messages"][-2:]] == ["halo? ada orang?", acknowledged[0]]
        pushed = [ws.receive_json(), ws.receive_json()]
        assert pushed[0]["text"].startswith("Kakak sekarang terhubung dengan Dewi")
        assert pushed[1] == {"type": "state", "state": "with_agent", "agent": "Dewi"}

        sent = dewi.post(
            f"/api/agent/conversations/{conversation_id}/messages", {"text": "Halo Kak, saya Dewi."}
        )
        assert sent.status_code == 200
        reply = ws.receive_json()
        assert (reply["author"], reply["text"]) == ("agent:dewi", "Halo Kak, saya Dewi.")
        note = dewi.post(f"/api/agent/conversations/{conversation_id}/notes", {"text": "pelanggan lama"})
        assert note.status_code == 200

        released = dewi.post(f"/api/agent/conversations/{conversation_id}/release")
        assert released.status_code == 200
        assert ws.receive_json()["text"] == RETURNED_TO_BOT_TEXT
        assert ws.receive_json() == {"type": "state", "state": "bot", "agent": None}
        assert texts(widget_say(ws, "cek pesanan", "c3")) == ["Kamu bilang: cek pesanan"]
        with app_client.websocket_connect("/ws/chat") as stranger:
            assert widget_hello(stranger)["history"] == []  # another session sees nothing of this one

    detail = dewi.get(f"/api/agent/conversations/{conversation_id}").json()
    assert [n["text"] for n in detail["notes"]] == ["pelanggan lama"]
    assert all("pelanggan lama" not in (m["text"] or "") for m in detail["messages"])
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds == ["handoff_requested", "queue_ack", "claimed", "returned_to_bot"]


def test_two_agents_claiming_at_once_one_wins(
    app_client: TestClient, console: Callable[[str], Console]
) -> None:
    widget_turn(app_client, "bicara dengan CS dong")
    dewi, budi = console("dewi"), console("budi")
    conversation_id = dewi.get("/api/agent/conversations").json()[0]["id"]
    first = dewi.post(f"/api/agent/conversations/{conversation_id}/claim")
    second = budi.post(f"/api/agent/conversations/{conversation_id}/claim")
    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["detail"] == "Percakapan ini sudah diambil oleh agent lain."
    assert budi.post(f"/api/agent/conversations/{conversation_id}/messages", {"text": "x"}).status_code == 409
    assert state_of(conversation_id) == ("with_agent", "dewi")


def test_whatsapp_customer_hears_the_agent_and_the_closing_summary(
    app_client: TestClient, console: Callable[[str], Console], twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    post_signed(app_client, twilio, inbound("mau bicara dengan CS", sid="SM" + "1" * 32))
    queued = twilio.wait_for(2)
    assert "urutan ke-1" in (queued[1].body or "")
    dewi = console("dewi")
    [waiting] = dewi.get("/api/agent/conversations").json()
    assert waiting["customer"] == "WhatsApp +62812****7890"
    conversation_id = waiting["id"]
    dewi.post(f"/api/agent/conversations/{conversation_id}/claim")
    dewi.post(f"/api/agent/conversations/{conversation_id}/messages", {"text": "Ada yang bisa dibantu, Kak?"})
    sent = twilio.wait_for(4)
    assert sent[3].body == "Ada yang bisa dibantu, Kak?"
    assert sent[3].to == "whatsapp:+6281234567890"

    post_signed(app_client, twilio, inbound("paket saya belum sampai", sid="SM" + "2" * 32))
    time.sleep(0.3)
    assert all(r["message"] != "paket saya belum sampai" for r in rasa.received)
    detail = dewi.get(f"/api/agent/conversations/{conversation_id}").json()
    assert detail["messages"][-1]["text"] == "paket saya belum sampai"

    closed = dewi.post(
        f"/api/agent/conversations/{conversation_id}/close",
        {"summary": "Ringkasan: paket sedang kami cek ke kurir, kabar menyusul hari ini."},
    )
    assert closed.status_code == 200
    summary = twilio.wait_for(5)[4].body or ""
    assert summary.startswith("Ringkasan: paket sedang kami cek")
    assert summary.endswith(CLOSING_GREETING)
    assert state_of(conversation_id) == ("closed", None)
    question = twilio.wait_for(6)[5].body or ""
    assert question.startswith(csat.QUESTION_TEXT)
    assert "1. 1 - Sangat kecewa" in question
    assert "5. 5 - Sangat puas" in question

    # ignoring the question changes nothing: the next message is the bot's, and reopens the conversation
    post_signed(app_client, twilio, inbound("satu lagi kak", sid="SM" + "3" * 32))
    assert twilio.wait_for(7)[6].body == "Kamu bilang: satu lagi kak"
    assert state_of(conversation_id) == ("bot", None)
    post_signed(app_client, twilio, inbound("5", sid="SM" + "4" * 32))  # too late to be a rating
    assert twilio.wait_for(8)[7].body == "Kamu bilang: 5"
    assert ratings(conversation_id) == []


def ratings(conversation_id: str) -> list[dict[str, object]]:
    with db.session_scope() as session:
        c = session.scalars(select(Conversation).where(Conversation.public_id == conversation_id)).one()
        events = session.scalars(
            select(ConversationEvent).where(
                ConversationEvent.conversation_id == c.id, ConversationEvent.kind == "csat"
            )
        ).all()
        return [dict(e.detail or {}) for e in events]


def test_a_customer_rates_the_agent_after_the_close_on_whatsapp_and_in_the_widget(
    app_client: TestClient, console: Callable[[str], Console], twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    post_signed(app_client, twilio, inbound("mau bicara dengan CS", sid="SM" + "5" * 32))
    twilio.wait_for(2)
    dewi = console("dewi")
    [waiting] = dewi.get("/api/agent/conversations").json()
    whatsapp = waiting["id"]
    dewi.post(f"/api/agent/conversations/{whatsapp}/claim")
    dewi.post(f"/api/agent/conversations/{whatsapp}/close", {"summary": "Sudah beres ya, Kak."})
    assert (twilio.wait_for(5)[4].body or "").startswith(csat.QUESTION_TEXT)
    # the number of the list item, with a comment after it
    post_signed(app_client, twilio, inbound("4, cepat tapi antre lama", sid="SM" + "6" * 32))
    assert twilio.wait_for(6)[5].body == csat.THANKS_TEXT
    assert ratings(whatsapp) == [{"rating": 4, "comment": "cepat tapi antre lama", "agent": "agent:dewi"}]
    assert state_of(whatsapp) == ("closed", None)  # a rating does not reopen the conversation
    assert all(r["message"] not in ("4", "4, cepat tapi antre lama") for r in rasa.received)
    events = dewi.get(f"/api/agent/conversations/{whatsapp}").json()["events"]
    assert [e["detail"]["rating"] for e in events if e["kind"] == "csat"] == [4]

    with app_client.websocket_connect("/ws/chat") as ws:
        token = widget_hello(ws)["token"]
        widget_say(ws, "mau bicara dengan CS", "c1")
        [queued] = [c for c in dewi.get("/api/agent/conversations").json() if c["id"] != whatsapp]
        dewi.post(f"/api/agent/conversations/{queued['id']}/claim")
        dewi.post(f"/api/agent/conversations/{queued['id']}/close", {"summary": "Selesai, Kak."})
        frames = []
        while not any(f.get("buttons") for f in frames if f.get("type") == "message"):
            frames.append(ws.receive_json())
        asked = [f for f in frames if f.get("type") == "message" and f.get("buttons")][-1]
        assert [b["title"] for b in asked["buttons"]][-1] == "5 - Sangat puas"
        assert texts(widget_say(ws, "5 - Sangat puas", "c2")) == [csat.THANKS_TEXT]
    assert token
    assert ratings(queued["id"]) == [{"rating": 5, "comment": "", "agent": "agent:dewi"}]


def test_a_rest_customer_rates_the_agent_after_the_close(
    app_client: TestClient, console: Callable[[str], Console], rasa: FakeRasa
) -> None:
    """REST is request/response: the question reaches an integrator through the transcript, and the
    customer's next message, if it is a rating, is taken as one."""
    rest = "/webhooks/rest/webhook"
    app_client.post(rest, json={"sender": "r1", "message": "mau bicara dengan CS"})
    dewi = console("dewi")
    [waiting] = dewi.get("/api/agent/conversations").json()
    dewi.post(f"/api/agent/conversations/{waiting['id']}/claim")
    dewi.post(f"/api/agent/conversations/{waiting['id']}/close", {"summary": "Sudah beres, Kak."})
    heard = len(rasa.received)
    [thanks] = app_client.post(rest, json={"sender": "r1", "message": "3 lumayan"}).json()
    assert thanks["text"] == csat.THANKS_TEXT
    assert len(rasa.received) == heard  # a rating is not a turn for the bot
    assert ratings(waiting["id"]) == [{"rating": 3, "comment": "lumayan", "agent": "agent:dewi"}]
    assert state_of(waiting["id"]) == ("closed", None)


def test_only_the_holder_or_a_supervisor_may_release_or_transfer(
    app_client: TestClient, console: Callable[[str], Console]
) -> None:
    widget_turn(app_client, "bicara dengan CS")
    dewi, budi, sari = console("dewi"), console("budi"), console("sari")
    conversation_id = dewi.get("/api/agent/conversations").json()[0]["id"]
    dewi.post(f"/api/agent/conversations/{conversation_id}/claim")
    assert budi.post(f"/api/agent/conversations/{conversation_id}/release").status_code == 409
    moved = sari.post(f"/api/agent/conversations/{conversation_id}/transfer", {"to": "budi"})
    assert moved.status_code == 200
    assert state_of(conversation_id) == ("with_agent", "budi")
    assert [c["id"] for c in budi.get("/api/agent/conversations?view=mine").json()] == [conversation_id]
    assert dewi.get("/api/agent/conversations?view=mine").json() == []


def test_illegal_transitions_are_409(app_client: TestClient, console: Callable[[str], Console]) -> None:
    widget_turn(app_client, "halo")  # the bot has it: nothing to claim
    dewi = console("dewi")
    [active] = dewi.get("/api/agent/conversations?view=active").json()
    assert dewi.post(f"/api/agent/conversations/{active['id']}/claim").status_code == 409
    assert dewi.post(f"/api/agent/conversations/{active['id']}/close", {"summary": "x"}).status_code == 409
    assert dewi.post("/api/agent/conversations/nope/claim").status_code == 404


def test_consoles_hear_the_queue_and_the_messages_live(
    app_client: TestClient, console: Callable[[str], Console]
) -> None:
    dewi = console("dewi")
    with dewi.client.websocket_connect("/ws/agent") as feed:
        assert feed.receive_json() == {"type": "hello", "agent": "dewi"}
        widget_turn(app_client, "bicara dengan CS")
        frames = [feed.receive_json() for _ in range(5)]
    kinds = [f["type"] for f in frames]
    assert kinds.count("message") == 3  # the customer's message, the bot's, the queue text
    assert {"type": "queue"} in frames
    assert any(f["type"] == "conversation" and f["state"] == "waiting_agent" for f in frames)


def test_the_console_socket_needs_a_session_and_the_same_origin(
    app_client: TestClient, console: Callable[[str], Console]
) -> None:
    with pytest.raises(WebSocketDisconnect) as no_session, app_client.websocket_connect("/ws/agent") as ws:
        ws.receive_json()
    assert no_session.value.code == 4401
    dewi = console("dewi")
    evil = {"Origin": "https://evil.example"}
    with (
        pytest.raises(WebSocketDisconnect) as cross_site,
        dewi.client.websocket_connect("/ws/agent", headers=evil) as ws,
    ):
        ws.receive_json()
    assert cross_site.value.code == 4403
