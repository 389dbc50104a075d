"""Order status through ORDERS_BACKEND=http: the action server reads a live local order system."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SHOP_TOKEN
from tests.e2e.test_conversations import ORDER, OWNER_PHONE, RESI, Chat

pytestmark = pytest.mark.e2e


def test_order_status_comes_from_the_order_system(gateway, fresh):
    chat = Chat(gateway, metadata={"channel": "whatsapp", "verified_phone": OWNER_PHONE}, trusted=True)
    reply = chat.say(f"kak paket {ORDER} udh dmn ya")
    assert '"Sedang Dikirim"' in reply
    assert RESI in reply
    assert fresh.requests[ORDER] >= 1
    assert fresh.auth_headers[-1] == f"Bearer {SHOP_TOKEN}"


def test_unknown_order_in_the_order_system_gets_a_polite_reply(gateway, fresh):
    chat = Chat(gateway)
    chat.say("mau lacak orderan")
    assert "tidak kami temukan" in chat.say("INV/20990101/MPL/0000001")


@pytest.mark.parametrize("behaviour", ["fail:99", "slow", "bad_json"])
def test_a_failing_order_system_gets_an_apology_and_a_later_try_works(gateway, fresh, behaviour):
    fresh.behaviour[ORDER] = behaviour
    fresh.slow_seconds = 3.0
    chat = Chat(gateway, metadata={"verified_phone": OWNER_PHONE}, trusted=True)
    reply = chat.say(f"status pesanan {ORDER} gimana kak")
    assert "sistem pesanan kami sedang tidak bisa diakses" in reply
    assert "belum bisa saya temukan" not in reply  # an outage is not a missing order
    assert RESI not in reply
    fresh.behaviour.clear()
    assert RESI in Chat(gateway, metadata={"verified_phone": OWNER_PHONE}, trusted=True).say(
        f"status pesanan {ORDER} gimana kak"
    )
