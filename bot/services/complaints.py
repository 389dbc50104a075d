"""Complaint tickets (pengaduan) as POJK No. 18/POJK.07/2018 requires.

A ticket is numbered at receipt (PGD-YYMM-XXXXX, see bot.services.numbers), dated, and gets
a deadline in Indonesian working days from the regime in force. Every change is an append-only event.

Regimes (COMPLAINT_REGIME):
    pojk18  POJK 18/2018: oral complaints (telephone, chat) 5 working days, written 20; extension 20, once.
    pojk22  POJK 22/2023: 10 working days, extension 10, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.errors import ServiceError
from bot.services.identity import filed_by_asker, normalize_phone
from bot.services.numbers import insert_numbered, readable_number
from bot.services.timefmt import JAKARTA, format_date
from bot.services.workdays import add_working_days, working_days_between
from bot.store.models import Complaint, ComplaintEvent, utcnow


class ComplaintStatus(StrEnum):
    received = "diterima"
    in_progress = "diproses"
    extended = "diperpanjang"
    answered = "dijawab"
    closed = "selesai"


S = ComplaintStatus
OPEN_STATUSES = (S.received, S.in_progress, S.extended)
# What each step does to the ticket's status: (status now, step) -> status after. A pair that is missing is
# a step the status does not allow; every step is also an event of the ticket's history.
TRANSITIONS: dict[tuple[ComplaintStatus, str], ComplaintStatus] = {
    **{(status, "assigned"): S.in_progress for status in (S.received, S.in_progress, S.answered)},
    (S.extended, "assigned"): S.extended,  # an extended ticket keeps showing its new deadline
    **{(status, "extended"): S.extended for status in OPEN_STATUSES},
    **{(status, "answered"): S.answered for status in (*OPEN_STATUSES, S.answered)},
    **{(status, "closed"): S.closed for status in (*OPEN_STATUSES, S.answered)},
}
STEPS = frozenset(step for _, step in TRANSITIONS)


@dataclass(frozen=True)
class Regime:
    name: str
    oral_days: int
    written_days: int
    extension_days: int

    def days_for(self, form: str) -> int:
        return self.oral_days if form == "lisan" else self.written_days


REGIMES = {
    "pojk18": Regime("pojk18", oral_days=5, written_days=20, extension_days=20),
    "pojk22": Regime("pojk22", oral_days=10, written_days=10, extension_days=10),
}
CHAT_CHANNELS = frozenset({"whatsapp", "webchat", "rest", "telepon"})


class ComplaintError(ServiceError):
    """An operation the ticket's state does not allow (e.g. a second extension)."""


def new_ticket_number(received: date) -> str:
    return readable_number("PGD", received)


def local_date(moment: datetime) -> date:
    return moment.astimezone(JAKARTA).date()


def _event(complaint: Complaint, kind: str, actor: str, note: str | None = None) -> None:
    complaint.events.append(ComplaintEvent(kind=kind, actor=actor, note=note))


def _step(complaint: Complaint, step: str, actor: str, note: str | None) -> None:
    """The one way a ticket changes status: by TRANSITIONS, with the step in its history."""
    if step not in STEPS:
        raise ComplaintError(f"Langkah {step!r} tidak dikenal.")
    after = TRANSITIONS.get((ComplaintStatus(complaint.status), step))
    if after is None:
        if complaint.status == S.closed:
            raise ComplaintError("Pengaduan yang sudah ditutup tidak bisa diubah lagi.")
        raise ComplaintError(f"Pengaduan berstatus {complaint.status} tidak bisa: {step}.")
    complaint.status = after
    if after in (S.answered, S.closed):
        complaint.resolved_at = complaint.resolved_at or utcnow()
    _event(complaint, step, actor, note)


def file_complaint(
    session: Session,
    *,
    customer_name: str,
    customer_phone: str,
    description: str,
    channel: str,
    category: str = "umum",
    order_id: str | None = None,
    brand: str | None = None,
    conversation_id: str | None = None,
    regime: str = "pojk18",
    skip_joint_leave: bool = True,
    now: datetime | None = None,
) -> Complaint:
    """Records a complaint and gives it a unique number; flushes so the number is final on return."""
    received_at = now or utcnow()
    rules = REGIMES[regime]
    form = "lisan" if channel in CHAT_CHANNELS else "tertulis"
    received = local_date(received_at)
    due = add_working_days(received, rules.days_for(form), skip_joint_leave=skip_joint_leave)

    def build() -> Complaint:
        complaint = Complaint(
            number=new_ticket_number(received),
            status=ComplaintStatus.received,
            regime=regime,
            form=form,
            channel=channel,
            brand=brand,
            conversation_id=conversation_id,
            customer_name=customer_name,
            customer_phone=customer_phone,
            order_id=order_id,
            category=category,
            description=description,
            received_at=received_at,
            due_date=due,
        )
        _event(complaint, "received", "customer", f"via {channel}")
        return complaint

    return insert_numbered(session, build)


def find_complaint(session: Session, number: str) -> Complaint | None:
    return session.scalar(select(Complaint).where(Complaint.number == number.strip().upper()))


