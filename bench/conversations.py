"""Scripted customer conversations for the load benchmark, in the customers' own Indonesian.

Each script is 3-6 turns, built from what the tests already use: help-centre questions from the knowledge
dev set (tests/knowledge/data/dev_set.yml), order status for an order of the seeded demo shop
(bot/demo/orders.yaml, asked with its owner's phone as tests/e2e/test_conversations.py does), a complaint
through its form (tests/e2e/test_complaints.py) and a request for a human (always the last turn: after it
the gateway routes the conversation to the agent queue, no longer to Rasa).

Mix: 40% help-centre questions, 30% order status, 15% complaint, 15% handoff.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.config import PROJECT_ROOT

DEV_SET = PROJECT_ROOT / "tests" / "knowledge" / "data" / "dev_set.yml"
DEMO_ORDERS = PROJECT_ROOT / "bot" / "demo" / "orders.yaml"

GREETINGS = ["halo kak", "pagi kak, ada orang?", "halo min", "permisi kak", "siang kak"]
THANKS = ["makasih kak", "oke makasih ya", "siap, terima kasih min", "mantap, makasih"]
ORDER_OPENERS = [
    "halo kak, pesanan sy udh smpe mana ya",
    "mau lacak orderan",
    "cek pesanan saya dong",
    "kak paket saya kok belum sampai ya",
]
ORDER_WITH_ID = ["kak paket {id} udh dmn ya", "status pesanan {id} gimana kak", "tolong cek pesanan {id}"]
COMPLAINT_OPENERS = ["saya mau komplain kak", "mau ngadu min", "mau bikin tiket komplain", "komplen dong"]
NAMES = ["Rina Wulandari", "Budi Santoso", "Dewi Lestari", "Agus Setiawan", "Siti Nurhaliza", "Eko Prasetyo"]
COMPLAINTS = [
    "refund saya belum masuk sudah 3 minggu padahal pesanannya dibatalkan penjual",
    "kurirnya kasar banget dan paket sy dilempar ke teras, tolong ditindak",
    "barang yang datang beda sama yang saya pesan, sudah chat penjual ga dibalas",
    "saldo saya kepotong dua kali untuk satu transaksi",
]
HANDOFF = [
    "mau bicara dengan CS",
    "tolong sambungkan ke CS manusia",
    "sambungin ke cs dong",
    "mau chat sama admin asli",
]
MIX = (("faq", 0.40), ("order", 0.30), ("complaint", 0.15), ("handoff", 0.15))


@dataclass(frozen=True)
class Script:
    kind: str
    turns: tuple[str, ...]


@lru_cache
def faq_questions() -> tuple[str, ...]:
    dev = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))
    return tuple(q["question"] for q in dev["answerable"])


@lru_cache
def demo_orders() -> tuple[tuple[str, str], ...]:
    """(order id, owner's phone in local 08… form) of every demo order."""
    orders = yaml.safe_load(DEMO_ORDERS.read_text(encoding="utf-8"))["orders"]
    return tuple((o["id"], "0" + o["customer"]["phone"].removeprefix("+62")) for o in orders)


def _faq(rng: random.Random) -> tuple[str, ...]:
    questions = rng.sample(faq_questions(), rng.randint(2, 4))
    opening = [rng.choice(GREETINGS)] if rng.random() < 0.5 else []
    return (*opening, *questions, rng.choice(THANKS))


def _order(rng: random.Random) -> tuple[str, ...]:
    order_id, phone = rng.choice(demo_orders())
    if rng.random() < 0.5:
        asked = (rng.choice(ORDER_OPENERS), order_id.lower() if rng.random() < 0.3 else order_id)
    else:
        asked = (rng.choice(ORDER_WITH_ID).format(id=order_id),)
    return (*asked, phone, rng.choice(THANKS))


def _complaint(rng: random.Random) -> tuple[str, ...]:
    phone = f"0812{rng.randint(10_000_000, 99_999_999)}"
    return (rng.choice(COMPLAINT_OPENERS), rng.choice(NAMES), phone, "tidak ada", rng.choice(COMPLAINTS))


def _handoff(rng: random.Random) -> tuple[str, ...]:
    return (rng.choice(GREETINGS), rng.choice(faq_questions()), rng.choice(HANDOFF))


_BUILDERS = {"faq": _faq, "order": _order, "complaint": _complaint, "handoff": _handoff}


def next_script(rng: random.Random) -> Script:
    """A random conversation from the mix (deterministic for a seeded rng)."""
    kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
    return Script(kind, _BUILDERS[kind](rng))


def all_messages(seed: int = 7, conversations: int = 200) -> list[str]:
    """A flat sample of customer messages in the same mix (for single-message benchmarks)."""
    rng = random.Random(seed)  # noqa: S311 - a sample, not a secret
    return [turn for _ in range(conversations) for turn in next_script(rng).turns]
