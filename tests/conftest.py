"""Shared fixtures: a migrated, seeded database per test, wired into the app's cached factories."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

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
