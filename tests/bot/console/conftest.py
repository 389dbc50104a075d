"""The real gateway with Rasa and Twilio played locally, the demo agents, and helpers for both sides."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.testclient import WebSocketTestSession

from bot.app import create_app
from bot.config import Settings
from bot.ops.seed import seed_agents
from bot.store import db
from tests.bot.conftest import unused_port
from tests.fakes.rasa_server import FakeRasa
from tests.fakes.twilio_api import FakeTwilio

PUBLIC = "https://cs.example.test"


@pytest.fixture
def make_settings(
    database_url: str, rasa: FakeRasa, twilio: FakeTwilio, tmp_path: Any
) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "rasa_url": rasa.url,
            "action_server_port": unused_port(),
            "public_base_url": PUBLIC,
            "twilio_account_sid": twilio.account_sid,
            "twilio_auth_token": SecretStr(twilio.auth_token),
            "twilio_whatsapp_number": "+14155238886",
            "twilio_api_base_url": twilio.url,
            "outbox_retry_base_seconds": 0.05,
            "outbox_poll_seconds": 0.05,
            "upload_dir": tmp_path / "uploads",
            "gateway_api_token": SecretStr("integrator-secret"),
        }
        return Settings(**{**values, **overrides})

    return make


@pytest.fixture
def agents(database_url: str) -> None:
    with db.session_scope() as session:
        seed_agents(session)


@pytest.fixture
def app_client(make_settings: Callable[..., Settings], agents: None) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as client:
        yield client


class Console:
    """An agent using the console API with their own cookie jar and CSRF token."""

    def __init__(self, app: Any, username: str, password: str, client: TestClient | None = None) -> None:
        # A client of its own keeps its own cookies; pass the app's running client when the app holds
        # resources bound to its event loop (Redis).
        self.client = client or TestClient(app)
        response = self.client.post("/api/agent/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        self.csrf = response.json()["csrf_token"]

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, json: Any = None) -> Any:
        return self.client.post(path, json=json, headers={"X-CSRF-Token": self.csrf})


@pytest.fixture
def console(app_client: TestClient) -> Callable[[str], Console]:
    passwords = {"dewi": "dewi-demo-123", "budi": "budi-demo-123", "sari": "sari-demo-123"}
    return lambda username: Console(app_client.app, username, passwords[username])


def widget_hello(ws: WebSocketTestSession, token: str | None = None) -> dict[str, Any]:
    ws.send_json({"type": "hello", "token": token, "brand": None, "after": 0})
    welcome = ws.receive_json()
    assert welcome["type"] == "welcome"
    return welcome


def widget_say(ws: WebSocketTestSession, text: str, client_id: str) -> list[dict[str, Any]]:
    """The frames of one turn, up to "typing off"."""
    ws.send_json({"type": "message", "text": text, "client_id": client_id})
    frames = []
    while (frame := ws.receive_json()) != {"type": "typing", "on": False}:
        frames.append(frame)
    return frames


def widget_turn(client: TestClient, text: str) -> list[dict[str, Any]]:
    """A new widget visitor sends one message; the frames of that turn."""
    with client.websocket_connect("/ws/chat") as ws:
        widget_hello(ws)
        return widget_say(ws, text, "c1")


def texts(frames: list[dict[str, Any]]) -> list[str]:
    return [f.get("text") or "" for f in frames if f["type"] == "message" and f["author"] != "customer"]
