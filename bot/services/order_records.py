"""What an order system tells us about an order, whichever backend it comes from, and its errors.

Below the backends (bot/services/orders.py for our tables, orders_http.py for a shop's API) and the
ownership check (identity.py), so that none of them imports another to get these types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class OrderServiceError(Exception):
    """Base of the order service's errors."""


class OrderBackendUnavailable(OrderServiceError):
    """The order system could not be reached or answered nonsense; the caller should apologise and retry."""


@dataclass(frozen=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class OrderRecord:
    id: str
    brand: str
    status: str
    customer_name: str
    customer_phone: str
    customer_email: str | None
    courier: str | None
    courier_service: str | None
    resi: str | None
    city: str | None
    created_at: datetime
    paid_at: datetime | None
    processed_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    items: tuple[OrderLine, ...]


class OrderBackend(Protocol):
    def get_order(self, order_id: str) -> OrderRecord | None:
        """The order, or None when the ID is unknown. Raises OrderBackendUnavailable."""
        ...

    def recent_orders(self, phone: str, limit: int = 5) -> list[OrderRecord]:
        """The newest orders placed with this E.164 phone number."""
        ...
