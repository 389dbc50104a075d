"""A customer only ever sees their own orders, returns and tickets: customer B tries customer A's order ID,
A's return number and A's ticket number over every channel (REST, REST with a forged verified_phone,
WhatsApp from B's own number, the web widget) and gets a polite Indonesian refusal that reveals nothing of
A's. An owner control shows the same questions do reveal those details to A, so the checks are not vacuous.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Protocol

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.ops.stack import Stack
from bot.services.complaints import extend, file_complaint
from bot.services.orders import SqlOrderBackend
from bot.services.returns import decide
from bot.store import db
from tests.e2e.test_conversations import Chat
from tests.e2e.test_whatsapp import WhatsAppChat
from tests.e2e.test_widget_chat import WidgetChat
from tests.factories import a_return
from tests.fakes.twilio_api import FakeTwilio

pytestmark = pytest.mark.e2e

# Customer A (bot/demo/orders.yaml): Rina Marlina, Bogor; "Pesanan Dikomplain", delivered 40 h before
# seeding, resi JP1024370866: 10 dus Keramik Lantai 40x40, 3 Semen Nat Keramik.
A_ORDER = "INV/20261113/MPL/7090992"
A_PHONE = "+6289637184520"
A_RETURN_REASON = "hanya satu sak yang bocor"
A_EXTENSION_REASON = "menunggu hasil cek gudang"
# What only A may learn: name, contact, address, items, courier, statuses and the details of A's return and
# ticket. None of these words occurs in a refusal.
A_DETAILS = (
    "Rina",
    "Marlina",
    "rina.marlina",
    "7184520",
    "Bogor",
    "JP1024370866",
    "Keramik",
    "Semen Nat",
    "Dikomplain",
    "berstatus",
    "Diterima:",
    "belum diterima",
    "sudah lewat",
    "dikirim ulang",
    "Jumlah yang disetujui",
    A_RETURN_REASON,
    "Batas waktu",
    "Alasan perpanjangan",
    A_EXTENSION_REASON,
)

CHANNELS = ("rest", "rest-forged", "whatsapp", "widget")
RETURN_REFUSAL = "retur belum saya catat"


@dataclass(frozen=True)
class Victim:
    """Customer A's order, return and ticket numbers."""

    order: str
    return_number: str
    ticket: str


@dataclass(frozen=True)
class Target:
    opening: str  # B's first message; {order}, {return_number}, {ticket} are A's
    asks_contact: bool  # the bot asks for the phone or e-mail on it (B gives B's own, twice)
    refusal: str  # what the bot's last reply says instead of A's details
    prober: str  # customer B: another demo customer (own WhatsApp conversation per target)


TARGETS = {
    "order-status": Target(
        "status pesanan {order} gimana kak", True, "detail pesanan hanya bisa", "+6281265438807"
    ),
    "return-on-order": Target(
        "kak barang dr pesanan {order} ada yg pecah, mau retur",
        True,
        RETURN_REFUSAL,
        "+6285640218733",
    ),
    "return-status": Target(
        "status retur {return_number} gmn kak", False, "status retur hanya bisa", "+6281588213470"
    ),
    "ticket-status": Target("status tiket {ticket} gimana ya", True, "pemilik tiket", "+6282144718390"),
}


class Chatting(Protocol):
    def say(self, text: str) -> str: ...


class Customer:
    """Everything a customer is shown for each message: the text and, where the channel sends them apart
    from it (REST, widget), the buttons; WhatsApp writes buttons into the text."""

    def __init__(self, chat: Chatting) -> None:
        self.chat = chat

    def say(self, text: str) -> str:
        said = self.chat.say(text)
        buttons = getattr(self.chat, "buttons", [])
        return "\n".join([said, *(f"[{b['title']} | {b['payload']}]" for b in buttons)])


@pytest.fixture(scope="module")
def victim(stack: Stack) -> Victim:
    """A's return (2 reported, 1 approved) and ticket (extended), written into the stack's database."""
    engine = db.make_engine(stack.settings.database_url)
    order = SqlOrderBackend(sessionmaker(engine)).get_order(A_ORDER)
    assert order is not None
    with Session(engine) as session, session.begin():
        request = a_return(
            session,
            order,
            item=1,
            quantity=2,
            description="dua sak semen nat bocor",
            conversation_id="conversation-of-a",
        )
        decide(
            session,
            request,
            approve=True,
            actor="agent:dewi",
            outcome="kirim_ulang",
            accepted_quantity=1,
            reason=A_RETURN_REASON,
        )
        complaint = file_complaint(
            session,
            customer_name=order.customer_name,
            customer_phone=A_PHONE,
            description="kurir minta ongkos tambahan waktu antar keramik",
            channel="whatsapp",
            order_id=A_ORDER,
            conversation_id="conversation-of-a",
        )
        extend(session, complaint, reason=A_EXTENSION_REASON, actor="agent:dewi")
        numbers = Victim(A_ORDER, request.number, complaint.number)
    engine.dispose()
    return numbers


