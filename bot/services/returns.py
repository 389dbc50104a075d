"""Returns of damaged, wrong, expired or missing goods (bot/services/return_problems.py), by the rules in the
corpus.

- AksesToko ("Terima Sebagian Rusak", FAQ AksesToko): the damaged quantity and a photo of the SPJ; the
  distributor accepts (a quantity not above the reported one) and either ships the goods again or cuts the
  invoice, or rejects; after a rejection the shop may submit once more.
- 99% Usahaku (FAQ — Retur Barang): photo/video evidence; damage caused by shipping must be reported within
  3 x 24 jam of receipt (RETURN_WINDOW_HOURS per platform).
Only delivered orders, one open request per order item, quantity at most what was delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.errors import ServiceError
from bot.services.evidence import StoredEvidence
from bot.services.identity import asked_by_owner, filed_by_asker
from bot.services.numbers import insert_numbered, readable_number
from bot.services.order_records import OrderLine, OrderRecord
from bot.services.timefmt import JAKARTA
from bot.store.models import ReturnEvent, ReturnEvidence, ReturnRequest, utcnow

MAX_ATTEMPTS = 2  # the first submission and, after a rejection, exactly one more


class ReturnStatus(StrEnum):
    submitted = "diajukan"
    approved = "disetujui"
    rejected = "ditolak"
    reshipped = "dikirim_ulang"
    invoice_cut = "potong_invoice"
    done = "selesai"


S = ReturnStatus
# The life of a request: (from, to) pairs allowed; each step is an event named after the status reached.
TRANSITIONS: frozenset[tuple[ReturnStatus, ReturnStatus]] = frozenset(
    {
        (S.submitted, S.rejected),
        (S.submitted, S.approved),
        (S.approved, S.reshipped),
        (S.approved, S.invoice_cut),
        (S.reshipped, S.done),
        (S.invoice_cut, S.done),
    }
)


OPEN_STATUSES = (
    ReturnStatus.submitted,
    ReturnStatus.approved,
    ReturnStatus.reshipped,
    ReturnStatus.invoice_cut,
)
OUTCOMES = {"kirim_ulang": ReturnStatus.reshipped, "potong_invoice": ReturnStatus.invoice_cut}


class ReturnNotAllowed(ServiceError):
    """The request breaks a rule; `reason` is the Indonesian sentence for the customer (or the agent)."""

    @property
    def reason(self) -> str:
        return self.message


def can_move(request: ReturnRequest, to: ReturnStatus) -> bool:
    return (ReturnStatus(request.status), to) in TRANSITIONS


def _move(request: ReturnRequest, to: ReturnStatus, actor: str, note: str | None = None) -> None:
    """The one way a request changes status: allowed by TRANSITIONS, recorded as an event."""
    if not can_move(request, to):
        raise ReturnNotAllowed(f"Retur {request.number} tidak bisa berubah dari {request.status} ke {to}.")
    request.status = to
    _event(request, to, actor, note)


@dataclass(frozen=True)
class Eligibility:
    line: OrderLine
    attempt: int


def _received_at(order: OrderRecord) -> datetime | None:
    return order.delivered_at or order.completed_at


def find_line(order: OrderRecord, answer: str) -> OrderLine | None:
    """The order line a customer means: its SKU (a button payload), its position or words of its name."""
    text = answer.strip().lower()
    for line in order.items:
        if text == line.sku.lower():
            return line
    if text.isdigit() and 1 <= int(text) <= len(order.items):
        return order.items[int(text) - 1]
    words = {w for w in text.replace(",", " ").split() if len(w) > 2}
    scored = [(len(words & set(line.name.lower().split())), line) for line in order.items]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    ties = [line for score, line in scored if score == best[0]]
    return best[1] if best[0] > 0 and len(ties) == 1 else None


def check_received(order: OrderRecord, *, now: datetime, window_hours: int | None) -> None:
    """Only delivered orders, and within the platform's reporting window after receipt."""
    received = _received_at(order)
    if received is None:
        raise ReturnNotAllowed(
            f'Pesanan {order.id} belum diterima (status "{order.status}"), jadi retur '
            "belum bisa diajukan. Retur diajukan setelah barang sampai, Kak."
        )
    if window_hours is not None and now - received > timedelta(hours=window_hours):
        deadline = received.astimezone(JAKARTA) + timedelta(hours=window_hours)
        raise ReturnNotAllowed(
            "Mohon maaf Kak, retur untuk pesanan ini paling lambat diajukan "
            f"{window_hours // 24}x24 jam setelah barang diterima, yaitu {deadline:%d-%m-%Y %H.%M} WIB, "
            "dan batas itu sudah lewat."
        )


