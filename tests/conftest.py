"""Shared fixtures: a migrated, seeded database per test, wired into the app's cached factories."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from bot.config import Settings, get_settings
from bot.ops.seed import seed_orders
from bot.services.knowledge_edits import live_knowledge
from bot.services.orders import get_order_backend
from bot.store import db
from bot.store.migrate import upgrade
from tests import fuzzing
from tests.postgres import throwaway_database

# The fuzz tests keep one app (and its database) across a test's examples on purpose: the property is that
# the conversation stays usable and nothing is stored twice after everything that came before. CI runs a
# fixed sequence (reproducible); a developer's run explores new inputs each time.
hypothesis_settings.register_profile(
    "project",
    database=None,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile("project")


# `make test` runs the suite on both cores (pytest-xdist, --dist loadgroup). The tests under tests/e2e share
# one real stack per session and tests/browser one gateway and chromium, so each directory stays on one
# worker (a stack per worker would cost more than it saves); everything else is spread over both. Modules
# of tests/e2e that need no shared stack name their own group (test_scaled.py, test_knowledge_quality.py).
WORKER_GROUPS = {"e2e": "stack", "browser": "browser"}


@pytest.hookimpl(tryfirst=True)  # on a worker, before xdist's hook, which copies the groups into node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        group = WORKER_GROUPS.get(item.path.parent.name)
        if group and item.get_closest_marker("xdist_group") is None:  # a module may name its own group
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
    """Stops the run when a worker's node ids lack their groups. A lost grouping fails nothing, it only
    starts a second stack and browser and slows the run: it went unnoticed for months (xdist's hook ran
    before ours, and pytest 9.2's node ids ignore xdist's copy, pytest-dev/pytest-xdist#1386)."""
    lost = [i for i in ids if Path(i.split("::")[0]).parent.name in WORKER_GROUPS and "@" not in i]
    if lost:
        pytest.exit(f"--dist loadgroup lost the worker groups of {len(lost)} tests, e.g. {lost[0]}", 4)


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: its fuzz counts go to the controller
        workeroutput["fuzz_tried"] = dict(fuzzing.TRIED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    fuzzing.TRIED.update(getattr(node, "workeroutput", {}).get("fuzz_tried", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if fuzzing.TRIED:
        fuzzing.write_counts()
        terminalreporter.write_sep("-", "fuzz inputs tried")
        for name, n in sorted(fuzzing.TRIED.items()):
            terminalreporter.write_line(f"{name}: {n}")
        terminalreporter.write_line(f"total: {sum(fuzzing.TRIED.values())}")


def reset_caches() -> None:
    for cached in (get_settings, db.get_engine, db.get_sessionmaker, get_order_backend, live_knowledge):
        cached.cache_clear()


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Point every part of the app (settings, engine, services) at this database."""
    monkeypatch.setenv("DATABASE_URL", url)
    reset_caches()


def wait_for_rate_window(window: float, needed: float) -> None:
    """Rate limits count in fixed windows of the clock (bot/infra/ratelimit.py): sleeps into the next window
    when fewer than `needed` seconds of the current one are left, so a test's counted hits share a window."""
    left = window - time.time() % window
    if left < needed:
        time.sleep(left + 0.05)


@pytest.fixture
def one_rate_window() -> None:
    """At least 20 s of the default window left for a test that counts a few hits (a window once ended
    between the hits of one in a loaded clean-clone run: the fourth hit of three allowed passed)."""
    wait_for_rate_window(Settings.model_fields["rate_limit_window_seconds"].default, needed=20)


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head once per worker: ~280 tests each start from a copy of it (the migrations
    take ~0.2 s, the copy ~1 ms; tests/bot/store/test_migrations.py runs them on their own)."""
    path = tmp_path_factory.mktemp("migrated") / "app.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: datetime, migrated_sqlite: Path
) -> Iterator[str]:
    path = tmp_path / "app.db"
    # SQLite's backup API: a consistent copy whatever the migrations left in the write-ahead log
    with closing(sqlite3.connect(migrated_sqlite)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    url = f"sqlite:///{path}"
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
    with throwaway_database(POSTGRES_SERVER) as url:
        yield url


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
