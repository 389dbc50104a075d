"""A throwaway stack (Rasa, action server, gateway) on free ports with its own seeded database and a local
fake Twilio, or its scale-out variant behind nginx: for the e2e tests and the benchmarks."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.ops.rasa_env import model_path_for, training_hash
from bot.ops.scaled import ScaledStack
from bot.ops.seed import seed_agents, seed_orders
from bot.ops.stack import Stack
from bot.store import db
from bot.store.migrate import upgrade
from tests.fakes.twilio_api import FakeTwilio

WHATSAPP_NUMBER = "+14155238886"


class NoModel(Exception):
    """No trained model for the current data."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throwaway_settings(tmp: Path, twilio: FakeTwilio, **overrides: Any) -> Settings:
    """Settings for a stack on free ports, with its files under tmp and WhatsApp pointed at the fake."""
    gateway_port = free_port()
    return Settings(
        **{
            "environment": "test",
            "database_url": f"sqlite:///{tmp / 'app.db'}",
            "rasa_tracker_store_url": f"sqlite:///{tmp / 'tracker.db'}",
            "gateway_host": "127.0.0.1",
            "gateway_port": gateway_port,
            "rasa_port": free_port(),
            "action_server_port": free_port(),
            "public_base_url": f"http://127.0.0.1:{gateway_port}",
            "twilio_account_sid": twilio.account_sid,
            "twilio_auth_token": SecretStr(twilio.auth_token),
            "twilio_whatsapp_number": WHATSAPP_NUMBER,
            "twilio_api_base_url": twilio.url,
            "evidence_dir": tmp / "evidence",
            "upload_dir": tmp / "uploads",
            # Every simulated customer (and the benchmark's hundreds) writes from loopback, faster than a
            # person: the limits have their own tests (tests/bot/infra/test_ratelimit.py).
            "rate_limit_per_sender": 0,
            "rate_limit_per_address": 0,
            **overrides,
        }
    )


def current_model() -> Path:
    model = model_path_for(training_hash())
    if not model.exists():
        raise NoModel("no trained model for the current data: run `make train` (make test does it first)")
    return model


def migrate_and_seed(database_url: str) -> None:
    """The schema and the demo shop (orders, agents)."""
    upgrade(database_url)
    engine = db.make_engine(database_url)
    with Session(engine) as session, session.begin():
        seed_orders(session, now=datetime.now(UTC))
        seed_agents(session)
    engine.dispose()


def throwaway_stack(tmp: Path, twilio: FakeTwilio, **overrides: Any) -> Stack:
    """A stack (not started yet) whose database is migrated and seeded with the demo shop."""
    model = current_model()
    settings = throwaway_settings(tmp, twilio, **overrides)
    migrate_and_seed(settings.database_url)
    return Stack(settings, model, log_dir=tmp / "log")


def throwaway_scaled_stack(
    tmp: Path, twilio: FakeTwilio, *, database_url: str, redis_url: str, **overrides: Any
) -> ScaledStack:
    """nginx, two gateways, two Rasa servers and two action servers (not started yet) on free ports, on
    the given (empty) PostgreSQL database and Redis."""
    model = current_model()
    settings = throwaway_settings(
        tmp,
        twilio,
        database_url=database_url,
        rasa_tracker_store_url=None,  # Rasa's tracker store on the same PostgreSQL database
        redis_url=redis_url,
        **overrides,
    )
    migrate_and_seed(settings.database_url)
    return ScaledStack(
        settings, model, log_dir=tmp / "log", port_for=lambda _kind, _i: free_port(), nginx_dir=tmp / "nginx"
    )


@contextmanager
def restarted_with(stack: Stack, service: str, env: dict[str, str]) -> Iterator[None]:
    """Run one process of the stack with extra environment variables, then restore it as it was."""
    process = stack.services[service]
    original = process.env
    stack.stop_service(service)
    process.env = {**original, **env}
    stack.start_service(service)
    try:
        yield
    finally:
        stack.stop_service(service)
        process.env = original
        stack.start_service(service)


@contextmanager
def stopped(stack: Stack, service: str) -> Iterator[None]:
    """One process of the stack down (SIGTERM, as an operator or a crash-looping supervisor would leave
    it), then started again with the same environment and waited for until healthy."""
    stack.stop_service(service)
    try:
        yield
    finally:
        stack.start_service(service)
