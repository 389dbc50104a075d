"""The http order backend against a real local HTTP server playing the shop's order system."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.services.order_records import OrderBackendUnavailable, OrderLine, OrderRecord
from bot.services.orders import get_order_backend
from bot.services.orders_http import HttpOrderBackend
from tests.conftest import reset_caches
from tests.fakes.order_system import FakeOrderSystem, order_json

ORDER = OrderRecord(
    id="INV/20261120/MPL/9136301",
    brand="aksestoko",
    status="Dikirim",
    customer_name="Rina Wulandari",
    customer_phone="+6281234500001",
    customer_email="rina@example.com",
    courier="JNE",
    courier_service="REG",
    resi="JNE0012345678",
    city="Bandung",
    created_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
    paid_at=datetime(2026, 11, 20, 3, 5, tzinfo=UTC),
    processed_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
    shipped_at=datetime(2026, 11, 21, 2, 0, tzinfo=UTC),
    delivered_at=None,
    completed_at=None,
    cancelled_at=None,
    cancel_reason=None,
    items=(OrderLine("SMN-TR-50", "Semen Tiga Roda 50 kg", 10, 68000),),
)


@pytest.fixture
def shop() -> Iterator[FakeOrderSystem]:
    data = order_json(ORDER)
    local = {**data, "id": "UK-2611-000001", "customer_phone": "081234500001"}  # local-format phone
    with FakeOrderSystem({ORDER.id: data, local["id"]: local}, token="shop-secret").running() as system:
        yield system


def backend(shop: FakeOrderSystem, **kwargs: object) -> HttpOrderBackend:
    options: dict = {"token": "shop-secret", "timeout_seconds": 0.5, "backoff_seconds": 0.01, **kwargs}
    return HttpOrderBackend(shop.url, **options)


def test_reads_an_order_with_a_slash_in_its_id_and_sends_the_token(shop):
    assert backend(shop).get_order("inv/20261120/mpl/9136301") == ORDER
    assert shop.auth_headers[-1] == "Bearer shop-secret"


def test_phone_numbers_from_the_order_system_are_normalised_for_the_ownership_check(shop):
    order = backend(shop).get_order("UK-2611-000001")
    assert order is not None
    assert order.customer_phone == "+6281234500001"


def test_unknown_order_is_none_not_an_error(shop):
    assert backend(shop).get_order("UK-2611-999999") is None


def test_5xx_is_retried_with_backoff_until_it_succeeds(shop):
    shop.behaviour[ORDER.id] = "fail:2"
    assert backend(shop, retries=2).get_order(ORDER.id) == ORDER
    assert shop.requests[ORDER.id] == 3


def test_persistent_5xx_gives_up_after_the_retries(shop):
    shop.behaviour[ORDER.id] = "fail:99"
    with pytest.raises(OrderBackendUnavailable):
        backend(shop, retries=1).get_order(ORDER.id)
    assert shop.requests[ORDER.id] == 2


def test_a_slow_order_system_times_out_and_is_unavailable(shop):
    shop.behaviour[ORDER.id] = "slow"
    shop.slow_seconds = 2.0
    started = datetime.now(UTC)
    with pytest.raises(OrderBackendUnavailable):
        backend(shop, timeout_seconds=0.3, retries=1).get_order(ORDER.id)
    assert (datetime.now(UTC) - started).total_seconds() < 1.5
    assert shop.requests[ORDER.id] == 2


@pytest.mark.parametrize("behaviour", ["bad_json", "wrong_shape", "naive_times"])
def test_garbage_is_unavailable_not_a_crash(shop, behaviour):
    shop.behaviour[ORDER.id] = behaviour
    with pytest.raises(OrderBackendUnavailable):
        backend(shop).get_order(ORDER.id)
    assert shop.requests[ORDER.id] == 1  # a wrong answer is not retried


def test_a_wrong_token_is_unavailable(shop):
    with pytest.raises(OrderBackendUnavailable):
        backend(shop, token="wrong").get_order(ORDER.id)


def test_an_unreachable_order_system_is_unavailable():
    dead = HttpOrderBackend("http://127.0.0.1:9", timeout_seconds=0.3, retries=1, backoff_seconds=0.01)
    with pytest.raises(OrderBackendUnavailable):
        dead.get_order(ORDER.id)


def test_recent_orders_by_phone(shop):
    orders = backend(shop).recent_orders("+6281234500001")
    assert [o.id for o in orders] == [ORDER.id]


def test_orders_backend_setting_selects_the_http_backend(shop, monkeypatch):
    monkeypatch.setenv("ORDERS_BACKEND", "http")
    monkeypatch.setenv("ORDERS_API_URL", shop.url)
    monkeypatch.setenv("ORDERS_API_TOKEN", "shop-secret")
    reset_caches()
    try:
        assert get_order_backend().get_order(ORDER.id) == ORDER
    finally:
        reset_caches()


def test_http_backend_without_a_url_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("ORDERS_BACKEND", "http")
    monkeypatch.delenv("ORDERS_API_URL", raising=False)
    reset_caches()
    try:
        with pytest.raises(ValueError, match="ORDERS_API_URL"):
            get_order_backend()
    finally:
        reset_caches()
