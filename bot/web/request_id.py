"""A request id for every HTTP request and WebSocket: taken from `X-Request-ID` when the caller (a load
balancer, an integrator) sent a sane one, generated otherwise; every log line emitted while the request
is handled carries it, and HTTP responses (and WebSocket accepts) echo it.

Pure ASGI rather than BaseHTTPMiddleware: that one does not see WebSockets and runs the endpoint in
another task.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.infra.logs import request_context

HEADER = b"x-request-id"
# A caller's id goes into our logs and back into a header: only short plain tokens, nothing that could
# forge a log field or split a header.
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

log = logging.getLogger(__name__)


def request_id_from(headers: Iterable[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == HEADER:
            candidate = value.decode("latin-1")
            if _SANE.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def _with_id(message: Message, request_id: str) -> Message:
    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER]
    return {**message, "headers": [*headers, (HEADER, request_id.encode("ascii"))]}


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope.get("headers", ()))

        async def send_with_id(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message = _with_id(message, request_id)
            await send(message)

        with request_context(request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                # Starlette's error middleware (outside this one) answers 500 and uvicorn logs the
                # traceback after the context is gone: this line ties the failure to the request.
                log.exception("unhandled error in %s %s", scope.get("method", "WEBSOCKET"), scope["path"])
                raise
