from datetime import UTC, datetime

from bot.jobs import mark_breached_complaints
from bot.services.complaints import file_complaint, find_complaint
from bot.store import db


def test_the_deadline_job_marks_an_old_open_ticket(database_url):
    with db.session_scope() as session:
        number = file_complaint(
            session,
            customer_name="Rina",
            customer_phone="+6281234500001",
            description="refund belum masuk",
            channel="whatsapp",
            now=datetime(2026, 1, 5, 3, 0, tzinfo=UTC),
        ).number
    assert mark_breached_complaints() == [number]
    assert mark_breached_complaints() == []
    with db.session_scope() as session:
        assert find_complaint(session, number).breached_at is not None
