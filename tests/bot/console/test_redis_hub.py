"""Two gateway processes sharing PostgreSQL-or-SQLite and Redis: what happens on one is live on the other."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.config import Settings
from tests.bot.console.conftest import Console, widget_hello, widget_say


def test_a_console_on_one_gateway_sees_a_customer_on_another_and_replies_reach_them(
    make_settings: Callable[..., Settings], agents: None, redis_url: str
) -> None:
    # A prefix of its own, so parallel runs on the same Redis do not hear each other.
    settings = make_settings(redis_url=redis_url, redis_prefix=f"test-{uuid.uuid4().hex}:")
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        dewi = Console(one.app, "dewi", "dewi-demo-123", client=one)
        with (
            dewi.client.websocket_connect("/ws/agent") as feed,
            two.websocket_connect("/ws/chat") as customer,
        ):
            assert feed.receive_json()["type"] == "hello"
            widget_hello(customer)
            widget_say(customer, "bicara dengan CS", "c1")  # handled by gateway two
            frames = [feed.receive_json() for _ in range(5)]  # heard on gateway one
            assert any(f["type"] == "conversation" and f["state"] == "waiting_agent" for f in frames)
            conversation_id = next(f["conversation_id"] for f in frames if f["type"] == "message")

            dewi.post(f"/api/agent/conversations/{conversation_id}/claim")  # on gateway one
            dewi.post(
                f"/api/agent/conversations/{conversation_id}/messages", {"text": "Halo dari gateway satu"}
            )
            pushed = []
            while not any(p.get("text") == "Halo dari gateway satu" for p in pushed):
                pushed.append(customer.receive_json())  # delivered by gateway two's socket
            assert {"type": "state", "state": "with_agent", "agent": "Dewi"} in pushed
