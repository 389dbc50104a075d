import re
from datetime import date

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.services.orders import ORDER_ID_PATTERN, extract_order_id, get_order_backend


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cek INV/20261120/MPL/9136301 dong", "INV/20261120/MPL/9136301"),
        ("orderan sy inv/20261120/mpl/9136301 gmn", "INV/20261120/MPL/9136301"),
        ("UK-2611-003153", "UK-2611-003153"),
        ("no pesanan: uk-2611-003153.", "UK-2611-003153"),
        ("261120jxh7rlcx kak", "261120JXH7RLCX"),
        ("12345", "12345"),  # a lone unknown-format ID is still looked up
        ("#ORD-99812", "ORD-99812"),
        ("pesanan saya belum sampai", None),
        ("halo", None),
        ("", None),
        (None, None),
    ],
)
def test_extract_order_id(text, expected):
    assert extract_order_id(text) == expected


def test_demo_order_ids_all_match_the_known_formats():
    orders = yaml.safe_load((PROJECT_ROOT / "bot/demo/orders.yaml").read_text())["orders"]
    assert len(orders) >= 30
    for order in orders:
        assert ORDER_ID_PATTERN.fullmatch(order["id"]), order["id"]


def test_nlu_regexes_accept_the_same_order_ids_as_the_service():
    nlu = yaml.safe_load((PROJECT_ROOT / "data/nlu/regex.yml").read_text())["nlu"]
    patterns = next(item["examples"] for item in nlu if item.get("regex") == "order_id")
    nlu_patterns = [re.compile(line[2:].strip()) for line in patterns.splitlines() if line.strip()]
    samples = [
        "INV/20261120/MPL/9136301",
        "UK-2611-003153",
        "261120JXH7RLCX",
        "UK-261-003153",
        "INV/2026/X/1",
    ]
    for sample in samples:
        by_nlu = any(p.fullmatch(sample) for p in nlu_patterns)
        assert by_nlu == bool(ORDER_ID_PATTERN.fullmatch(sample)), sample


def test_sql_backend_reads_a_seeded_order_with_items(database_url):
    order = get_order_backend().get_order("uk-2611-008170")
    assert order is not None
    assert order.status == "Sedang Dikirim"
    assert order.customer_phone == "+6281322740915"
    assert order.resi == "SUB3A26118926979"
    assert order.items
    assert all(line.quantity > 0 for line in order.items)


def test_sql_backend_unknown_order_is_none(database_url):
    assert get_order_backend().get_order("INV/20990101/MPL/0000000") is None


def test_recent_orders_are_the_phone_owners_newest_first(database_url):
    orders = get_order_backend().recent_orders("+6281322740915", limit=5)
    assert [o.id for o in orders] == ["INV/20261120/MPL/9136301", "UK-2611-008170", "261115UMHVRSGA"]
    assert get_order_backend().recent_orders("+6280000000000") == []


def test_timestamps_read_back_aware_so_deadlines_can_be_computed(database_url, now):
    """SQLite keeps no offset; a naive paid_at made the 2x24 jam deadline of Perlu Diproses crash."""
    from bot.services.order_status import explain_status

    order = get_order_backend().get_order("INV/20261120/MPL/9136301")  # Perlu Diproses, paid 6 h ago
    assert order.paid_at.tzinfo is not None
    assert "2x24 jam" in explain_status(order, now).next_step


def test_nlu_regexes_accept_the_same_ticket_and_return_numbers_as_the_actions():
    from actions.complaints import TICKET_PATTERN
    from actions.returns import RETURN_PATTERN
    from bot.services.numbers import readable_number

    nlu = yaml.safe_load((PROJECT_ROOT / "data/nlu/regex.yml").read_text())["nlu"]
    for entity, prefix, pattern in (
        ("ticket_id", "PGD", TICKET_PATTERN),
        ("return_id", "RTR", RETURN_PATTERN),
    ):
        examples = next(item["examples"] for item in nlu if item.get("regex") == entity)
        nlu_pattern = re.compile(examples.strip()[2:])
        for _ in range(50):
            number = readable_number(prefix, date(2026, 12, 1))
            assert nlu_pattern.fullmatch(number), number
            assert pattern.fullmatch(number), number
