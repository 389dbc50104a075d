from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.services.order_records import OrderRecord
from bot.services.order_status import (
    AKSESTOKO_SOURCE,
    USAHAKU_SOURCE,
    cancellation_topic,
    explain_status,
    not_received_step,
    reported_not_received,
)
from bot.services.timefmt import format_rupiah, format_wib
from knowledge.faq import load_topics

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # Monday 10.00 WIB


def order(status: str, **times: datetime) -> OrderRecord:
    base = OrderRecord(
        id="UK-2611-000001",
        brand="usahaku99",
        status=status,
        customer_name="Siti",
        customer_phone="+6281322740915",
        customer_email=None,
        courier=None,
        courier_service=None,
        resi=None,
        city=None,
        created_at=NOW - timedelta(days=3),
        paid_at=None,
        processed_at=None,
        shipped_at=None,
        delivered_at=None,
        completed_at=None,
        cancelled_at=None,
        cancel_reason=None,
        items=(),
    )
    return replace(base, **times)


def test_waiting_for_seller_gives_the_auto_cancel_deadline():
    explanation = explain_status(order("Perlu Diproses", paid_at=NOW - timedelta(hours=10)), NOW)
    assert "menunggu konfirmasi penjual" in explanation.meaning
    # paid Monday 00.00 WIB: 2x24 jam runs out Wednesday 00.00 WIB
    assert "Rabu, 25 Nov 2026 pukul 00.00 WIB" in explanation.next_step
    assert "otomatis dibatalkan" in explanation.next_step
    assert explanation.source == USAHAKU_SOURCE


def test_overdue_seller_response_says_the_order_will_be_cancelled():
    explanation = explain_status(order("Perlu Diproses", paid_at=NOW - timedelta(hours=50)), NOW)
    assert "sudah lewat" in explanation.next_step


def test_to_be_shipped_gives_the_shipping_deadline():
    explanation = explain_status(order("Perlu Dikirim", processed_at=NOW - timedelta(hours=1)), NOW)
    assert "Rabu, 25 Nov 2026 pukul 09.00 WIB" in explanation.next_step


def test_delivered_not_confirmed_asks_for_confirmation_within_3x24_jam():
    delivered = order("Pesanan Selesai", delivered_at=NOW - timedelta(hours=24))
    assert "3x24 jam" in explain_status(delivered, NOW).next_step
    confirmed = replace(delivered, completed_at=NOW)
    assert explain_status(confirmed, NOW).next_step is None


def test_cancelled_mentions_refund_and_cs_contact():
    assert "cs@99usahaku.com" in explain_status(order("Pesanan Dibatalkan"), NOW).next_step


def test_a_cancelled_orders_refund_is_due_seven_working_days_after_the_cancellation():
    # cancelled Thursday 19 Nov 2026 (WIB): H+7 working days skips the weekend -> Monday 30 Nov 2026
    cancelled = order("Pesanan Dibatalkan", cancelled_at=datetime(2026, 11, 19, 4, 0, tzinfo=UTC))
    step = explain_status(cancelled, NOW).next_step
    assert "paling lambat H+7 hari kerja setelah pembatalan, yaitu Senin, 30 Nov 2026" in step
    assert "cs@99usahaku.com" in step
    assert "sudah lewat" not in step
    on_the_day = explain_status(cancelled, datetime(2026, 11, 30, 16, 0, tzinfo=UTC)).next_step  # 23.00 WIB
    assert "sudah lewat" not in on_the_day
    late = explain_status(cancelled, datetime(2026, 11, 30, 17, 30, tzinfo=UTC)).next_step  # Tue 00.30 WIB
    assert "sudah lewat" in late
    assert "buat pengaduan" in late


def test_aksestoko_statuses_are_understood():
    explanation = explain_status(order("Dalam Perjalanan"), NOW)
    assert "perjalanan menuju alamat pengiriman" in explanation.meaning
    assert explanation.source == AKSESTOKO_SOURCE


def test_unknown_status_is_reported_without_inventing_a_meaning():
    explanation = explain_status(order("Status Aneh"), NOW)
    assert "Status Aneh" in explanation.meaning
    assert explanation.source == ""


def test_formats():
    assert format_wib(NOW) == "Senin, 23 Nov 2026 pukul 10.00 WIB"
    assert format_rupiah(1250000) == "Rp1.250.000"


@pytest.mark.parametrize(
    ("status", "said", "topic"),
    [
        ("Perlu Diproses", "kak bisa cancel ga pesanan sy", "uk_buyer_cancel_order_steps"),
        ("Perlu Diproses", "mau batalin orderan aja", "uk_buyer_cancel_order_steps"),
        ("Perlu Dikirim", "sy pengen dibatalkan aja min", "uk_buyer_cancel_after_seller_processed"),
        ("Sedang Dikirim", "tolong batalkan, kelamaan", "uk_buyer_cancel_after_seller_processed"),
        ("Sedang Dikirim", "pesanan sy udh smpe mana ya", None),  # no wish to cancel
        ("Sedang Dikirim", "kenapa pesanan saya dibatalkan penjual", None),  # a report, not a wish
        ("Pesanan Dibatalkan", "mau batalin pesanan", None),  # its status already says so
        ("Dalam Perjalanan", "mau batalin pesanan", None),  # AksesToko's help centre is silent on it
    ],
)
def test_a_wish_to_cancel_gets_the_help_centres_topic_for_the_orders_status(status, said, topic):
    assert cancellation_topic(status, ["cek pesanan", said]) == topic


def test_every_cancellation_topic_is_in_the_help_centre():
    topics = {t.topic for t in load_topics()}
    statuses = ["Perlu Diproses", "Perlu Dikirim", "Sedang Dikirim", "Pesanan Selesai", "Pesanan Dikomplain"]
    assert {cancellation_topic(s, ["mau cancel"]) for s in statuses} <= topics


@pytest.mark.parametrize(
    ("text", "reported"),
    [
        ("katanya udah diterima tapi saya ga nerima apa2", True),
        ("status selesai padahal barang belum sampai", True),
        ("paketnya ga ada di rumah kak", True),
        ("barang sudah diterima, makasih", False),
        ("pesanan sy udh smpe mana ya", False),
    ],
)
def test_a_report_that_the_goods_never_arrived(text, reported):
    assert reported_not_received(["cek pesanan", text]) is reported


def test_a_delivered_order_that_never_arrived_is_not_asked_to_be_confirmed():
    delivered = order("Pesanan Selesai", delivered_at=NOW - timedelta(hours=5))
    assert "konfirmasi penerimaan" in explain_status(delivered, NOW).next_step
    assert explain_status(delivered, NOW, not_received=True).next_step is None
    assert "cs@99usahaku.com" in not_received_step(delivered)
    assert not_received_step(order("Sedang Dikirim")) is None  # on its way: the status says so already
