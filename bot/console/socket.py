"""WebSocket /ws/agent: live frames for a logged-in console (see bot/console/live.py for what is sent).

The session cookie authenticates it, and the Origin must be the gateway's own (a cookie-authenticated socket
is otherwise open to cross-site hijacking). The console's pings keep the agent counted as online.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from starlette.concurrency import run_in_threadpool

from bot.api.deps import SESSION_COOKIE, SessionsDep, staff_for_cookie
from bot.channels.hub import HubDep
from bot.console.live import TOPIC

log = logging.getLogger(__name__)

router = APIRouter()

SEND_TIMEOUT_SECONDS = 10.0


class _Console:
    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._lock = asyncio.Lock()
        self.closed = False

    async def push(self, frame: dict[str, Any]) -> None:
        if self.closed:
            return
        async with self._lock:
            try:
                await asyncio.wait_for(self._websocket.send_json(frame), SEND_TIMEOUT_SECONDS)
            except Exception as exc:  # the console reconnects and reloads what it shows
                log.info("console socket send failed: %s", type(exc).__name__)
                self.closed = True


def same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser (a test client, a tool with the cookie): no cross-site risk
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket, sessions: SessionsDep, hub: HubDep) -> None:
    token = websocket.cookies.get(SESSION_COOKIE)
    staff = await run_in_threadpool(staff_for_cookie, sessions, token) if token else None
    if staff is None or not same_origin(websocket):
        await websocket.close(code=4401 if staff is None else 4403)
        return
    await websocket.accept()
    console = _Console(websocket)
    hub.subscribe(TOPIC, console)
    try:
        await console.push({"type": "hello", "agent": staff.username})
        while not console.closed:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            # any frame from the console is a heartbeat: the agent is present
            if await run_in_threadpool(staff_for_cookie, sessions, token) is None:  # type: ignore[arg-type]
                await websocket.close(code=4401)
                break
    finally:
        console.closed = True
        hub.unsubscribe(TOPIC, console)
        with contextlib.suppress(Exception):
            await websocket.close()
