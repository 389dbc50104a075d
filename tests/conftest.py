"""Shared fixtures: a migrated, seeded database per test, wired into the app's cached factories."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from bot.config import get_settings
from bot.ops.seed import seed_orders
from bot.services.orders import get_order_backend
from bot.store import db
from bot.store.migrate import upgrade


def reset_caches() -> None:
    for cached in (get_settings, db.get_engine, db.get_sessionmaker, get_order_backend):
        cached.cache_clear()


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Point every part of the app (settings, engine, services) at this database."""
    monkeypatch.setenv("DATABASE_URL", url)
    reset_caches()


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: datetime) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    use_database(monkeypatch, url)
    with db.session_scope() as session:
        seed_orders(session, now=now)
    yield url
    db.get_engine().dispose()
    reset_caches()


POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL")


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A new, empty database on TEST_POSTGRES_URL's server (SQLAlchemy URL, psycopg 3), dropped afterwards."""
    if not POSTGRES_SERVER:
        pytest.skip("TEST_POSTGRES_URL is not set")
    server = make_url(POSTGRES_SERVER)
    name = f"cs_test_{uuid.uuid4().hex[:10]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with throwaway_postgres() as url:
        upgrade(url)
        use_database(monkeypatch, url)
        yield url
        db.get_engine().dispose()
        reset_caches()


REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis (scale-out tests); .ci/run starts it when it is down."""
    try:
        redis.Redis.from_url(REDIS_SERVER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.fail(f"Redis is not running at {REDIS_SERVER} (.ci/run starts it)")
    return REDIS_SERVER
