import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import create_app
from bot.channels.rest import channel_metadata
from bot.config import Settings
from bot.conversations.texts import CREDENTIAL_WARNING_TEXT, NO_REPLY_TEXT
from bot.store.db import session_scope
from bot.store.models import ConversationEvent, Message
from tests.bot.conftest import unused_port


def test_rasa_down_gives_an_indonesian_apology_and_keeps_the_message(client_without_rasa):
    response = client_without_rasa.post(
        "/webhooks/rest/webhook", json={"sender": "web-123", "message": "pesanan sy udh dikirim blm"}
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    [reply] = response.json()
    assert reply["recipient_id"] == "web-123"
    assert "Mohon maaf Kak" in reply["text"]
    with session_scope() as session:
        inbound = session.scalar(select(Message).where(Message.direction == "in"))
        assert inbound.text == "pesanan sy udh dikirim blm"
        assert inbound.status == "bot_unavailable"
        assert session.scalar(select(ConversationEvent.kind)) == "bot_unavailable"


def test_health_names_the_failing_dependencies(client_without_rasa):
    body = client_without_rasa.get("/health").json()
    assert body["status"] == "degraded"
    assert body["dependencies"]["db"]["ok"] is True
    assert body["dependencies"]["rasa"]["ok"] is False
    assert body["dependencies"]["actions"]["ok"] is False


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"sender": "x"},
        {"message": "halo"},
        {"sender": "", "message": "halo"},
        {"sender": "x", "message": "a" * 5000},
        {"sender": "x", "message": "halo", "metadata": "not-an-object"},
        {"sender": "x", "message": "halo", "metadata": {"brand": "shopee"}},
        {"sender": "x", "message": "halo", "metadata": {"brand": ["aksestoko"]}},
    ],
)
def test_malformed_requests_are_422_and_store_nothing(client_without_rasa, body):
    assert client_without_rasa.post("/webhooks/rest/webhook", json=body).status_code == 422
    with session_scope() as session:
        assert session.scalar(select(Message)) is None


def test_untrusted_callers_cannot_assert_a_verified_phone():
    metadata = channel_metadata(
        {"verified_phone": "+6281322740915", "channel": "whatsapp", "page": "/p/1"}, trusted=False
    )
    assert metadata == {"channel": "rest", "page": "/p/1"}


def test_trusted_callers_pass_channel_facts_normalised():
    metadata = channel_metadata({"verified_phone": "0813 2274 0915", "channel": "kiosk"}, trusted=True)
    assert metadata == {"verified_phone": "+6281322740915", "channel": "kiosk"}


def test_only_trusted_callers_may_hand_over_media_urls():
    media = [{"url": "http://169.254.169.254/latest/meta-data", "content_type": "image/jpeg"}]
    assert "media" not in channel_metadata({"media": media}, trusted=False)
    assert channel_metadata({"media": media}, trusted=True)["media"] == media


def test_when_the_bot_says_nothing_the_customer_still_gets_an_answer(database_url, rasa):
    rasa.reply = lambda sender, text, metadata: []  # Rasa's policy chose to just listen
    # The action server is up (the fake answers its /health): silence is the policy's, not a failed action.
    settings = Settings(database_url=database_url, rasa_url=rasa.url, action_server_url=rasa.url)
    with TestClient(create_app(settings)) as client:
        response = client.post("/webhooks/rest/webhook", json={"sender": "s1", "message": "Sinta Dewi"})
    assert response.status_code == 200
    assert [r["text"] for r in response.json()] == [NO_REPLY_TEXT]


def test_a_retried_message_id_is_answered_once_with_the_same_replies(database_url, rasa):
    settings = Settings(database_url=database_url, rasa_url=rasa.url, action_server_port=unused_port())
    body = {"sender": "s1", "message": "halo", "message_id": "web-msg-1"}
    with TestClient(create_app(settings)) as client:
        first = client.post("/webhooks/rest/webhook", json=body)
        again = client.post("/webhooks/rest/webhook", json=body)  # the caller timed out and retried
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert first.json()[0]["buttons"][0]["title"] == "Cek pesanan"
    assert len(rasa.received) == 1
    with session_scope() as session:
        assert len(session.scalars(select(Message).where(Message.direction == "in")).all()) == 1


def test_an_older_message_left_unanswered_is_answered_first_and_kept_for_its_retry(database_url, rasa):
    settings = Settings(database_url=database_url, rasa_url=rasa.url, action_server_port=unused_port())
    with TestClient(create_app(settings)) as client:
        client.post("/webhooks/rest/webhook", json={"sender": "s1", "message": "satu"})
        # Another gateway process stored "dua" and died before answering it.
        with session_scope() as session:
            conversation_id = session.scalar(select(Message.conversation_id))
            session.add(
                Message(
                    conversation_id=conversation_id,
                    external_id="m-dua",
                    direction="in",
                    author="customer",
                    text="dua",
                    status="received",
                )
            )
        tiga = client.post("/webhooks/rest/webhook", json={"sender": "s1", "message": "tiga"})
        dua = client.post(
            "/webhooks/rest/webhook", json={"sender": "s1", "message": "dua", "message_id": "m-dua"}
        )
    assert [m["message"] for m in rasa.received] == ["satu", "dua", "tiga"]  # in the order stored
    assert [r["text"] for r in tiga.json()] == ["Kamu bilang: tiga"]  # only its own replies
    assert [r["text"] for r in dua.json()] == ["Kamu bilang: dua"]  # the retry finds what was answered


