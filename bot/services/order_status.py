"""What an order status means and what happens next, from the platforms' own help centres.

Meanings and deadlines are taken from the corpus (knowledge/corpus): 99% Usahaku "Pembelian dan
Pembatalan Pesanan" (status list, 2x24 jam to respond and to ship, 3x24 jam to confirm receipt) and AksesToko
FAQ (status list, 1x24 jam payment confirmation). Deadlines are computed from the order's own
timestamps; nothing here is invented beyond what those documents say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.order_records import OrderRecord
from bot.services.timefmt import JAKARTA, format_date, format_wib
from bot.services.workdays import add_working_days


@dataclass(frozen=True)
class StatusExplanation:
    meaning: str
    next_step: str | None
    source: str


USAHAKU_SOURCE = "FAQ 99% Usahaku — Pembelian dan Pembatalan Pesanan"
AKSESTOKO_SOURCE = "FAQ AksesToko — Cara melacak status pesanan"

_USAHAKU_MEANING = {
    "Perlu Diproses": "pembayaran berhasil, pesanan sudah terbuat dan sedang menunggu konfirmasi penjual.",
    "Perlu Dikirim": "pesanan sudah direspon penjual dan sedang disiapkan untuk dikirim.",
    "Sedang Dikirim": "pesanan sudah dikirim oleh penjual dan sedang dalam perjalanan menuju Kakak.",
    "Pesanan Selesai": "pesanan sudah diterima.",
    "Pesanan Dikomplain": "pesanan ini sedang dalam proses komplain ke pihak 99% Usahaku.",
    "Pesanan Dibatalkan": "pesanan ini sudah dibatalkan.",
}
_AKSESTOKO_MEANING = {
    "Tertunda": "pesanan sudah diterima, tetapi belum dapat diproses.",
    "Terkonfirmasi": "konfirmasi pembayaran sudah diterima dan pembuatan SO sudah selesai.",
    "Dikirim": "pesanan sudah selesai diproses dan sedang dalam pengiriman.",
    "Dalam Perjalanan": "pesanan sedang dalam perjalanan menuju alamat pengiriman.",
    "Finished": "barang sudah sampai di tempat tujuan.",
}

TWO_DAYS = timedelta(hours=48)
THREE_DAYS = timedelta(hours=72)
# "Apabila pengembalian dana belum diterima oleh Anda melebihi batas waktu yang telah ditentukan yaitu
# maksimum H+7 hari kerja, Anda dapat melakukan komplain ke Customer Service melalui cs@99usahaku.com"
# (99% Usahaku FAQ, "Mengapa dana saya masih terpotong setelah sudah membatalkan pesanan?"); H is the day the
# transaction was cancelled.
REFUND_WORKING_DAYS = 7


def _usahaku_next_step(order: OrderRecord, now: datetime, not_received: bool) -> str | None:
    status = order.status
    if status == "Perlu Diproses" and order.paid_at:
        deadline = order.paid_at + TWO_DAYS
        if deadline > now:
            return (
                f"Penjual wajib merespon paling lambat 2x24 jam, yaitu sebelum {format_wib(deadline)}. "
                "Jika tidak ada respon, pesanan otomatis dibatalkan dan dana dikembalikan sesuai metode "
                "pembayaran yang Kakak gunakan."
            )
        return (
            "Batas 2x24 jam untuk respon penjual sudah lewat, jadi pesanan akan dibatalkan otomatis dan "
            "dana dikembalikan sesuai metode pembayaran yang Kakak gunakan."
        )
    if status == "Perlu Dikirim" and order.processed_at:
        deadline = order.processed_at + TWO_DAYS
        return (
            f"Penjual wajib mengirim pesanan paling lambat 2x24 jam setelah diproses, yaitu sebelum "
            f"{format_wib(deadline)}."
        )
    if status == "Sedang Dikirim":
        return 'Kakak bisa melacak pengiriman lewat tombol "Lacak Pesanan" di halaman detail transaksi.'
    if status == "Pesanan Selesai" and order.completed_at is None and order.delivered_at and not not_received:
        deadline = order.delivered_at + THREE_DAYS
        if deadline > now:
            return (
                f"Mohon konfirmasi penerimaan produk dalam 3x24 jam, yaitu sebelum {format_wib(deadline)}. "
                "Setelah dikonfirmasi, pembayaran diteruskan ke penjual."
            )
    if status == "Pesanan Dibatalkan":
        return _refund_step(order, now)
    return None


def _refund_step(order: OrderRecord, now: datetime) -> str:
    """When a cancelled order's money is due back (H+7 working days, from the order's own cancellation
    time), and where to complain when it is late."""
    complain = "Kakak bisa komplain ke Customer Service di cs@99usahaku.com"
    if order.cancelled_at is None:
        return f"Dana dikembalikan otomatis. Jika sampai H+7 hari kerja dana belum masuk, {complain}."
    due = add_working_days(order.cancelled_at.astimezone(JAKARTA).date(), REFUND_WORKING_DAYS)
    promise = (
        "Dana dikembalikan otomatis, paling lambat H+7 hari kerja setelah pembatalan, yaitu "
        f"{format_date(due)}"
    )
    if now.astimezone(JAKARTA).date() <= due:
        return f"{promise}. Jika sampai tanggal itu dana belum masuk, {complain}."
    return (
        f"{promise}, dan batas itu sudah lewat. Jika dana belum masuk, {complain}, atau ketik "
        '"buat pengaduan" supaya pengaduannya kami catat dengan nomor tiket.'
    )


def explain_status(order: OrderRecord, now: datetime, *, not_received: bool = False) -> StatusExplanation:
    """Meaning of the order's status and the next step with its deadline, with the source named.
    not_received: the customer says the goods never reached them (no "please confirm receipt" then)."""
    if order.status in _AKSESTOKO_MEANING:
        next_step = None
        if order.status == "Tertunda":
            next_step = "Konfirmasi pembayaran membutuhkan waktu 1x24 jam."
        return StatusExplanation(_AKSESTOKO_MEANING[order.status], next_step, AKSESTOKO_SOURCE)
    meaning = _USAHAKU_MEANING.get(order.status)
    if meaning is None:
        return StatusExplanation(
            f'statusnya "{order.status}".', "Untuk arti status ini, CS kami bisa membantu menjelaskan.", ""
        )
    return StatusExplanation(meaning, _usahaku_next_step(order, now, not_received), USAHAKU_SOURCE)


# 99% Usahaku: "transaksi dapat dibatalkan jika sudah dibayar dan belum diproses oleh penjual" (FAQ,
# "Bagaimana cara saya melakukan pembatalan pesanan?"). The help-centre topic that answers a wish to cancel an
# order in this status; a cancelled order's status says it all, and AksesToko's help centre is silent on it.
_CANCELLATION_TOPIC = {
    "Perlu Diproses": "uk_buyer_cancel_order_steps",
    "Perlu Dikirim": "uk_buyer_cancel_after_seller_processed",
    "Sedang Dikirim": "uk_buyer_cancel_after_seller_processed",
    "Pesanan Selesai": "uk_buyer_cancel_after_seller_processed",
    "Pesanan Dikomplain": "uk_buyer_cancel_after_seller_processed",
}
# A wish to cancel, not a report that something was cancelled ("pesanan saya dibatalkan penjual").
_CANCEL_WISH = re.compile(
    r"\b(batalin|batalkan|batalkn|membatalkan|pembatalan|cancel|cancle|cansel|cencel)\b"
    r"|\b(mau|ingin|pengen|pingin|pgn|bisa|bs|boleh|tolong|minta)\b[^.?!\n]{0,25}\b(batal|dibatal\w*)\b",
    re.IGNORECASE,
)


def cancellation_topic(status: str, texts: list[str]) -> str | None:
    """The help-centre topic to add to an order's status when the customer asked to cancel it."""
    if not any(_CANCEL_WISH.search(text) for text in texts):
        return None
    return _CANCELLATION_TOPIC.get(status)


