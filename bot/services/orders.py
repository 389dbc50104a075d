"""Order lookup: the SQL backend, the choice of backend and order-ID parsing (the records and the backend
interface: order_records.py)."""

from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.config import get_settings
from bot.services.order_records import OrderBackend, OrderLine, OrderRecord
from bot.services.orders_http import HttpOrderBackend
from bot.store.db import get_sessionmaker
from bot.store.models import Order

# The order-ID formats the shop issues (and the NLU regexes in data/nlu/regex.yml mirror):
#   INV/20261104/MPL/7712093   marketplace invoice
#   UK-2611-004821             99% Usahaku order
#   261103QX7K2M9P             date + 8 characters
ORDER_ID_PATTERN = re.compile(
    r"\b(?:INV/\d{8}/[A-Z]{2,4}/\d{5,10}|UK-\d{4}-\d{6}|\d{6}[A-Z]{2}[A-Z0-9]{6})\b",
    re.IGNORECASE,
)
# A token a customer might type as an order number in another format: letters/digits with / or -,
# at least 4 characters and at least one digit. Used only when the message is (almost) just that token.
_LOOSE_ID = re.compile(r"^[#:\s]*([A-Z0-9][A-Z0-9/\-]{2,38}[A-Z0-9])[\s.!?]*$", re.IGNORECASE)


def extract_order_id(text: str | None) -> str | None:
    """The order ID in a customer's message, upper-cased; None when there is none.

    Known formats are found anywhere in the text; any other ID-like token only when it is the whole
    message, so that "12345" typed in answer to "nomor pesanannya?" is still looked up (and politely
    reported as unknown) instead of being ignored.
    """
    if not text:
        return None
    match = ORDER_ID_PATTERN.search(text)
    if match:
        return match.group(0).upper()
    loose = _LOOSE_ID.match(text.strip())
    if loose and any(ch.isdigit() for ch in loose.group(1)):
        return loose.group(1).upper()
    return None


def _record(order: Order) -> OrderRecord:
    return OrderRecord(
        id=order.id,
        brand=order.brand,
        status=order.status,
        customer_name=order.customer_name,
        customer_phone=order.customer_phone,
        customer_email=order.customer_email,
        courier=order.courier,
        courier_service=order.courier_service,
        resi=order.resi,
        city=order.city,
        created_at=order.created_at,
        paid_at=order.paid_at,
        processed_at=order.processed_at,
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        completed_at=order.completed_at,
        cancelled_at=order.cancelled_at,
        cancel_reason=order.cancel_reason,
        items=tuple(OrderLine(i.sku, i.name, i.quantity, i.unit_price) for i in order.items),
    )


class SqlOrderBackend:
    """Orders from the project's own tables (the default backend, holding the demo shop)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def get_order(self, order_id: str) -> OrderRecord | None:
        with self._session_factory() as session:
            order = session.get(Order, order_id.upper(), options=[selectinload(Order.items)])
            return _record(order) if order else None

    def recent_orders(self, phone: str, limit: int = 5) -> list[OrderRecord]:
        with self._session_factory() as session:
            query = (
                select(Order)
                .where(Order.customer_phone == phone)
                .order_by(Order.created_at.desc())
                .limit(limit)
                .options(selectinload(Order.items))
            )
            return [_record(order) for order in session.scalars(query)]


@lru_cache
def get_order_backend() -> OrderBackend:
    """The backend ORDERS_BACKEND names: `sql` (our tables, the default) or `http` (ORDERS_API_URL)."""
    settings = get_settings()
    if settings.orders_backend == "http":
        return HttpOrderBackend(
            str(settings.orders_api_url),
            token=settings.orders_api_token.get_secret_value() if settings.orders_api_token else None,
            timeout_seconds=settings.orders_api_timeout_seconds,
            retries=settings.orders_api_retries,
        )
    return SqlOrderBackend(get_sessionmaker())
