"""The web widget's socket end to end with the real bot: the same flows and data as on WhatsApp, with the
order's contact asked for because a browser proves no phone number."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from bot.ops.stack import Stack

pytestmark = pytest.mark.e2e


class WidgetChat:
    def __init__(self, stack: Stack) -> None:
        url = f"ws://127.0.0.1:{stack.settings.gateway_port}/ws/chat"
        self.socket: ClientConnection = connect(url, open_timeout=30)
        self.socket.send(json.dumps({"type": "hello", "token": None, "brand": None, "after": 0}))
        welcome = self._next()
        assert welcome["type"] == "welcome"
        self.token: str = welcome["token"]
        self.buttons: list[dict[str, Any]] = []  # the buttons of the bot's last replies

    def _next(self) -> dict[str, Any]:
        return json.loads(self.socket.recv(timeout=60))

    def frames_until(self, done: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """Frames pushed to the widget, up to and including the first for which done() holds."""
        frames = []
        while not done(frame := self._next()):
            frames.append(frame)
        return [*frames, frame]

    def say(self, text: str) -> str:
        """The bot's messages pushed for this turn, between "typing on" and "typing off"."""
        self.socket.send(json.dumps({"type": "message", "text": text, "client_id": uuid.uuid4().hex}))
        texts: list[str] = []
        self.buttons = []
        while (frame := self._next()) != {"type": "typing", "on": False}:
            if frame["type"] == "message" and frame["author"] != "customer":
                texts.append(frame.get("text") or "")
                self.buttons += frame.get("buttons") or []
        return "\n".join(texts)


def test_order_status_in_the_widget_asks_for_the_contact_on_the_order(stack):
    chat = WidgetChat(stack)
    try:
        asked = chat.say("kak paket UK-2611-008170 udh dmn ya")
        assert "nomor HP atau e-mail" in asked
        assert "SUB3A26118926979" not in asked
        answered = chat.say("0813-2274-0915")
        assert '"Sedang Dikirim"' in answered
        assert "SUB3A26118926979" in answered
    finally:
        chat.socket.close()
