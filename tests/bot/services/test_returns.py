"""Damaged-goods returns by the corpus' rules: delivered only, within 3x24 jam, one open request per item,
one more try after a rejection, accepted quantity not above the reported one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.evidence import StoredEvidence
from bot.services.orders import get_order_backend
from bot.services.returns import (
    ReturnNotAllowed,
    can_view_return,
    check_eligibility,
    complete,
    decide,
    find_line,
    find_return,
    submit_return,
)
from bot.store import db
from bot.store.models import ReturnRequest

DELIVERED = "UK-2611-002463"  # delivered 18 h before seeding: 2 hijab, 3 kaos
WINDOW = 72
PHOTO = StoredEvidence("http://media/1.jpg", "evidence/1.jpg", "image/jpeg", 120, "a" * 64)
SPJ = StoredEvidence("http://media/2.pdf", "evidence/2.pdf", "application/pdf", 300, "b" * 64)


def _submit(session, now, *, quantity=1, sku="HJB-VOAL-SGE", order_id=DELIVERED):
    order = get_order_backend().get_order(order_id)
    line = next(line for line in order.items if line.sku == sku)
    return submit_return(
        session,
        order=order,
        line=line,
        quantity=quantity,
        description="jahitan robek",
        evidence=[("barang", PHOTO), ("dokumen", SPJ)],
        channel="whatsapp",
        conversation_id="c1",
        window_hours=WINDOW,
        now=now,
    )


def test_find_line_by_sku_position_or_name(database_url):
    order = get_order_backend().get_order(DELIVERED)
    assert find_line(order, "HJB-VOAL-SGE").sku == "HJB-VOAL-SGE"
    assert find_line(order, "2").sku == "KOS-CMB-30S-L"
    assert find_line(order, "yg kaos hitam").sku == "KOS-CMB-30S-L"
    assert find_line(order, "sepatu") is None


def test_a_submitted_return_has_a_number_evidence_and_history(database_url, now):
    with db.session_scope() as session:
        request = _submit(session, now, quantity=2)
        number = request.number
    with db.session_scope() as session:
        stored = find_return(session, number.lower())
        assert number.startswith("RTR-")
        assert (stored.status, stored.attempt, stored.quantity_reported) == ("diajukan", 1, 2)
        assert [e.kind for e in stored.evidence] == ["barang", "dokumen"]
        assert [e.kind for e in stored.events] == ["diajukan"]
        assert stored.customer_phone == "+6289512637408"


def test_only_delivered_orders(database_url, now):
    order = get_order_backend().get_order("UK-2611-008170")  # Sedang Dikirim
    with db.session_scope() as session, pytest.raises(ReturnNotAllowed, match="belum diterima"):
        check_eligibility(session, order, order.items[0], now=now, window_hours=WINDOW)


def test_report_within_3x24_jam_of_receipt(database_url, now):
    order = get_order_backend().get_order(DELIVERED)
    with db.session_scope() as session:
        check_eligibility(session, order, order.items[0], now=now + timedelta(hours=50), window_hours=WINDOW)
        with pytest.raises(ReturnNotAllowed, match="3x24 jam"):
            check_eligibility(
                session, order, order.items[0], now=now + timedelta(hours=60), window_hours=WINDOW
            )
        # a platform without a window (AksesToko reports at receipt) is not limited
        check_eligibility(session, order, order.items[0], now=now + timedelta(days=30), window_hours=None)


def test_quantity_at_most_what_was_delivered(database_url, now):
    with db.session_scope() as session, pytest.raises(ReturnNotAllowed, match="antara 1 dan 2"):
        _submit(session, now, quantity=3)


def test_one_open_request_per_item_but_other_items_are_free(database_url, now):
    with db.session_scope() as session:
        first = _submit(session, now)
        with pytest.raises(ReturnNotAllowed, match=first.number):
            _submit(session, now)
        _submit(session, now, sku="KOS-CMB-30S-L")


def test_after_a_rejection_exactly_one_more_submission(database_url, now):
    with db.session_scope() as session:
        first = _submit(session, now)
        with pytest.raises(ReturnNotAllowed, match="alasan"):
            decide(session, first, approve=False, actor="agent:dewi", reason=" ")
        decide(session, first, approve=False, actor="agent:dewi", reason="foto tidak jelas")
        second = _submit(session, now)
        assert second.attempt == 2
        decide(session, second, approve=False, actor="agent:dewi", reason="kerusakan bukan dari pengiriman")
        with pytest.raises(ReturnNotAllowed, match="ditolak 2 kali"):
            _submit(session, now)


def test_approval_accepts_at_most_the_reported_quantity_then_completes(database_url, now):
    with db.session_scope() as session:
        request = _submit(session, now, quantity=2)
        with pytest.raises(ReturnNotAllowed, match="antara 1 dan 2"):
            decide(
                session,
                request,
                approve=True,
                actor="agent:dewi",
                outcome="potong_invoice",
                accepted_quantity=3,
            )
        with pytest.raises(ReturnNotAllowed, match="kirim_ulang atau potong_invoice"):
            decide(session, request, approve=True, actor="agent:dewi", outcome="refund")
        decide(
            session, request, approve=True, actor="agent:dewi", outcome="potong_invoice", accepted_quantity=1
        )
        assert (request.status, request.quantity_accepted) == ("potong_invoice", 1)
        with pytest.raises(ReturnNotAllowed, match="sudah diputuskan"):
            decide(session, request, approve=False, actor="agent:dewi", reason="x")
        complete(session, request, actor="agent:dewi")
        assert [e.kind for e in request.events] == ["diajukan", "disetujui", "potong_invoice", "selesai"]
        with pytest.raises(ReturnNotAllowed, match="sudah selesai"):
            _submit(session, now)


def test_the_return_lifecycle_is_a_table_every_status_reachable_and_two_ends():
    from bot.services.returns import TRANSITIONS, ReturnStatus

    reached = {ReturnStatus.submitted} | {after for _, after in TRANSITIONS}
    assert reached == set(ReturnStatus)
    ends = set(ReturnStatus) - {before for before, _ in TRANSITIONS}
    assert ends == {ReturnStatus.rejected, ReturnStatus.done}  # a rejection is final for that request


def _request(*, conversation_id: str | None = "c1", phone: str = "+6289512637408") -> ReturnRequest:
    return ReturnRequest(number="RTR-2612-7KQ4M", conversation_id=conversation_id, customer_phone=phone)


def test_a_returns_status_is_shown_in_the_conversation_it_was_filed_in():
    assert can_view_return(_request(), conversation_id="c1", verified_phone=None)
    assert not can_view_return(_request(), conversation_id="c2", verified_phone=None)
    # a request filed outside a conversation (by an agent) is not everyone's who has no conversation either
    assert not can_view_return(_request(conversation_id=None), conversation_id=None, verified_phone=None)


def test_elsewhere_only_the_orders_phone_proven_by_the_channel_sees_it():
    assert can_view_return(_request(), conversation_id="c2", verified_phone="+6289512637408")
    assert can_view_return(_request(), conversation_id="c2", verified_phone="6289512637408")  # normalised
    assert not can_view_return(_request(), conversation_id="c2", verified_phone="+6281299999999")
    assert not can_view_return(_request(), conversation_id="c2", verified_phone="bukan nomor")
