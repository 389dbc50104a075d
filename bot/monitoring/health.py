"""GET /health: each dependency's state, so an operator sees which one is failing."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import httpx
import redis
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.api.deps import HttpDep, LocksDep, RasaDep, SessionsDep, SettingsDep
from bot.channels.whatsapp_outbox import outbox_health
from bot.conversations.rasa import RasaUnavailable
from bot.infra.locks import RedisLocks

router = APIRouter(tags=["health"])


async def _rasa(rasa: RasaDep) -> dict[str, Any]:
    try:
        status = await rasa.status()
    except RasaUnavailable as exc:
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "model": status.get("model_file")}


async def _actions(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    try:
        response = await http.get(f"{url}/health", timeout=3.0)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return {"ok": False, "error": repr(exc)}
    return {"ok": True}


async def _redis(locks: RedisLocks) -> dict[str, Any]:
    try:
        await asyncio.wait_for(locks.ping(), timeout=3.0)
    except (redis.RedisError, TimeoutError) as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _db(sessions: sessionmaker[Session]) -> dict[str, Any]:
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
            raw = session.connection().connection.driver_connection
            if isinstance(raw, sqlite3.Connection) and not _sqlite_writable(raw):
                return {"ok": False, "error": "write-locked"}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _sqlite_writable(raw: sqlite3.Connection) -> bool:
    """SQLite in WAL mode still reads while another connection holds the write lock; messages, though,
    cannot be stored. Ask for the write lock, waiting one second at most, and give it back at once."""
    if raw.in_transaction:  # not ours to interrupt; the SELECT above proved the file is there
        return True
    (patience,) = raw.execute("PRAGMA busy_timeout").fetchone()
    raw.execute("PRAGMA busy_timeout = 1000")
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return False
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(patience)}")
    return True


@router.get("/health")
async def health(
    rasa: RasaDep, settings: SettingsDep, sessions: SessionsDep, http: HttpDep, locks: LocksDep
) -> dict[str, Any]:
    """Always 200: "status" is ok or degraded, and each dependency says whether it is up."""
    rasa_state, actions_state, db_state = await asyncio.gather(
        _rasa(rasa),
        _actions(http, settings.action_server_base_url),
        run_in_threadpool(_db, sessions),
    )
    dependencies = {"rasa": rasa_state, "actions": actions_state, "db": db_state}
    if isinstance(locks, RedisLocks):  # scale-out mode: conversation locks and live frames
        dependencies["redis"] = await _redis(locks)
    if settings.whatsapp_enabled and db_state["ok"]:
        dependencies["whatsapp"] = await run_in_threadpool(outbox_health, sessions)
    status = "ok" if all(d["ok"] for d in dependencies.values()) else "degraded"
    return {"status": status, "dependencies": dependencies}