# "Jika barang belum juga diterima oleh Anda dan status pesanan telah berubah menjadi "Pesanan Selesai" maka
# Anda dapat mengajukan komplain ke Customer Service Usahaku melalui cs@99usahaku.com", and "Mohon untuk
# tidak mengklik tombol "Konfirmasi Selesai" sebelum Anda menerima pesanan Anda" (99% Usahaku FAQ).
_NOT_RECEIVED = re.compile(
    r"\b(?:belum|blm|ga|gak|gk|nggak|ngga|enggak|engga|tidak|tdk)\s+(?:ada\s+)?(?:nerima|menerima|terima|diterima"
    r"|sampai|sampe|nyampe|nyampai|dateng|datang)\b|\bpaket\w*\s+(?:ga|gak|nggak|tidak|tdk)\s+ada\b",
    re.IGNORECASE,
)
NOT_RECEIVED_SOURCE = "FAQ 99% Usahaku — Bagaimana jika saya tidak sengaja mengkonfirmasi penerimaan produk?"


def reported_not_received(texts: list[str]) -> bool:
    """Whether the customer says the goods have not reached them ("katanya udah diterima tapi saya ga nerima
    apa2", "paketnya ga ada")."""
    return any(_NOT_RECEIVED.search(text) for text in texts)


def not_received_step(order: OrderRecord) -> str | None:
    """What to do when an order marked delivered never arrived, in the help centre's words; None for any
    other status (on its way, "belum sampai" is what the status already says)."""
    if order.status != "Pesanan Selesai" or order.completed_at is not None:
        return None
    return (
        'Karena barangnya belum Kakak terima, mohon jangan klik tombol "Konfirmasi Selesai" dulu ya, Kak: '
        "setelah dikonfirmasi, pembayaran diteruskan ke penjual. Jika barang belum juga diterima dan status "
        'pesanan sudah "Pesanan Selesai", Kakak dapat mengajukan komplain ke Customer Service 99% Usahaku '
        'melalui cs@99usahaku.com, atau pilih "Buat pengaduan" supaya langsung saya catat dengan nomor '
        "tiket.\n"
        f"Sumber: {NOT_RECEIVED_SOURCE}"
    )
