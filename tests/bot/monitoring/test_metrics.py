"""GET /metrics: parsed with prometheus_client's own parser after real turns through the gateway (Rasa
played locally), served to this machine or with the integrator token only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app
from bot.config import Settings
from bot.services.complaints import file_complaint, mark_breaches
from bot.store import db
from bot.store.models import Complaint, utcnow

TOKEN = {"Authorization": "Bearer integrator-secret"}


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of GET /metrics as {(name, sorted labels): value}."""
    response = client.get("/metrics", headers=TOKEN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def say(client: TestClient, sender: str, text: str, status: int = 200) -> list[dict]:
    response = client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    assert response.status_code == status, response.text
    return response.json()


def test_turns_are_counted_by_channel_with_a_latency_histogram(app_client: TestClient) -> None:
    before = scrape(app_client)
    say(app_client, "metrics-a", "halo")
    say(app_client, "metrics-a", "ongkir ke bandung berapa")
    say(app_client, "metrics-b", "saya mau bicara dengan CS")
    after = scrape(app_client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("cs_messages_received_total", channel="rest") == 3
    # one reply each, and the handoff's two: "permintaan sudah kami catat" and the queue position
    assert grew("cs_bot_replies_total", channel="rest") == 4
    assert grew("cs_reply_latency_seconds_count", channel="rest") == 3
    assert grew("cs_reply_latency_seconds_bucket", channel="rest", le="+Inf") == 3
    assert grew("cs_reply_latency_seconds_sum", channel="rest") > 0
    assert grew("cs_handoffs_total", reason="customer_request") == 1
    assert value(after, "cs_queue_length") == 1
    assert value(after, "cs_conversations", state="waiting_agent") == 1
    assert value(after, "cs_conversations", state="bot") == 1
    assert value(after, "cs_store_up") == 1
    assert value(after, "cs_whatsapp_outbox", status="failed") == 0


def test_rasa_errors_are_counted(make_settings: Callable[..., Settings], agents: None, rasa) -> None:
    rasa.down = True
    with TestClient(create_app(make_settings())) as client:
        before = scrape(client)
        say(client, "metrics-c", "halo", status=503)  # the apology, with Retry-After
        after = scrape(client)
    assert value(after, "cs_rasa_errors_total") - value(before, "cs_rasa_errors_total") == 1
    assert value(after, "cs_bot_replies_total", channel="rest") == value(
        before, "cs_bot_replies_total", channel="rest"
    )


def test_complaint_deadlines_near_and_breached(app_client: TestClient) -> None:
    with db.session_scope() as session:
        for name in ("Rina", "Budi", "Sari"):
            file_complaint(
                session,
                customer_name=name,
                customer_phone="+6289637184520",
                description="dana belum kembali",
                channel="whatsapp",
            )
    with db.session_scope() as session:
        tickets = session.query(Complaint).order_by(Complaint.id).all()
        tickets[0].due_date = (utcnow() - timedelta(days=10)).date()  # overdue: the job marks it
        tickets[1].due_date = (utcnow() + timedelta(days=60)).date()  # far away
        mark_breaches(session)
    samples = scrape(app_client)
    assert value(samples, "cs_complaints_open", deadline="breached") == 1
    # a new chat complaint is due in 5 working days: not yet near; the far one is not either
    assert value(samples, "cs_complaints_open", deadline="near") == 0
    assert value(samples, "cs_complaints_open", deadline="ok") == 2


CALLERS = [
    ("127.0.0.1", {}, 200),
    ("::1", {}, 200),
    ("127.0.0.1", {"X-Forwarded-For": "127.0.0.1"}, 200),
    ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, 403),  # through a proxy on this machine, from elsewhere
    ("203.0.113.9", {}, 403),
    ("203.0.113.9", {"Authorization": "Bearer nope"}, 403),
    ("203.0.113.9", TOKEN, 200),
]


def test_metrics_are_served_to_this_machine_or_with_the_token(app_client: TestClient) -> None:
    for address, headers, status in CALLERS:
        # Another client of the running app, connecting from `address`.
        response = TestClient(app_client.app, client=(address, 50000)).get("/metrics", headers=headers)
        assert response.status_code == status, (address, headers)
        assert ("cs_messages_received" in response.text) == (status == 200)