def latest_complaint_about_order(session: Session, order_id: str) -> Complaint | None:
    """The newest complaint about an order: customers remember their order number, rarely a ticket's."""
    return session.scalar(
        select(Complaint)
        .where(Complaint.order_id == order_id.strip().upper())
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(1)
    )


def latest_complaint_of(
    session: Session, *, conversation_id: str | None, verified_phone: str | None
) -> Complaint | None:
    """The newest complaint filed in this conversation or on the phone the channel proved: what "status
    pengaduan saya" means when the customer names no ticket."""
    mine = filed_by_asker(Complaint, conversation_id=conversation_id, verified_phone=verified_phone)
    if mine is None:
        return None
    newest = (Complaint.received_at.desc(), Complaint.id.desc())
    return session.scalar(select(Complaint).where(mine).order_by(*newest).limit(1))


def is_ticket_owner(complaint: Complaint | None, phone: str | None) -> bool:
    """Whether a phone number (proven by the channel, or typed by the customer) is the one given on the
    ticket: a ticket's status is shown only to its owner."""
    given = normalize_phone(phone)
    return complaint is not None and given is not None and given == complaint.customer_phone


def extend(
    session: Session, complaint: Complaint, *, reason: str, actor: str, skip_joint_leave: bool = True
) -> date:
    """Moves the deadline by the regime's extension, once, with a reason the customer is told."""
    if complaint.extended_at is not None:
        raise ComplaintError("Pengaduan ini sudah pernah diperpanjang; perpanjangan hanya boleh sekali.")
    if (ComplaintStatus(complaint.status), "extended") not in TRANSITIONS:
        raise ComplaintError(f"Pengaduan berstatus {complaint.status} tidak bisa diperpanjang.")
    if not reason.strip():
        raise ComplaintError("Perpanjangan perlu alasan: tulis alasannya, pelanggan akan diberi tahu.")
    rules = REGIMES[complaint.regime]
    complaint.due_date = add_working_days(
        complaint.due_date, rules.extension_days, skip_joint_leave=skip_joint_leave
    )
    complaint.extended_at = utcnow()
    _step(complaint, "extended", actor, reason.strip())
    session.flush()
    return complaint.due_date


def record_step(session: Session, complaint: Complaint, *, kind: str, actor: str, note: str | None) -> None:
    """assigned / answered / closed: the ticket's status follows the step (TRANSITIONS) and the history
    keeps it. An extension goes through extend() (once, with a reason and a new due date)."""
    if kind == "extended":
        raise ComplaintError("Perpanjangan lewat extend(): perlu alasan dan batas waktu baru.")
    _step(complaint, kind, actor, note)
    session.flush()


def mark_breaches(session: Session, *, today: date | None = None) -> list[str]:
    """The deadline job: open tickets whose due date has passed get a `breached` event, once."""
    today = today or local_date(utcnow())
    overdue = session.scalars(
        select(Complaint).where(
            Complaint.status.in_(OPEN_STATUSES),
            Complaint.due_date < today,
            Complaint.breached_at.is_(None),
        )
    )
    numbers = []
    for complaint in overdue:
        complaint.breached_at = utcnow()
        _event(complaint, "breached", "system", f"batas waktu {complaint.due_date:%d-%m-%Y} terlewati")
        numbers.append(complaint.number)
    session.flush()
    return numbers


def working_days_left(complaint: Complaint, *, today: date) -> int:
    """Working days until the deadline (0 on the due date, negative when overdue)."""
    if complaint.due_date >= today:
        return working_days_between(today, complaint.due_date)
    return -working_days_between(complaint.due_date, today)


NEAR_DEADLINE_WORKING_DAYS = 2


def near_deadline(complaint: Complaint, *, today: date) -> bool:
    """Open and due within NEAR_DEADLINE_WORKING_DAYS working days, or overdue: the console flags it."""
    return (
        complaint.status in OPEN_STATUSES
        and working_days_left(complaint, today=today) <= NEAR_DEADLINE_WORKING_DAYS
    )


_STATUS_TEXT = {
    "diterima": "sudah kami terima dan menunggu ditangani petugas",
    "diproses": "sedang ditangani petugas kami",
    "diperpanjang": "sedang ditangani dan batas waktunya diperpanjang",
    "dijawab": "sudah dijawab oleh petugas kami",
    "selesai": "sudah selesai",
}


def describe_complaint(complaint: Complaint) -> str:
    """The ticket as its owner is told about it: status, deadline, extension reason, the answer."""
    lines = [
        f"Tiket {complaint.number} (diterima {format_date(local_date(complaint.received_at))}): "
        f"pengaduan Kakak {_STATUS_TEXT.get(complaint.status, complaint.status)}."
    ]
    if complaint.resolved_at is None:
        lines.append(f"Batas waktu penyelesaian: {format_date(complaint.due_date)}.")
    extension = next((e for e in complaint.events if e.kind == "extended"), None)
    if extension is not None:
        lines.append(f"Alasan perpanjangan: {extension.note}.")
    answer = next((e for e in reversed(complaint.events) if e.kind == "answered"), None)
    if answer is not None and answer.note:
        lines.append(f"Jawaban petugas: {answer.note}")
    return "\n".join(lines)
