"""The real gateway app with Rasa and the action server pointed at ports where nothing listens."""

import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.app import create_app
from bot.config import Settings
from tests.fakes.rasa_server import FakeRasa
from tests.fakes.twilio_api import FakeTwilio


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def client_without_rasa(database_url):
    """The real gateway, with Rasa and the action server pointed at ports where nothing listens."""
    settings = Settings(
        database_url=database_url,
        rasa_port=unused_port(),
        action_server_port=unused_port(),
        gateway_api_token=SecretStr("integrator-secret"),
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    """Rasa, played by a local HTTP server: channel and handoff tests are about the gateway."""
    with FakeRasa().running() as fake:
        yield fake


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    """Twilio's REST API, played by a local HTTP server."""
    with FakeTwilio().running() as fake:
        yield fake