def check_eligibility(
    session: Session,
    order: OrderRecord,
    line: OrderLine,
    *,
    now: datetime,
    window_hours: int | None,
) -> Eligibility:
    check_received(order, now=now, window_hours=window_hours)
    previous = list(
        session.scalars(
            select(ReturnRequest)
            .where(ReturnRequest.order_id == order.id, ReturnRequest.item_sku == line.sku)
            .order_by(ReturnRequest.id)
        )
    )
    open_request = next((r for r in previous if r.status in OPEN_STATUSES), None)
    if open_request is not None:
        raise ReturnNotAllowed(
            f"Untuk {line.name} di pesanan ini sudah ada pengajuan retur {open_request.number} yang sedang "
            "diproses, Kak."
        )
    if any(r.status == ReturnStatus.done for r in previous):
        raise ReturnNotAllowed(f"Retur untuk {line.name} di pesanan ini sudah selesai diproses, Kak.")
    if len(previous) >= MAX_ATTEMPTS:
        raise ReturnNotAllowed(
            f"Pengajuan retur untuk {line.name} sudah ditolak {len(previous)} kali; sesuai ketentuan tidak "
            "bisa diajukan lagi lewat chat."
        )
    return Eligibility(line=line, attempt=len(previous) + 1)


def _event(request: ReturnRequest, kind: str, actor: str, note: str | None = None) -> None:
    request.events.append(ReturnEvent(kind=kind, actor=actor, note=note))


def submit_return(
    session: Session,
    *,
    order: OrderRecord,
    line: OrderLine,
    quantity: int,
    description: str,
    evidence: Sequence[tuple[str, StoredEvidence]],
    channel: str,
    conversation_id: str | None,
    window_hours: int | None,
    now: datetime | None = None,
) -> ReturnRequest:
    """Checks every rule again (the form may have taken minutes) and records the request."""
    now = now or utcnow()
    eligibility = check_eligibility(session, order, line, now=now, window_hours=window_hours)
    if not 1 <= quantity <= line.quantity:
        raise ReturnNotAllowed(f"Jumlah yang diretur harus antara 1 dan {line.quantity} ({line.name}).")
    kinds = {kind for kind, _ in evidence}
    if kinds != {"barang", "dokumen"}:
        raise ReturnNotAllowed("Retur membutuhkan foto barangnya dan foto SPJ/resi.")

    def build() -> ReturnRequest:
        request = ReturnRequest(
            number=readable_number("RTR", now.astimezone(JAKARTA).date()),
            status=ReturnStatus.submitted,
            attempt=eligibility.attempt,
            order_id=order.id,
            brand=order.brand,
            item_sku=line.sku,
            item_name=line.name,
            quantity_reported=quantity,
            description=description,
            channel=channel,
            customer_phone=order.customer_phone,
            conversation_id=conversation_id,
            created_at=now,
        )
        request.evidence.extend(
            ReturnEvidence(
                kind=kind,
                source_url=item.source_url,
                stored_path=item.stored_path,
                content_type=item.content_type,
                size_bytes=item.size_bytes,
                sha256=item.sha256,
            )
            for kind, item in evidence
        )
        _event(
            request, ReturnStatus.submitted, "customer", f"pengajuan ke-{eligibility.attempt} via {channel}"
        )
        return request

    return insert_numbered(session, build)


def find_return(session: Session, number: str) -> ReturnRequest | None:
    return session.scalar(select(ReturnRequest).where(ReturnRequest.number == number.strip().upper()))