def test_a_handoff_reply_returns_the_queue_text_in_place_of_the_control_payload(database_url, rasa):
    settings = Settings(database_url=database_url, rasa_url=rasa.url, action_server_port=unused_port())
    with TestClient(create_app(settings)) as client:
        replies = client.post(
            "/webhooks/rest/webhook", json={"sender": "s1", "message": "bicara dengan CS"}
        ).json()
    assert replies[0]["text"] == "Baik Kak, permintaan Kakak sudah kami catat."
    assert "urutan ke-" in replies[1]["text"]
    assert all("custom" not in r for r in replies)


def test_a_message_retried_after_the_bot_was_down_is_answered_then(database_url, rasa):
    settings = Settings(database_url=database_url, rasa_url=rasa.url, action_server_port=unused_port())
    body = {"sender": "s1", "message": "halo", "message_id": "web-msg-9"}
    with TestClient(create_app(settings)) as client:
        rasa.down = True
        apology = client.post("/webhooks/rest/webhook", json=body)
        rasa.down = False
        answered = client.post("/webhooks/rest/webhook", json=body)  # after Retry-After, as asked
    assert apology.status_code == 503
    assert answered.status_code == 200
    assert [r["text"] for r in answered.json()] == ["Halo Kak, ada yang bisa kami bantu?"]
    with session_scope() as session:
        [inbound] = session.scalars(select(Message).where(Message.direction == "in")).all()
        assert inbound.status == "answered"


@pytest.mark.usefixtures("one_rate_window")
def test_too_many_messages_are_429_with_retry_after_and_nothing_stored(database_url, rasa):
    settings = Settings(
        database_url=database_url,
        rasa_url=rasa.url,
        action_server_port=unused_port(),
        rate_limit_per_sender=3,
        rate_limit_per_address=6,
        gateway_api_token="integrator-secret",
    )
    with TestClient(create_app(settings), client=("203.0.113.7", 40000)) as client:

        def send(sender: str, **headers: str):
            body = {"sender": sender, "message": "halo"}
            return client.post("/webhooks/rest/webhook", json=body, headers=headers)

        assert [send("a").status_code for _ in range(3)] == [200, 200, 200]
        refused = send("a")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        [apology] = refused.json()
        assert apology["recipient_id"] == "a"
        assert "Mohon maaf Kak" in apology["text"]
        # Refused messages count too: the address has made 4 of its 6.
        assert [send("b").status_code for _ in range(3)] == [200, 200, 429]
        trusted = send("c", Authorization="Bearer integrator-secret")
        assert trusted.status_code == 200  # an integrator speaks for many customers from one address
    with session_scope() as session:
        assert len(session.scalars(select(Message).where(Message.direction == "in")).all()) == 6


def test_an_untrusted_caller_with_a_trusted_callers_sender_id_gets_another_conversation(database_url, rasa):
    settings = Settings(
        database_url=database_url,
        rasa_url=rasa.url,
        action_server_port=unused_port(),
        gateway_api_token="integrator-secret",
    )
    with TestClient(create_app(settings)) as client:
        trusted = {"Authorization": "Bearer integrator-secret"}
        body = {
            "sender": "6281322740915",
            "message": "halo",
            "metadata": {"verified_phone": "+6281322740915"},
        }
        client.post("/webhooks/rest/webhook", json=body, headers=trusted)
        client.post(
            "/webhooks/rest/webhook", json={"sender": "6281322740915", "message": "status retur saya"}
        )
    owner, stranger = (
        {r["sender"] for r in rasa.received if r["message"] == m} for m in ("halo", "status retur saya")
    )
    assert owner.isdisjoint(stranger)  # Rasa sees two conversations: nothing proven in one holds in the other


def test_an_otp_never_reaches_rasa_or_the_database_and_the_customer_is_warned(database_url, rasa):
    settings = Settings(database_url=database_url, rasa_url=rasa.url, action_server_port=unused_port())
    with TestClient(create_app(settings)) as client:
        body = {"sender": "s-otp", "message": "kak kode otp saya 884213, password sy Rahasia!9"}
        replies = client.post("/webhooks/rest/webhook", json=body).json()
    assert replies[0]["text"] == CREDENTIAL_WARNING_TEXT
    [sent] = rasa.received
    assert "884213" not in sent["message"]
    assert "Rahasia!9" not in sent["message"]
    with session_scope() as session:
        texts = session.scalars(select(Message.text)).all()
    assert not [t for t in texts if "884213" in (t or "") or "Rahasia!9" in (t or "")]
