"""The WhatsApp channel through the real gateway, with Twilio's API and Rasa played by local HTTP servers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import ColumnElement, func, select, update

from bot.app import create_app
from bot.channels.whatsapp import EMPTY_TWIML, LOCATION_TEXT, UNSUPPORTED_MEDIA_TEXT
from bot.config import Settings
from bot.conversations.texts import BOT_UNAVAILABLE_TEXT, MEDIA_ONLY_TEXT
from bot.conversations.types import Reply
from bot.services.complaints import file_complaint
from bot.services.orders import get_order_backend
from bot.services.timefmt import format_date
from bot.store import db
from bot.store.models import Conversation, ConversationEvent, Message, Outbox, utcnow
from tests.factories import a_return
from tests.fakes.rasa_server import LONG_TEXT, FakeRasa
from tests.fakes.twilio_api import FakeTwilio

PUBLIC = "https://cs.example.test"
CUSTOMER = "whatsapp:+6281234567890"
SHOP = "whatsapp:+14155238886"
AKSESTOKO_NUMBER = "+6281100000001"


@pytest.fixture
def make_settings(database_url: str, twilio: FakeTwilio, rasa: FakeRasa) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "rasa_url": rasa.url,
            "public_base_url": PUBLIC,
            "twilio_account_sid": twilio.account_sid,
            "twilio_auth_token": SecretStr(twilio.auth_token),
            "twilio_whatsapp_number": SHOP.removeprefix("whatsapp:"),
            "twilio_api_base_url": twilio.url,
            "whatsapp_brands": {AKSESTOKO_NUMBER: "aksestoko"},
            "outbox_retry_base_seconds": 0.05,
            "outbox_poll_seconds": 0.05,
            "gateway_api_token": SecretStr("integrator-secret"),
        }
        return Settings(**{**values, **overrides})

    return make


@pytest.fixture
def client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def inbound(body: str, sid: str = "SM" + "a" * 32, **fields: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": CUSTOMER,
        "To": SHOP,
        "Body": body,
        "NumMedia": "0",
        **fields,
    }


def post_signed(
    client: TestClient, twilio: FakeTwilio, params: dict[str, str], path: str = "/webhooks/whatsapp"
) -> Any:
    signature = twilio.sign(PUBLIC + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def count(model: type, *where: ColumnElement[bool]) -> int:
    with db.session_scope() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_a_signed_message_is_stored_answered_in_the_background_and_sent_through_twilio(
    client: TestClient, twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    response = post_signed(client, twilio, inbound("pesanan saya di mana?"))

    assert response.status_code == 200
    assert response.text == EMPTY_TWIML
    [sent] = twilio.wait_for(1)
    assert (sent.to, sent.from_, sent.body) == (CUSTOMER, SHOP, "Kamu bilang: pesanan saya di mana?")
    assert sent.status_callback == f"{PUBLIC}/webhooks/whatsapp/status"
    [to_rasa] = rasa.received
    assert to_rasa["metadata"]["verified_phone"] == "+6281234567890"
    assert to_rasa["metadata"]["channel"] == "whatsapp"
    assert "6281234567890" not in to_rasa["sender"]  # Rasa sees an opaque id, not the phone number
    wait_until(lambda: count(Outbox) == 1)
    with db.session_scope() as session:
        message = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert (message.external_id, message.status) == ("SM" + "a" * 32, "answered")
        row = session.scalars(select(Outbox)).one()
        wait_until(lambda: session.refresh(row) or row.status == "sent")
        assert row.provider_sid == sent.sid


@pytest.mark.parametrize(
    "signature",
    [None, "forged", "use-other-params"],
    ids=["missing", "wrong", "signed-for-other-fields"],
)
def test_unsigned_or_forged_requests_are_refused_and_nothing_is_stored(
    client: TestClient, twilio: FakeTwilio, rasa: FakeRasa, signature: str | None
) -> None:
    params = inbound("halo")
    headers = {}
    if signature == "forged":
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif signature == "use-other-params":
        headers["X-Twilio-Signature"] = twilio.sign(PUBLIC + "/webhooks/whatsapp", inbound("hai"))

    response = client.post("/webhooks/whatsapp", data=params, headers=headers)

    assert response.status_code == 403
    assert count(Message) == 0
    assert rasa.received == []


def test_a_signature_for_another_host_is_refused(client: TestClient, twilio: FakeTwilio) -> None:
    params = inbound("halo")
    signature = twilio.sign("https://attacker.example/webhooks/whatsapp", params)
    response = client.post("/webhooks/whatsapp", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_a_signed_request_that_is_not_a_whatsapp_message_is_a_400(
    client: TestClient, twilio: FakeTwilio
) -> None:
    assert post_signed(client, twilio, {"Body": "tanpa MessageSid", "From": CUSTOMER}).status_code == 400
    assert post_signed(client, twilio, inbound("halo", From="+6281234567890")).status_code == 400
    assert post_signed(client, twilio, inbound("x", NumMedia="dua")).status_code == 400
    # our own number is stored with the conversation: a To that is not a number (found by the fuzzer: 41
    # characters made PostgreSQL refuse the row, a 500) is refused before anything is stored
    assert post_signed(client, twilio, inbound("halo", To="whatsapp:" + "9" * 41)).status_code == 400
    assert post_signed(client, twilio, inbound("halo", To="whatsapp:toko kami")).status_code == 400
    assert count(Message) == 0


def test_a_retried_delivery_of_the_same_message_sid_is_processed_once(
    client: TestClient, twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    params = inbound("halo", sid="SM" + "b" * 32)
    assert post_signed(client, twilio, params).status_code == 200
    twilio.wait_for(1)
    assert post_signed(client, twilio, params).status_code == 200
    time.sleep(0.3)

    assert len(rasa.received) == 1
    assert len(twilio.sent) == 1
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).where(Message.direction == "in")) == 1


def test_a_photo_reaches_the_bot_as_media_metadata(
    client: TestClient, twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    url = twilio.add_media("ME1", "image/jpeg", b"\xff\xd8\xff")
    post_signed(client, twilio, inbound("", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg"))

    twilio.wait_for(1)
    [to_rasa] = rasa.received
    assert to_rasa["message"] == MEDIA_ONLY_TEXT
    assert to_rasa["metadata"]["media"] == [{"url": url, "content_type": "image/jpeg"}]


def test_a_voice_note_gets_a_polite_refusal_without_bothering_the_bot(
    client: TestClient, twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    url = twilio.add_media("ME2", "audio/ogg", b"OggS")
    post_signed(client, twilio, inbound("", NumMedia="1", MediaUrl0=url, MediaContentType0="audio/ogg"))

    [sent] = twilio.wait_for(1)
    assert sent.body == UNSUPPORTED_MEDIA_TEXT
    assert rasa.received == []
    with db.session_scope() as session:
        assert session.scalars(select(Message.status).where(Message.direction == "in")).one() == "declined"


def test_a_location_is_politely_declined(client: TestClient, twilio: FakeTwilio, rasa: FakeRasa) -> None:
    post_signed(client, twilio, inbound("", Latitude="-6.2", Longitude="106.8"))
    [sent] = twilio.wait_for(1)
    assert sent.body == LOCATION_TEXT
    assert rasa.received == []


def test_a_3000_character_reply_is_split_at_paragraphs_and_sent_in_order(
    client: TestClient, twilio: FakeTwilio
) -> None:
    assert len(LONG_TEXT) > 3000
    post_signed(client, twilio, inbound("panjang"))

    sent = twilio.wait_for(2)
    time.sleep(0.2)
    assert len(twilio.sent) == 2
    assert all(len(m.body or "") <= 1600 for m in sent)
    assert (sent[0].body or "").startswith("Bagian 1.")
    assert (sent[1].body or "").endswith("ya, Kak.")
    assert "\n\n".join(m.body or "" for m in sent) == LONG_TEXT.strip()


def test_buttons_become_a_numbered_list_and_a_number_picks_the_button(
    client: TestClient, twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    post_signed(client, twilio, inbound("halo", sid="SM" + "1" * 32))
    [menu] = twilio.wait_for(1)
    assert "1. Cek pesanan\n2. Ajukan komplain" in (menu.body or "")

    post_signed(client, twilio, inbound("2", sid="SM" + "2" * 32))
    twilio.wait_for(2)
    assert rasa.received[-1]["message"] == "/file_complaint"

    post_signed(client, twilio, inbound("2", sid="SM" + "3" * 32))  # no menu open any more: just "2"
    twilio.wait_for(3)
    assert rasa.received[-1]["message"] == "2"


def test_twilio_down_then_up_the_outbox_delivers_everything_once_in_order(
    client: TestClient, twilio: FakeTwilio
) -> None:
    twilio.down = True
    post_signed(client, twilio, inbound("satu", sid="SM" + "c" * 32))
    post_signed(client, twilio, inbound("dua", sid="SM" + "d" * 32))
    wait_until(lambda: twilio.refused >= 3)
    with db.session_scope() as session:
        rows = session.scalars(select(Outbox).order_by(Outbox.id)).all()
        assert [r.status for r in rows] == ["pending", "pending"]
        assert rows[0].attempts >= 1
        assert "503" in (rows[0].last_error or "")

    twilio.down = False
    sent = twilio.wait_for(2)
    time.sleep(0.3)
    assert [m.body for m in twilio.sent] == ["Kamu bilang: satu", "Kamu bilang: dua"]
    assert [m.body for m in sent] == ["Kamu bilang: satu", "Kamu bilang: dua"]


def test_delivery_status_callbacks_are_recorded_and_never_go_backwards(
    client: TestClient, twilio: FakeTwilio
) -> None:
    post_signed(client, twilio, inbound("halo"))
    [sent] = twilio.wait_for(1)
    wait_until(lambda: count(Outbox) == 1)

    def status(value: str, sid: str = sent.sid, **extra: str) -> int:
        params = {"MessageSid": sid, "MessageStatus": value, "AccountSid": twilio.account_sid, **extra}
        return post_signed(client, twilio, params, "/webhooks/whatsapp/status").status_code

    def recorded() -> str | None:
        with db.session_scope() as session:
            return session.scalars(select(Outbox.delivery_status)).one()

    wait_until(lambda: recorded() == "queued")
    assert status("delivered") == 204
    assert status("sent") == 204  # arrives late
    assert recorded() == "delivered"
    assert status("read") == 204
    assert recorded() == "read"
    assert status("read", sid="SM" + "f" * 32) == 204  # not ours: ignored
    assert status("teleported") == 400
    forged = client.post(
        "/webhooks/whatsapp/status",
        data={"MessageSid": sent.sid, "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": "x"},
    )
    assert forged.status_code == 403
    assert recorded() == "read"


def test_a_failed_delivery_is_recorded_with_its_error_code(client: TestClient, twilio: FakeTwilio) -> None:
    post_signed(client, twilio, inbound("halo"))
    [sent] = twilio.wait_for(1)
    wait_until(lambda: count(Outbox, Outbox.provider_sid == sent.sid) == 1)  # Twilio's answer is recorded
    params = {"MessageSid": sent.sid, "MessageStatus": "undelivered", "ErrorCode": "63016"}
    assert post_signed(client, twilio, params, "/webhooks/whatsapp/status").status_code == 204
    with db.session_scope() as session:
        row = session.scalars(select(Outbox)).one()
        assert (row.delivery_status, row.delivery_error) == ("undelivered", "63016")


def test_the_number_written_to_pins_the_platform_and_replies_come_from_it(
    client: TestClient, twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    post_signed(client, twilio, inbound("halo", To=f"whatsapp:{AKSESTOKO_NUMBER}"))
    [sent] = twilio.wait_for(1)
    assert sent.from_ == f"whatsapp:{AKSESTOKO_NUMBER}"
    assert rasa.received[0]["metadata"]["brand"] == "aksestoko"


def test_rasa_down_the_customer_still_gets_an_apology_on_whatsapp(
    client: TestClient, twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    rasa.down = True
    post_signed(client, twilio, inbound("halo"))
    [sent] = twilio.wait_for(1)
    assert sent.body == BOT_UNAVAILABLE_TEXT
    with db.session_scope() as session:
        assert session.scalars(select(Message.status).where(Message.direction == "in")).one() == (
            "bot_unavailable"
        )


def _silent_for_25_hours() -> str:
    with db.session_scope() as session:
        conversation = session.scalars(select(Conversation)).one()
        session.execute(
            update(Message)
            .where(Message.conversation_id == conversation.id)
            .values(created_at=utcnow() - timedelta(hours=25))
        )
        return conversation.public_id


def test_after_24_hours_of_silence_the_approved_template_carries_an_agents_reply_never_a_notice(
    make_settings: Callable[..., Settings], twilio: FakeTwilio
) -> None:
    with TestClient(create_app(make_settings(twilio_template_sid="HX" + "e" * 32))) as client:
        post_signed(client, twilio, inbound("halo"))
        twilio.wait_for(1)
        conversation_id = _silent_for_25_hours()
        router = client.app.state.router  # type: ignore[attr-defined]
        assert client.portal is not None
        notice = [Reply(text="Mohon maaf menunggu, Kak.")]
        client.portal.call(router.send_to_customer, conversation_id, "system", notice)
        reply = [Reply(text="Halo Kak, saya Rina.")]
        client.portal.call(router.send_to_customer, conversation_id, "agent", reply)

        late = twilio.wait_for(2)[-1]
        time.sleep(0.3)
    assert len(twilio.sent) == 2
    assert late.content_sid == "HX" + "e" * 32
    assert json.loads(late.content_variables or "{}") == {"1": "Halo Kak, saya Rina."}
    assert late.body is None
    with db.session_scope() as session:
        failed = session.scalars(select(Outbox).where(Outbox.status == "failed")).one()
        assert failed.body == "Mohon maaf menunggu, Kak."
        assert failed.template_sid is None
        assert "only an agent" in (failed.last_error or "")


def test_after_24_hours_without_a_template_the_message_is_held_and_the_conversation_says_why(
    client: TestClient, twilio: FakeTwilio
) -> None:
    post_signed(client, twilio, inbound("halo"))
    twilio.wait_for(1)
    conversation_id = _silent_for_25_hours()
    router = client.app.state.router  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(router.send_to_customer, conversation_id, "agent", [Reply(text="Retur disetujui.")])
    time.sleep(0.3)

    assert len(twilio.sent) == 1
    with db.session_scope() as session:
        failed = session.scalars(select(Outbox).where(Outbox.status == "failed")).one()
        assert "24-hour" in (failed.last_error or "")
        event = session.scalars(
            select(ConversationEvent).where(ConversationEvent.kind == "whatsapp_not_sent")
        )
        assert event.one().detail["message_id"] == failed.message_id


def test_a_message_stored_before_a_restart_is_answered_after_it(
    make_settings: Callable[..., Settings], twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    rasa.down = True  # the first gateway stores the message but cannot answer it...
    settings = make_settings()
    with TestClient(create_app(settings)) as client:
        router = client.app.state.router  # type: ignore[attr-defined]
        from bot.conversations.types import Inbound

        assert client.portal is not None
        client.portal.call(
            router.receive,
            Inbound(channel="whatsapp", external_id=CUSTOMER, text="masih ada?", message_key="SM" + "9" * 32),
        )
    assert twilio.sent == []
    rasa.down = False
    with TestClient(create_app(settings)):  # ...the next one answers it at start-up
        [sent] = twilio.wait_for(1)
    assert sent.body == "Kamu bilang: masih ada?"


def _conversation_id() -> str:
    with db.session_scope() as session:
        return session.scalars(select(Conversation.public_id)).one()


def test_the_customer_hears_of_a_return_decision_on_whatsapp(client: TestClient, twilio: FakeTwilio) -> None:
    post_signed(client, twilio, inbound("halo"))
    twilio.wait_for(1)
    order = get_order_backend().get_order("UK-2611-002463")
    with db.session_scope() as session:
        number = a_return(
            session,
            order,
            quantity=2,
            description="jahitan robek",
            conversation_id=_conversation_id(),
            window_hours=72,
        ).number

    response = client.post(
        f"/api/agent/returns/{number}/decision",
        json={"approve": False, "agent": "dewi", "reason": "foto buram"},
        headers={"Authorization": "Bearer integrator-secret"},
    )

    assert response.status_code == 200
    told = twilio.wait_for(2)[-1].body or ""
    assert told.startswith("Kabar terbaru untuk pengajuan retur Kakak")
    assert number in told
    assert "ditolak" in told
    assert "foto buram" in told
    assert "mengajukan sekali lagi" in told


def test_the_customer_hears_of_a_ticket_extension_on_whatsapp(client: TestClient, twilio: FakeTwilio) -> None:
    post_signed(client, twilio, inbound("halo"))
    twilio.wait_for(1)
    with db.session_scope() as session:
        complaint = file_complaint(
            session,
            customer_name="Siti",
            customer_phone="+6281234567890",
            description="paket tidak sampai",
            channel="whatsapp",
            conversation_id=_conversation_id(),
        )
        number, due = complaint.number, complaint.due_date

    staff = {"Authorization": "Bearer integrator-secret"}
    assigned = client.post(
        f"/api/agent/complaints/{number}/steps", json={"step": "assigned", "agent": "dewi"}, headers=staff
    )
    assert assigned.status_code == 200
    extended = client.post(
        f"/api/agent/complaints/{number}/steps",
        json={"step": "extended", "agent": "dewi", "note": "menunggu hasil investigasi kurir"},
        headers=staff,
    )

    assert extended.status_code == 200
    told = twilio.wait_for(2)[-1].body or ""
    assert len(twilio.sent) == 2  # the assignment was not announced
    assert number in told
    assert "diperpanjang" in told
    assert "menunggu hasil investigasi kurir" in told
    assert format_date(date.fromisoformat(extended.json()["due_date"])) in told
    assert date.fromisoformat(extended.json()["due_date"]) > due


def test_health_says_when_replies_are_stuck_waiting_for_twilio(
    client: TestClient, twilio: FakeTwilio
) -> None:
    assert client.get("/health").json()["dependencies"]["whatsapp"]["ok"] is True
    twilio.down = True
    post_signed(client, twilio, inbound("halo"))
    wait_until(lambda: twilio.refused >= 1)
    with db.session_scope() as session:
        session.execute(update(Outbox).values(created_at=utcnow() - timedelta(minutes=10)))

    whatsapp = client.get("/health").json()["dependencies"]["whatsapp"]

    assert whatsapp["ok"] is False
    assert whatsapp["pending"] == 1
    assert whatsapp["oldest_pending_seconds"] >= 600


@pytest.mark.usefixtures("one_rate_window")
def test_a_sender_over_the_limit_is_stored_told_once_and_not_answered_by_the_bot(
    make_settings: Callable[..., Settings], twilio: FakeTwilio, rasa: FakeRasa
) -> None:
    with TestClient(create_app(make_settings(rate_limit_per_sender=2))) as client:
        for i in range(4):
            assert post_signed(client, twilio, inbound(f"pesan {i}", sid=f"SM{i:032d}")).status_code == 200
        wait_until(lambda: len(twilio.sent) == 3)
        time.sleep(0.3)  # nothing more goes out
        assert len(twilio.sent) == 3
    bodies = [m.body for m in twilio.sent]
    assert bodies[:2] == ["Kamu bilang: pesan 0", "Kamu bilang: pesan 1"]
    assert "terlalu cepat" in bodies[2]
    assert "Kak" in bodies[2]
    assert [m["message"] for m in rasa.received] == ["pesan 0", "pesan 1"]
    assert count(Message, Message.direction == "in") == 4  # nothing lost: an agent sees all four
    assert count(Message, Message.direction == "in", Message.status == "declined") == 2
