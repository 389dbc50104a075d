"""A local HTTP server playing Twilio's REST API: Messages.json for sending, media files behind basic auth.

`down = True` makes it answer 503 like an outage; every accepted message is kept in `sent`, in order.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from twilio.request_validator import RequestValidator

from tests.fakes.http_fake import json_body, serve

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-test-auth-token"


@dataclass
class SentMessage:
    sid: str
    to: str
    from_: str
    body: str | None
    media_url: list[str]
    content_sid: str | None
    content_variables: str | None
    status_callback: str | None
    at: float  # time.monotonic() when Twilio "accepted" it


@dataclass
class FakeTwilio:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    down: bool = False
    delay: float = 0.0  # seconds before a message is accepted: a slow API, so senders overlap
    url: str = ""
    sent: list[SentMessage] = field(default_factory=list)
    refused: int = 0
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_media(self, name: str, content_type: str, body: bytes) -> str:
        self.media[name] = (content_type, body)
        return f"{self.url}/2010-04-01/Accounts/{self.account_sid}/Messages/MM1/Media/{name}"

    def sign(self, url: str, params: dict[str, str]) -> str:
        return RequestValidator(self.auth_token).compute_signature(url, params)

    def wait_for(self, count: int, timeout: float = 30.0) -> list[SentMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.sent) >= count:
                    return list(self.sent)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages at the fake Twilio, got {len(self.sent)}")

    def _authorised(self, request: BaseHTTPRequestHandler) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return request.headers.get("Authorization") == f"Basic {expected}"

    def _handle(self, request: BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        path = urlparse(request.path).path
        if not self._authorised(request):
            return json_body(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if request.command == "GET" and "/Media/" in path:
            found = self.media.get(path.rsplit("/", 1)[-1])
            return (200, *found) if found else json_body(404, {"status": 404, "message": "not found"})
        if request.command == "POST" and path == f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            if self.down:
                with self._lock:
                    self.refused += 1
                return json_body(503, {"code": 20500, "message": "Service Unavailable", "status": 503})
            time.sleep(self.delay)
            form = parse_qs(body.decode(), keep_blank_values=True)
            one = {key: values[0] for key, values in form.items()}
            message = SentMessage(
                sid="SM" + secrets.token_hex(16),
                to=one.get("To", ""),
                from_=one.get("From", ""),
                body=one.get("Body"),
                media_url=form.get("MediaUrl", []),
                content_sid=one.get("ContentSid"),
                content_variables=one.get("ContentVariables"),
                status_callback=one.get("StatusCallback"),
                at=time.monotonic(),
            )
            with self._lock:
                self.sent.append(message)
            return json_body(
                201,
                {
                    "sid": message.sid,
                    "account_sid": self.account_sid,
                    "to": message.to,
                    "from": message.from_,
                    "body": message.body,
                    "status": "queued",
                    "num_media": str(len(message.media_url)),
                },
            )
        return json_body(404, {"status": 404, "message": f"no route {request.command} {path}"})

    @contextmanager
    def running(self) -> Iterator[FakeTwilio]:
        with serve(self._handle) as url:
            self.url = url
            yield self
