"""Order status through ORDERS_BACKEND=http: the action server reads a live local order system."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.ops.stack import Stack
from bot.services.orders import SqlOrderBackend
from bot.store import db
from bot.store.models import Order
from tests.e2e.stack import restarted_with
from tests.e2e.test_conversations import ORDER, OWNER_PHONE, RESI, Chat
from tests.fakes.order_system import FakeOrderSystem, order_json

pytestmark = pytest.mark.e2e

SHOP_TOKEN = "e2e-shop-token"


@pytest.fixture(scope="module")
def shop(stack: Stack) -> Iterator[FakeOrderSystem]:
    """The demo orders served over HTTP, and the action server restarted to read them from there."""
    engine = db.make_engine(stack.settings.database_url)
    sql = SqlOrderBackend(sessionmaker(engine))
    with sessionmaker(engine)() as session:
        ids = list(session.scalars(select(Order.id)))
    orders = {order_id: order_json(sql.get_order(order_id)) for order_id in ids}
    engine.dispose()
    with FakeOrderSystem(orders, token=SHOP_TOKEN).running() as system:
        env = {
            "ORDERS_BACKEND": "http",
            "ORDERS_API_URL": system.url,
            "ORDERS_API_TOKEN": SHOP_TOKEN,
            "ORDERS_API_TIMEOUT_SECONDS": "1",
            "ORDERS_API_RETRIES": "1",
        }
        with restarted_with(stack, "actions", env):
            yield system


@pytest.fixture
def fresh(shop: FakeOrderSystem) -> FakeOrderSystem:
    shop.behaviour.clear()
    shop.requests.clear()
    return shop


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
    assert RESI not in reply
    fresh.behaviour.clear()
    assert RESI in Chat(gateway, metadata={"verified_phone": OWNER_PHONE}, trusted=True).say(
        f"status pesanan {ORDER} gimana kak"
    )
