import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import create_app
from bot.channels.rest import channel_metadata
from bot.config import Settings
from bot.router import NO_REPLY_TEXT
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
    settings = Settings(database_url=database_url, rasa_url=rasa.url, action_server_port=unused_port())
    with TestClient(create_app(settings)) as client:
        response = client.post("/webhooks/rest/webhook", json={"sender": "s1", "message": "Sinta Dewi"})
    assert response.status_code == 200
    assert [r["text"] for r in response.json()] == [NO_REPLY_TEXT]
