"""The staff complaint API: listing by deadline with flags, steps with history, the quarterly CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from bot.store import db
from tests.factories import a_complaint

STAFF = {"Authorization": "Bearer integrator-secret"}


def _file(received: datetime) -> str:
    with db.session_scope() as session:
        return a_complaint(session, now=received).number


def test_staff_only(client_without_rasa):
    for path in ("/api/agent/complaints", "/api/agent/reports/complaints?quarter=2026Q4"):
        assert client_without_rasa.get(path).status_code == 401
        assert client_without_rasa.get(path, headers={"Authorization": "Bearer no"}).status_code == 401


def test_list_flags_tickets_near_their_deadline_and_masks_phones(client_without_rasa):
    now = datetime.now(UTC)
    fresh = _file(now)
    old = _file(now - timedelta(days=30))
    rows = client_without_rasa.get("/api/agent/complaints", headers=STAFF).json()
    assert [r["number"] for r in rows] == [old, fresh]  # nearest deadline first
    assert rows[0]["near_deadline"] is True
    assert rows[0]["working_days_left"] < 0
    assert rows[1]["near_deadline"] is False
    assert rows[1]["customer_phone"] == "+62812****0001"


def test_steps_go_into_the_history_and_illegal_ones_are_refused(client_without_rasa):
    number = _file(datetime.now(UTC))
    url = f"/api/agent/complaints/{number}/steps"
    extended = client_without_rasa.post(
        url, json={"step": "extended", "agent": "dewi", "note": "menunggu data kurir"}, headers=STAFF
    )
    assert extended.status_code == 200
    again = client_without_rasa.post(
        url, json={"step": "extended", "agent": "dewi", "note": "lagi"}, headers=STAFF
    )
    assert again.status_code == 409
    client_without_rasa.post(
        url, json={"step": "answered", "agent": "dewi", "note": "dana dikirim"}, headers=STAFF
    )
    closed = client_without_rasa.post(url, json={"step": "closed"}, headers=STAFF).json()
    # the integrator token acts as the integration, for the person it names (if any)
    assert [(e["kind"], e["actor"]) for e in closed["events"]] == [
        ("received", "customer"),
        ("extended", "integrasi:dewi"),
        ("answered", "integrasi:dewi"),
        ("closed", "integrasi"),
    ]
    assert client_without_rasa.get(f"/api/agent/complaints/{number.lower()}", headers=STAFF).json()[
        "status"
    ] == ("selesai")
    missing = client_without_rasa.post(
        "/api/agent/complaints/PGD-2611-ZZZZZ/steps", json={"step": "closed", "agent": "dewi"}, headers=STAFF
    )
    assert missing.status_code == 404


def test_quarterly_report_csv(client_without_rasa):
    _file(datetime(2026, 11, 2, 3, 0, tzinfo=UTC))
    response = client_without_rasa.get("/api/agent/reports/complaints?quarter=2026Q4", headers=STAFF)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[-1]["kategori"] == "TOTAL"
    assert rows[-1]["diterima"] == "1"
    bad = client_without_rasa.get("/api/agent/reports/complaints?quarter=Q4", headers=STAFF)
    assert bad.status_code == 422