def can_view_return(
    request: ReturnRequest, *, conversation_id: str | None, verified_phone: str | None
) -> bool:
    """A return's status is personal data: it is shown in the conversation the return was filed in, or where
    the channel has proven the order's phone number (WhatsApp). Anywhere else the number alone is not proof
    enough: it could have been read off someone's screen."""
    return asked_by_owner(request, conversation_id=conversation_id, verified_phone=verified_phone)


def visible_returns(
    session: Session, *, conversation_id: str | None, verified_phone: str | None, limit: int = 5
) -> list[ReturnRequest]:
    """The returns this customer may see without naming one (can_view_return's rule), newest first: a
    customer asks "status retur saya" far more often than they keep an RTR number."""
    mine = filed_by_asker(ReturnRequest, conversation_id=conversation_id, verified_phone=verified_phone)
    if mine is None:
        return []
    newest_first = (ReturnRequest.created_at.desc(), ReturnRequest.id.desc())
    return list(session.scalars(select(ReturnRequest).where(mine).order_by(*newest_first).limit(limit)))


def decide(
    session: Session,
    request: ReturnRequest,
    *,
    approve: bool,
    actor: str,
    reason: str | None = None,
    outcome: str | None = None,
    accepted_quantity: int | None = None,
) -> ReturnRequest:
    """The distributor's or agent's decision on a submitted request."""
    if not can_move(request, S.approved if approve else S.rejected):
        raise ReturnNotAllowed(f"Retur {request.number} sudah diputuskan ({request.status}).")
    if not approve:
        reason = (reason or "").strip()
        if not reason:
            raise ReturnNotAllowed("Penolakan retur membutuhkan alasan.")
        request.decided_at = utcnow()
        request.decision_reason = reason
        _move(request, S.rejected, actor, request.decision_reason)
        session.flush()
        return request
    if outcome not in OUTCOMES:
        raise ReturnNotAllowed("Pilih hasil retur: kirim_ulang atau potong_invoice.")
    accepted = request.quantity_reported if accepted_quantity is None else accepted_quantity
    if not 1 <= accepted <= request.quantity_reported:
        raise ReturnNotAllowed(f"Jumlah yang diterima harus antara 1 dan {request.quantity_reported}.")
    request.decided_at = utcnow()
    request.quantity_accepted = accepted
    request.outcome = outcome
    request.decision_reason = (reason or "").strip() or None
    _move(request, S.approved, actor, f"{accepted} dari {request.quantity_reported} diterima")
    _move(request, OUTCOMES[outcome], actor, request.decision_reason)
    session.flush()
    return request


def complete(session: Session, request: ReturnRequest, *, actor: str) -> ReturnRequest:
    if not can_move(request, S.done):
        raise ReturnNotAllowed(f"Retur {request.number} belum bisa diselesaikan ({request.status}).")
    _move(request, S.done, actor)
    session.flush()
    return request


_STATUS_TEXT = {
    "diajukan": "sedang diperiksa oleh penjual/distributor",
    "ditolak": "ditolak",
    "dikirim_ulang": "disetujui: barang pengganti dikirim ulang",
    "potong_invoice": "disetujui: invoice dipotong",
    "selesai": "selesai",
}


def describe_return(request: ReturnRequest) -> str:
    """The return as its customer is told about it: status, accepted quantity, reason, what is next."""
    lines = [
        f"Retur {request.number} ({request.quantity_reported} x {request.item_name}, pesanan "
        f"{request.order_id}): {_STATUS_TEXT.get(request.status, request.status)}."
    ]
    if request.quantity_accepted is not None:
        lines.append(f"Jumlah yang disetujui: {request.quantity_accepted}.")
    if request.decision_reason:
        lines.append(f"Keterangan: {request.decision_reason}.")
    if request.status == "ditolak" and request.attempt == 1:
        lines.append('Kakak masih bisa mengajukan sekali lagi: ketik "retur" untuk mengajukan ulang.')
    return "\n".join(lines)