@contextmanager
def customer(
    channel: str, phone: str, gateway: httpx.Client, twilio: FakeTwilio, stack: Stack
) -> Iterator[Customer]:
    """Customer `phone` on a channel; on "rest-forged" an untrusted caller also claims to be A."""
    if channel == "whatsapp":
        yield Customer(WhatsAppChat(gateway, twilio, phone))
    elif channel == "widget":
        widget = WidgetChat(stack)
        try:
            yield Customer(widget)
        finally:
            widget.socket.close()
    elif channel == "rest-forged":
        claims_to_be_a = {"channel": "whatsapp", "verified_phone": A_PHONE}
        yield Customer(Chat(gateway, metadata=claims_to_be_a, trusted=False))
    else:
        yield Customer(Chat(gateway))


def local(phone: str) -> str:
    """+6281265438807 -> 0812-6543-8807: how customers type their number."""
    digits = "0" + phone.removeprefix("+62")
    return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"


def assert_reveals_nothing_of_a(replies: list[str]) -> None:
    said = "\n".join(replies)
    leaked = [detail for detail in A_DETAILS if detail.lower() in said.lower()]
    assert not leaked, f"{leaked} in:\n{said}"
    assert all(reply.strip() for reply in replies), replies  # every message got an answer


def prove_with_own_phone(chat: Customer, phone: str, replies: list[str], refusal: str) -> None:
    """B answers "which phone is on it?" with B's own number while the bot asks (at most twice)."""
    for _ in range(2):
        if "nomor HP" not in replies[-1] or refusal in replies[-1]:
            return
        replies.append(chat.say(local(phone)))


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_another_customer_learns_nothing_of_a(gateway, twilio, stack, stack_db, victim, target, channel):
    with customer(channel, target.prober, gateway, twilio, stack) as b:
        replies = [b.say(target.opening.format(**asdict(victim)))]
        if target.asks_contact:
            assert "nomor HP" in replies[0], replies  # the ownership question, not A's details
        prove_with_own_phone(b, target.prober, replies, target.refusal)
    assert_reveals_nothing_of_a(replies)
    last = replies[-1]
    assert target.refusal in last, replies
    assert "maaf" in last.lower()
    assert "Kak" in last


# Andi Muhammad Fadli: his own order delivered 68 h before seeding (inside the 3x24 jam window).
SWITCHER = "+6285342117860"
SWITCHER_ORDER = "INV/20261113/MPL/4843710"


@pytest.mark.parametrize("channel", CHANNELS)
def test_switching_a_return_to_a_different_customers_order_asks_for_its_owner_again(
    gateway, twilio, stack, stack_db, victim, channel
):
    """B proves B's own order, then names A's order mid-form: the ownership check starts over."""
    with customer(channel, SWITCHER, gateway, twilio, stack) as b:
        own = b.say(f"kak barang dr pesanan {SWITCHER_ORDER} ada yg rusak, mau retur")
        if "nomor HP" in own:  # no channel-verified phone: B proves it with the contact on the order
            own = b.say(local(SWITCHER))
        assert "Cat Tembok Catylac" in own  # B's own items offered: B passed the check for B's order
        replies = [b.say(f"eh salah kak, yg rusak dari pesanan {victim.order}")]
        assert "nomor HP" in replies[0], replies  # A's order: the ownership question again
        prove_with_own_phone(b, SWITCHER, replies, RETURN_REFUSAL)
    assert_reveals_nothing_of_a(replies)
    assert RETURN_REFUSAL in replies[-1], replies


@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_owner_control_a_does_see_these_details(gateway, victim, target):
    """The same first message from A on a verified channel shows what the tests above look for."""
    a = Customer(Chat(gateway, metadata={"channel": "whatsapp", "verified_phone": A_PHONE}, trusted=True))
    reply = a.say(target.opening.format(**asdict(victim)))
    assert any(detail.lower() in reply.lower() for detail in A_DETAILS), reply
