"""A local HTTP server playing Rasa's REST channel, for gateway tests that are about the gateway.

`reply(sender, text, metadata)` decides the answer; by default "halo" gets buttons, "panjang" a
3,000-character text, "… bicara dengan CS …" the handoff control payload, anything else an echo.
`down = True` answers 500. It also answers the action server's `GET /health` (with `down`), which the gateway
asks when Rasa says nothing: point `action_server_url` at it for a bot that is up but chose to listen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.http_fake import json_body, serve

LONG_PARAGRAPH = (
    "Ini adalah kalimat penjelasan yang cukup panjang tentang kebijakan pengembalian barang. "
    "Mohon dibaca sampai habis ya, Kak. "
)
LONG_TEXT = "\n\n".join((f"Bagian {i}. " + LONG_PARAGRAPH * 4).strip() for i in range(1, 7))  # ~ 3,000 chars


def default_reply(sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    if text.strip().lower() == "halo":
        return [
            {
                "text": "Halo Kak, ada yang bisa kami bantu?",
                "buttons": [
                    {"title": "Cek pesanan", "payload": "/check_order_status"},
                    {"title": "Ajukan komplain", "payload": "/file_complaint"},
                ],
            }
        ]
    if "bicara dengan cs" in text.lower():  # the bot asks the gateway for a human, as action_request_human
        return [
            {"text": "Baik Kak, permintaan Kakak sudah kami catat."},
            {"custom": {"handoff": {"reason": "customer_request"}}},
        ]
    if text.strip().lower() == "panjang":
        return [{"text": LONG_TEXT}]
    return [{"text": f"Kamu bilang: {text}"}]


@dataclass
class FakeRasa:
    reply: Callable[[str, str, dict[str, Any]], list[dict[str, Any]]] = default_reply
    down: bool = False
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)

    def _handle(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        if request.command == "GET" and request.path == "/status":
            return json_body(200, {"model_file": "fake.tar.gz"})
        if request.command == "GET" and request.path == "/health":
            return json_body(500 if self.down else 200, {"status": "down" if self.down else "ok"})
        if request.command != "POST" or request.path != "/webhooks/rest/webhook":
            return json_body(404, {"error": "not found"})
        if self.down:
            return json_body(500, {"error": "down"})
        message = json.loads(body)
        self.received.append(message)
        replies = self.reply(message["sender"], message["message"], message.get("metadata") or {})
        return json_body(200, [{"recipient_id": message["sender"], **r} for r in replies])

    @contextmanager
    def running(self, port: int = 0) -> Iterator[FakeRasa]:
        with serve(self._handle, port) as url:
            self.url = url
            yield self
