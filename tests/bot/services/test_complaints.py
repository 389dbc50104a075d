"""Complaint tickets: numbers, working-day deadlines, the one extension, history and breaches."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.services.complaints import (
    ComplaintError,
    extend,
    file_complaint,
    find_complaint,
    is_ticket_owner,
    mark_breaches,
    record_step,
    working_days_left,
)
from bot.store import db
from bot.store.models import Complaint, ComplaintEvent

TICKET = re.compile(r"^PGD-\d{4}-[2-9A-HJ-NP-Z]{5}$")
# Monday 21 December 2026, 10:00 WIB: Christmas Eve (cuti bersama) and Christmas fall inside the deadline
MONDAY_BEFORE_CHRISTMAS = datetime(2026, 12, 21, 3, 0, tzinfo=UTC)


def filed(session, **overrides):
    values = {
        "customer_name": "Rina Wulandari",
        "customer_phone": "+6281234500001",
        "description": "Refund saya belum masuk sudah 3 minggu",
        "channel": "whatsapp",
        "category": "refund",
        "order_id": "UK-2611-008170",
        "now": MONDAY_BEFORE_CHRISTMAS,
    }
    return file_complaint(session, **{**values, **overrides})


def test_a_chat_complaint_gets_a_readable_number_and_5_working_days_skipping_christmas(database_url):
    with db.session_scope() as session:
        complaint = filed(session)
        number = complaint.number
        assert TICKET.match(number)
        assert number.startswith("PGD-2612-")
        assert complaint.form == "lisan"
        assert complaint.due_date == date(2026, 12, 30)  # 22, 23, 28, 29, 30
    with db.session_scope() as session:
        stored = find_complaint(session, number.lower())
        assert stored is not None
        assert [e.kind for e in stored.events] == ["received"]


def test_written_complaints_and_the_pojk22_regime_have_their_own_deadlines(database_url):
    with db.session_scope() as session:
        assert filed(session, channel="email").due_date == date(
            2027, 1, 22
        )  # 20 working days (1 and 5 January are holidays)
        assert filed(session, regime="pojk22").due_date == date(2027, 1, 8)  # 10 working days


def test_numbers_are_unique_across_many_tickets(database_url):
    with db.session_scope() as session:
        numbers = {filed(session).number for _ in range(200)}
    assert len(numbers) == 200


def test_a_taken_number_is_drawn_again(database_url, monkeypatch):
    draws = iter(["PGD-2612-AAAAA", "PGD-2612-AAAAA", "PGD-2612-BBBBB"])
    monkeypatch.setattr("bot.services.complaints.new_ticket_number", lambda _day: next(draws))
    with db.session_scope() as session:
        assert filed(session).number == "PGD-2612-AAAAA"
        assert filed(session).number == "PGD-2612-BBBBB"
    with db.session_scope() as session:
        assert session.scalar(select(Complaint).where(Complaint.number == "PGD-2612-BBBBB"))


def test_extension_once_with_a_reason_and_it_is_in_the_history(database_url):
    with db.session_scope() as session:
        complaint = filed(session)
        with pytest.raises(ComplaintError, match="perlu alasan"):
            extend(session, complaint, reason=" ", actor="agent:dewi")
        new_due = extend(session, complaint, reason="menunggu data dari kurir", actor="agent:dewi")
        assert new_due == date(2027, 1, 29)  # 20 more working days under pojk18
        with pytest.raises(ComplaintError, match="hanya boleh sekali"):
            extend(session, complaint, reason="lagi", actor="agent:dewi")
        kinds = [(e.kind, e.actor, e.note) for e in complaint.events]
        assert kinds[-1] == ("extended", "agent:dewi", "menunggu data dari kurir")


def test_steps_follow_the_ticket_and_a_closed_ticket_does_not_change(database_url):
    with db.session_scope() as session:
        complaint = filed(session)
        record_step(session, complaint, kind="assigned", actor="agent:dewi", note=None)
        assert complaint.status == "diproses"
        record_step(session, complaint, kind="answered", actor="agent:dewi", note="refund dikirim ulang")
        assert complaint.resolved_at is not None
        record_step(session, complaint, kind="closed", actor="agent:dewi", note="ringkasan dikirim")
        assert complaint.status == "selesai"
        with pytest.raises(ComplaintError):
            record_step(session, complaint, kind="answered", actor="agent:dewi", note=None)
        history = session.scalars(
            select(ComplaintEvent.kind).where(ComplaintEvent.complaint_id == complaint.id)
        ).all()
        assert history == ["received", "assigned", "answered", "closed"]


def test_the_deadline_job_marks_overdue_open_tickets_once(database_url):
    with db.session_scope() as session:
        late = filed(session)
        done = filed(session)
        record_step(session, done, kind="answered", actor="agent:dewi", note=None)
        assert working_days_left(late, today=date(2026, 12, 28)) == 2
        assert working_days_left(late, today=date(2026, 12, 31)) == -1
        assert mark_breaches(session, today=date(2026, 12, 31)) == [late.number]
        assert mark_breaches(session, today=date(2027, 1, 4)) == []
        assert late.events[-1].kind == "breached"


def test_the_ticket_lifecycle_is_a_table_with_a_terminal_closed_state():
    from bot.services.complaints import OPEN_STATUSES, STEPS, TRANSITIONS, ComplaintStatus

    assert {"assigned", "extended", "answered", "closed"} == STEPS
    assert not [pair for pair in TRANSITIONS if pair[0] == ComplaintStatus.closed]  # nothing reopens it
    assert set(TRANSITIONS.values()) == set(ComplaintStatus) - {ComplaintStatus.received}
    assert {status for status, step in TRANSITIONS if step == "extended"} == set(OPEN_STATUSES)


def test_only_the_phone_given_on_the_ticket_owns_it():
    ticket = Complaint(number="PGD-2612-7KQ4M", customer_phone="+6281234500001")
    assert is_ticket_owner(ticket, "+6281234500001")  # the channel's verified phone
    assert is_ticket_owner(ticket, "0812-3450-0001")  # typed by the customer
    assert not is_ticket_owner(ticket, "081299999999")
    assert not is_ticket_owner(ticket, "bukan nomor")
    assert not is_ticket_owner(ticket, None)
    assert not is_ticket_owner(None, "+6281234500001")  # no such ticket: nobody's
