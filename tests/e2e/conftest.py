"""A real stack (Rasa, action server, gateway) on free ports with a throwaway database."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.ops.stack import Stack
from bot.services.orders import SqlOrderBackend
from bot.store import db
from bot.store.models import Order
from tests.conftest import reset_caches
from tests.e2e.stack import NoModel, restarted_with, throwaway_stack
from tests.fakes.order_system import FakeOrderSystem, order_json
from tests.fakes.twilio_api import FakeTwilio

API_TOKEN = "e2e-integrator-token"
SHOP_TOKEN = "e2e-shop-token"


@pytest.fixture(scope="session")
def twilio() -> Iterator[FakeTwilio]:
    """Twilio's REST API, played locally; the stack sends WhatsApp replies and fetches media here."""
    with FakeTwilio().running() as fake:
        yield fake


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, twilio: FakeTwilio) -> Iterator[Stack]:
    try:
        running = throwaway_stack(
            tmp_path_factory.mktemp("stack"),
            twilio,
            gateway_api_token=SecretStr(API_TOKEN),
            outbox_retry_base_seconds=0.2,
            outbox_poll_seconds=0.5,
            # Every message a waiting customer sends is acknowledged (no burst window), so "every message
            # gets a polite reply" holds at any hour, in or out of the queue; the window has its own test
            # (tests/bot/handoff/test_waiting.py).
            handoff_ack_minutes=0,
        )
    except NoModel as exc:
        pytest.fail(str(exc))
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.settings.gateway_port}", timeout=60) as client:
        yield client


@pytest.fixture
def stack_db(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lets a test read the stack's database through the app's own session_scope."""
    monkeypatch.setenv("DATABASE_URL", stack.settings.database_url)
    reset_caches()
    yield
    db.get_engine().dispose()
    reset_caches()


@pytest.fixture(scope="module")
def shop(stack: Stack) -> Iterator[FakeOrderSystem]:
    """The demo orders served over HTTP, and the action server restarted to read them from there until the
    module's last test (tests/e2e/test_orders_http.py, the order-system faults of test_faults.py)."""
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
