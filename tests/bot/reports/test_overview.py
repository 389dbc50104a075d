"""The supervisor's overview computed from a seeded week of conversations, with exact expected figures, and
who may read it over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from bot.ops.seed import seed_agents
from bot.reports.overview import overview, percentile
from bot.store import db
from tests.bot.console.conftest import Console
from tests.factories import Week

UNTIL = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # 17:00 WIB on a Monday
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def week(database_url: str) -> None:
    with db.session_scope() as session:
        w = Week(session)
        # Settled by the bot alone.
        w.conversation("whatsapp", "tokoku", UNTIL - DAY)
        # Claimed after 2 minutes, first agent reply 1 minute later, rated 4.
        start = UNTIL - 2 * DAY
        c2 = w.conversation("webchat", "tokoku", start)
        w.handoff(c2, "customer_request", start + MINUTE, claimed_after=2 * MINUTE)
        w.message(c2, "agent", start + 4 * MINUTE)
        w.event(c2, "closed", start + 20 * MINUTE)
        w.event(c2, "csat", start + 21 * MINUTE, rating=4, comment="cepat")
        # Claimed after 10 minutes, first agent reply 2 minutes later, rated 2.
        start = UNTIL - 3 * DAY
        c3 = w.conversation("whatsapp", "lain", start)
        w.handoff(c3, "angry_complaint", start, claimed_after=10 * MINUTE)
        w.message(c3, "agent", start + 12 * MINUTE)
        w.event(c3, "csat", start + 30 * MINUTE, rating=2, comment="")
        # Still in the queue.
        c4 = w.conversation("webchat", None, UNTIL - 60 * MINUTE)
        w.handoff(c4, "customer_request", UNTIL - 59 * MINUTE)
        # Left the queue before anyone claimed it.
        start = UNTIL - 4 * DAY
        c5 = w.conversation("whatsapp", "tokoku", start)
        w.handoff(c5, "repeated_fallback", start + MINUTE)
        w.event(c5, "returned_to_bot", start + 5 * MINUTE)
        # Before the period: none of it counts.
        old = w.conversation("whatsapp", "tokoku", UNTIL - 10 * DAY)
        w.handoff(old, "customer_request", UNTIL - 10 * DAY, claimed_after=MINUTE)
        w.event(old, "csat", UNTIL - 10 * DAY + 30 * MINUTE, rating=1)

        w.complaint("PGD-1", UNTIL - 6 * DAY, date(2026, 12, 8), resolved=UNTIL - 5 * DAY)  # on time
        w.complaint("PGD-2", UNTIL - 6 * DAY, date(2026, 12, 4))  # open past its due date
        w.complaint("PGD-3", UNTIL - 1 * DAY, date(2026, 12, 11))  # open, not yet due
        w.complaint("PGD-4", UNTIL - 6 * DAY, date(2026, 12, 2), resolved=UNTIL - 2 * DAY)  # answered late
        w.complaint("PGD-0", UNTIL - 20 * DAY, date(2026, 11, 20))  # before the period
        w.a_return("RTR-1", "diajukan", UNTIL - DAY)
        w.a_return("RTR-2", "ditolak", UNTIL - 2 * DAY)
        w.a_return("RTR-3", "diajukan", UNTIL - 3 * DAY)
        w.a_return("RTR-0", "selesai", UNTIL - 30 * DAY)
        for question in (
            "cara bayar pakai qris gimana",
            "cara bayar pakai qris gimana",
            "bayar pakai qris gmn",
        ):
            w.unanswered(question, UNTIL - DAY)
        w.unanswered("bisa kirim ke luar negeri?", UNTIL - DAY)
        w.unanswered("jam buka toko offline", UNTIL - 9 * DAY)
        w.unanswered("jam buka toko offline?", UNTIL - DAY, handled=True)  # a supervisor answered it


def test_overview_of_a_seeded_week(week: None) -> None:
    with db.session_scope() as session:
        report = overview(session, until=UNTIL, days=7)

    assert report["conversations"] == 5
    assert report["messages"] == 12  # customer and bot in each, plus two agent replies
    assert report["contained_rate"] == 0.2
    assert report["handoff_rate"] == 0.8
    assert report["handoffs"] == 4
    assert report["handoffs_by_reason"] == {
        "customer_request": 2,
        "angry_complaint": 1,
        "repeated_fallback": 1,
    }
    assert report["handoff_outcomes"] == {"abandoned": 1, "claimed": 2, "still_waiting": 1}
    assert report["median_wait_seconds"] == 360.0
    assert report["p90_wait_seconds"] == 600.0
    assert report["median_first_response_seconds"] == 90.0
    assert report["csat"] == {
        "average": 3.0,
        "responses": 2,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0},
    }
    assert report["complaints"] == {"opened": 4, "answered_on_time": 1, "breached": 2, "open": 2}
    assert report["returns_by_state"] == {"diajukan": 2, "ditolak": 1}
    assert report["top_unanswered"] == [
        {
            "question": "cara bayar pakai qris gimana",
            "count": 3,
            "variants": ["bayar pakai qris gmn"],
            "ids": [1, 2, 3],
        },
        {"question": "bisa kirim ke luar negeri?", "count": 1, "variants": [], "ids": [4]},
    ]

    assert report["by_channel"]["whatsapp"] == {
        "conversations": 3,
        "messages": 7,
        "handed_off": 2,
        "contained_rate": 0.3333,
        "handoff_rate": 0.6667,
        "median_wait_seconds": 600.0,
    }
    assert report["by_channel"]["webchat"]["conversations"] == 2
    assert report["by_channel"]["webchat"]["contained_rate"] == 0.0
    assert {name: part["conversations"] for name, part in report["by_brand"].items()} == {
        "-": 1,
        "lain": 1,
        "tokoku": 3,
    }

    daily = report["daily"]
    assert next(d["date"] for d in daily) == "2026-11-30"
    assert daily[-1]["date"] == "2026-12-07"
    assert len(daily) == 8
    assert sum(d["messages"] for d in daily) == report["messages"]
    assert sum(d["conversations"] for d in daily) == 5  # each conversation's customer wrote on one day
    by_date = {d["date"]: d for d in daily}
    assert by_date["2026-12-04"]["median_wait_seconds"] == 600.0  # c3, the day it waited
    assert by_date["2026-12-07"]["handed_off"] == 1
    assert by_date["2026-12-07"]["contained_rate"] == 0.0


def test_an_empty_period_has_no_rates(database_url: str) -> None:
    with db.session_scope() as session:
        report = overview(session, until=UNTIL, days=1)
    assert report["conversations"] == 0
    assert report["contained_rate"] is None
    assert report["median_wait_seconds"] is None
    assert report["csat"] == {
        "average": None,
        "responses": 0,
        "distribution": {str(n): 0 for n in range(1, 6)},
    }
    assert report["top_unanswered"] == []
    assert report["returns_by_state"] == {}
    assert len(report["daily"]) == 2  # 17:00 WIB yesterday to 17:00 WIB today


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 90) is None
    assert percentile([5.0], 90) == 5.0
    assert percentile([float(n) for n in range(1, 11)], 90) == 9.0
    assert percentile([float(n) for n in range(1, 11)], 50) == 5.0


@pytest.fixture
def staff_client(client_without_rasa: TestClient) -> TestClient:
    with db.session_scope() as session:
        seed_agents(session)
    return client_without_rasa


def test_supervisors_and_the_integrator_read_the_overview_agents_do_not(
    staff_client: TestClient, week: None
) -> None:
    sari = Console(staff_client.app, "sari", "sari-demo-123")  # supervisor
    response = sari.get("/api/agent/reports/overview?days=30")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["days"] == 30
    for key in ("conversations", "messages", "contained_rate", "handoff_rate", "handoffs_by_reason"):
        assert key in body
    for key in ("median_wait_seconds", "p90_wait_seconds", "median_first_response_seconds", "csat"):
        assert key in body
    assert {"top_unanswered", "complaints", "returns_by_state", "by_channel", "by_brand", "daily"} <= set(
        body
    )

    integrator = staff_client.get(
        "/api/agent/reports/overview", headers={"Authorization": "Bearer integrator-secret"}
    )
    assert integrator.status_code == 200
    assert integrator.json()["days"] == 7

    dewi = Console(staff_client.app, "dewi", "dewi-demo-123")  # agent
    refused = dewi.get("/api/agent/reports/overview")
    assert refused.status_code == 403
    assert "conversations" not in refused.text
    assert sari.get("/api/agent/reports/overview?days=0").status_code == 422
    assert sari.get("/api/agent/reports/overview?days=91").status_code == 422
