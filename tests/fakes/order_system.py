"""A real HTTP server on a free port that plays a shop's order system (the edge of the world).

Orders are served as the README's contract says. Per-order behaviours reproduce what real order
systems do wrong: `slow` (answers after a delay), `fail:N` (N answers of 500, then the order),
`bad_json` (a 200 that is not JSON), `wrong_shape` (JSON without the required fields) and `naive_times` (the
order with its timestamps stripped of their offset, as a shop's MySQL might send them). `stopped()` takes
the whole system off the network for a while (connections refused), then serves again on the same port.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from bot.services.order_records import OrderRecord


def order_json(record: OrderRecord) -> dict[str, Any]:
    data = asdict(record)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat()
    data["items"] = [asdict(line) for line in record.items]
    return data


def _without_offsets(order: dict[str, Any]) -> dict[str, Any]:
    return {
        key: datetime.fromisoformat(value).replace(tzinfo=None).isoformat()
        if key.endswith("_at") and isinstance(value, str)
        else value
        for key, value in order.items()
    }


class FakeOrderSystem:
    def __init__(self, orders: dict[str, dict[str, Any]], token: str | None = None) -> None:
        self.orders = {key.upper(): value for key, value in orders.items()}
        self.behaviour: dict[str, str] = {}
        self.token = token
        self.slow_seconds = 5.0
        self.requests: Counter[str] = Counter()
        self.auth_headers: list[str | None] = []
        self.url = ""
        self._server: ThreadingHTTPServer | None = None

    @contextmanager
    def running(self) -> Iterator[FakeOrderSystem]:
        self._serve(0)
        try:
            yield self
        finally:
            self._shut()

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """The order system is down (nothing listens on its port), then back on the same URL."""
        assert self._server is not None, "stopped() is only meaningful inside running()"
        port = self._server.server_address[1]
        self._shut()
        try:
            yield
        finally:
            self._serve(port)

    def _serve(self, port: int) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}"

    def _shut(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        system = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # http.server names it so
                parts = urlsplit(self.path)
                system.auth_headers.append(self.headers.get("Authorization"))
                if system.token and self.headers.get("Authorization") != f"Bearer {system.token}":
                    self._send(401, {"error": "unauthorized"})
                    return
                if parts.path == "/orders":
                    phone = parse_qs(parts.query).get("phone", [""])[0]
                    found = [o for o in system.orders.values() if o["customer_phone"] == phone]
                    self._send(200, {"orders": found})
                    return
                if not parts.path.startswith("/orders/"):
                    self._send(404, {"error": "not found"})
                    return
                order_id = unquote(parts.path.removeprefix("/orders/")).upper()
                system.requests[order_id] += 1
                behaviour = system.behaviour.get(order_id, "")
                if behaviour == "slow":
                    time.sleep(system.slow_seconds)
                elif behaviour.startswith("fail:") and system.requests[order_id] <= int(behaviour[5:]):
                    self._send(500, {"error": "internal"})
                    return
                elif behaviour == "bad_json":
                    self._send_raw(200, b"<html>Maintenance</html>")
                    return
                elif behaviour == "wrong_shape":
                    self._send(200, {"order": order_id})
                    return
                elif behaviour == "naive_times" and order_id in system.orders:
                    self._send(200, _without_offsets(system.orders[order_id]))
                    return
                order = system.orders.get(order_id)
                if order is None:
                    self._send(404, {"error": "unknown order"})
                else:
                    self._send(200, order)

            def _send(self, status: int, body: dict[str, Any]) -> None:
                self._send_raw(status, json.dumps(body).encode())

            def _send_raw(self, status: int, body: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        return Handler
