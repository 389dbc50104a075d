"""Engine and sessions. Nothing connects at import time: the engine is built on first use."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import get_settings


def make_engine(database_url: str) -> Engine:
    # A failed statement's error would quote its parameters (customer names, messages, phones) into the
    # traceback that gets logged; the SQL itself is enough to debug.
    quiet = {"hide_parameters": True}
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection per worker thread (anyio's pool has 40) stays open: a new SQLite connection costs
        # its PRAGMAs, and under load the default pool of 5 opened and closed one per query (bench profile).
        pooled = {"pool_size": 40, "max_overflow": 10} if path and path != ":memory:" else {}
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 15}, **pooled, **quiet
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:  # DB-API objects
            # WAL lets the gateway and the action server read while the other writes.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL syncs at checkpoints instead of every commit (2.4 ms each here): a crashed
            # process loses nothing, a power cut may lose the last commits. Production runs PostgreSQL.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # At most 20 connections per process: two gateways and two action servers stay well inside PostgreSQL's
    # default max_connections (100) beside Rasa's tracker stores (docs/deploy.md).
    return create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=10, **quiet)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def job_lock(session: Session, name: str) -> bool:
    """Take the database-wide lock of a periodic job for this transaction; False when another process
    holds it (skip this round). SQLite serves one process: always True there."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(name.encode())  # a stable 32-bit key per job name
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(key))))
