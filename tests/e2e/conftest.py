"""A real stack (Rasa, action server, gateway) on free ports with a throwaway database."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.ops.rasa_env import model_path_for, training_hash
from bot.ops.seed import seed_orders
from bot.ops.stack import Stack
from bot.store import db
from bot.store.migrate import upgrade
from tests.conftest import reset_caches

API_TOKEN = "e2e-integrator-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    model = model_path_for(training_hash())
    if not model.exists():
        pytest.fail("no trained model for the current data: run `make train` (make test does it first)")
    tmp: Path = tmp_path_factory.mktemp("stack")
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp / 'app.db'}",
        rasa_tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
        gateway_host="127.0.0.1",
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_server_port=free_port(),
        gateway_api_token=SecretStr(API_TOKEN),
        evidence_dir=tmp / "evidence",
    )
    upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    with Session(engine) as session, session.begin():
        seed_orders(session, now=datetime.now(UTC))
    engine.dispose()
    running = Stack(settings, model, log_dir=tmp / "log")
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.settings.gateway_port}", timeout=60) as client:
        yield client


@pytest.fixture
def stack_db(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lets a test read the stack's database through the app's own session_scope."""
    monkeypatch.setenv("DATABASE_URL", stack.settings.database_url)
    reset_caches()
    yield
    db.get_engine().dispose()
    reset_caches()
