from datetime import UTC, datetime

from bot.jobs import mark_breached_complaints
from bot.services.complaints import find_complaint
from bot.store import db
from tests.factories import a_complaint


def test_the_deadline_job_marks_an_old_open_ticket(database_url):
    with db.session_scope() as session:
        number = a_complaint(session, now=datetime(2026, 1, 5, 3, 0, tzinfo=UTC)).number
    assert mark_breached_complaints() == [number]
    assert mark_breached_complaints() == []
    with db.session_scope() as session:
        assert find_complaint(session, number).breached_at is not None
