"""The `http` order backend: a shop's own order system behind ORDERS_API_URL (contract in the README).

    GET {ORDERS_API_URL}/orders/{id}                 -> 200 order JSON | 404 unknown
    GET {ORDERS_API_URL}/orders?phone=+62…&limit=5   -> 200 {"orders": [order JSON, …]} (optional)

Each attempt has a short timeout; timeouts, connection errors and 5xx are retried with exponential
backoff; anything else that is not a well-formed answer (401/403, bad JSON, missing fields) is the order
system's fault and raises OrderBackendUnavailable at once, so the bot apologises instead of guessing.
"""

from __future__ import annotations

import logging
import time
from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from bot.services.identity import normalize_phone
from bot.services.order_records import OrderBackendUnavailable, OrderLine, OrderRecord

log = logging.getLogger(__name__)

_Model = TypeVar("_Model", bound=BaseModel)
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# A rejected order's error text would quote the order (customer name, phone, e-mail): into tracebacks, logs.
_NO_INPUT_IN_ERRORS = ConfigDict(hide_input_in_errors=True)


class _Item(BaseModel):
    model_config = _NO_INPUT_IN_ERRORS

    sku: str
    name: str
    quantity: int = Field(ge=0)
    unit_price: int = Field(default=0, ge=0)


class _Order(BaseModel):
    """The order JSON of the contract; unknown fields are ignored, missing required ones reject it."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    id: str
    brand: str
    status: str
    customer_name: str = ""
    customer_phone: str
    customer_email: str | None = None
    courier: str | None = None
    courier_service: str | None = None
    resi: str | None = None
    city: str | None = None
    # With their offset: a bare "2026-11-26T10:05:00" could be WIB, WITA, WIT or UTC, and deadlines computed
    # from it would be hours off (or crash comparing it with the aware clock); nothing is guessed.
    created_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    processed_at: AwareDatetime | None = None
    shipped_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None
    completed_at: AwareDatetime | None = None
    cancelled_at: AwareDatetime | None = None
    cancel_reason: str | None = None
    items: list[_Item] = Field(default_factory=list)

    def record(self) -> OrderRecord:
        fields = self.model_dump(exclude={"items"})
        return OrderRecord(
            **{
                **fields,
                "id": self.id.upper(),
                # Ownership checks compare E.164 numbers; an order system may store "0812…".
                "customer_phone": normalize_phone(self.customer_phone) or self.customer_phone,
            },
            items=tuple(OrderLine(i.sku, i.name, i.quantity, i.unit_price) for i in self.items),
        )


class _OrderList(BaseModel):
    model_config = _NO_INPUT_IN_ERRORS

    orders: list[_Order]


class HttpOrderBackend:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout_seconds: float = 3.0,
        retries: int = 2,
        backoff_seconds: float = 0.25,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
        )
        self._retries = retries
        self._backoff = backoff_seconds

    def close(self) -> None:
        self._client.close()

    def get_order(self, order_id: str) -> OrderRecord | None:
        response = self._get(f"/orders/{quote(order_id.upper(), safe='')}")
        if response.status_code == 404:
            return None
        return self._parse(response, _Order).record()

    def recent_orders(self, phone: str, limit: int = 5) -> list[OrderRecord]:
        response = self._get("/orders", params={"phone": phone, "limit": limit})
        if response.status_code in (404, 405, 501):  # listing is optional in the contract
            return []
        orders = self._parse(response, _OrderList).orders
        return [o.record() for o in orders][:limit]

    def _get(self, path: str, params: dict[str, str | int] | None = None) -> httpx.Response:
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                response = self._client.get(path, params=params)
            except httpx.TransportError as exc:  # timeouts, refused connections, resets
                log.warning("order system %s failed (attempt %d): %s", path, attempt + 1, type(exc).__name__)
                if last:
                    raise OrderBackendUnavailable(f"order system unreachable: {type(exc).__name__}") from exc
            else:
                if response.status_code not in _RETRY_STATUSES:
                    return response
                status = response.status_code
                log.warning("order system %s answered %d (attempt %d)", path, status, attempt + 1)
                if last:
                    raise OrderBackendUnavailable(f"order system answered {status}")
            time.sleep(self._backoff * 2**attempt)
        raise AssertionError("unreachable")  # the loop returns or raises

    @staticmethod
    def _parse(response: httpx.Response, model: type[_Model]) -> _Model:
        if response.status_code != 200:
            raise OrderBackendUnavailable(f"order system answered {response.status_code}")
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            # Where and what, never the values: they are the customer's name, phone and e-mail.
            problems = [(".".join(map(str, e["loc"])), e["type"]) for e in exc.errors()[:3]]
            log.warning("order system sent an unusable answer: %s", problems)
            raise OrderBackendUnavailable("order system sent an unusable answer") from exc
