"""Routes take what the app built through dependencies, so a test (or an embedding app) can swap them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import sessionmaker

from bot.api.deps import get_sessions
from bot.store import db
from bot.store.migrate import upgrade
from tests.factories import a_complaint

STAFF = {"Authorization": "Bearer integrator-secret"}


def test_the_console_reads_the_database_its_sessions_dependency_gives(client_without_rasa, tmp_path):
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(other_url)
    engine = db.make_engine(other_url)
    other = sessionmaker(engine, expire_on_commit=False)
    try:
        with other.begin() as session:
            number = a_complaint(session, now=datetime.now(UTC)).number
        assert client_without_rasa.get("/api/agent/complaints", headers=STAFF).json() == []

        client_without_rasa.app.dependency_overrides[get_sessions] = lambda: other
        try:
            rows = client_without_rasa.get("/api/agent/complaints", headers=STAFF).json()
            step = client_without_rasa.post(
                f"/api/agent/complaints/{number}/steps", json={"step": "assigned"}, headers=STAFF
            )
        finally:
            client_without_rasa.app.dependency_overrides.clear()
        assert [r["number"] for r in rows] == [number]
        assert step.status_code == 200
        assert client_without_rasa.get(f"/api/agent/complaints/{number}", headers=STAFF).status_code == 404
    finally:
        engine.dispose()
