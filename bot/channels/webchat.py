"""The web live-chat widget: WebSocket `/ws/chat`, file uploads, `widget.js` and a demo shop page.

A shop embeds one tag, `<script src="https://<gateway>/widget.js" data-server="https://<gateway>"
data-brand="aksestoko" async></script>`; the script (bot/static/widget.js) talks to this module.

WebSocket protocol (JSON text frames):

client → server
    {"type": "hello", "token": <string or null>, "brand": <string or null>, "after": <last id seen or 0>}
        Must be the first frame. A null or unknown token gets a new one (`secrets.token_urlsafe(32)`). The
        conversation is keyed by channel "widget" and sha256(token) (hex): the raw token is never stored.
        An unknown brand is ignored; a known one pins the conversation at its first message.
    {"type": "message", "text": "...", "client_id": "<the browser's id>",
     "media": [{"url": ..., "content_type": ...}]?}
        `client_id` (1-60 of A-Z a-z 0-9 _ -) makes resending safe: a message is stored and answered once.
        `media` URLs are accepted only when this session uploaded them (POST /api/widget/upload); others
        are dropped. Text may be empty when media is present; at most 4000 characters.

server → client
    {"type": "welcome", "token": ..., "history": [view, ...], "state"?: ..., "agent"?: ...}
        the stored messages with id > after; `state` and `agent` as in a "state" frame (restored on reload)
    {"type": "ack", "client_id": ..., "id": <message id>}           stored (also for a resent duplicate)
    {"type": "typing", "on": true|false}                           the bot is working on an answer
    {"type": "message", "id", "author", "text", "created_at", "buttons"?, "image"?, "media"?}
        a stored message (bot, agent or system), pushed by the outlet after it is committed; `author` is
        "customer", "bot", "system" or "agent:<username>" (a human CS, shown as "CS")
    {"type": "state", "state": "bot"|"waiting_agent"|"with_agent"|"closed", "agent": <display name>|null}
        the conversation's handoff state changed (docs/agent-console.md); the widget shows "Menunggu CS…"
        (waiting_agent) or "Kakak sedang terhubung dengan CS {agent}" (with_agent) under its header, and
        nothing for bot/closed (the explanations arrive as ordinary system messages)
    {"type": "error", "code": ..., "text": <Indonesian>, "client_id"?: ..., "retry_after"?: <seconds>}
        a frame that was refused; the connection stays open. With code "rate_limited" (RATE_LIMIT_*) the
        message was not stored and may be sent again after `retry_after` seconds (the widget does that).

A view is `bot.conversations.types.message_view`. Pushes reach every socket of the conversation through a
hub (in this process: `LocalHub`; its publish/subscribe interface is what a Redis pub/sub hub would
implement for several gateway processes).

Uploads: `POST /api/widget/upload` (multipart field `file`, header `X-Widget-Token`) takes one JPEG, PNG,
WebP or PDF (declared type and first bytes must both say so) of at most EVIDENCE_MAX_BYTES and answers
`{"url", "content_type"}`. The URL points at the gateway on loopback (`/media/uploads/{name}`), which is
where the action server fetches evidence from; it is served to loopback clients only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, WebSocket
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from bot.api.deps import LimitsDep, RouterDep, SettingsDep
from bot.channels.hub import Hub
from bot.channels.widget_files import TOKEN, own_media, session_key
from bot.config import Settings
from bot.conversations.queries import ConversationReads
from bot.conversations.texts import MEDIA_ONLY_TEXT
from bot.conversations.turns import ConversationRouter
from bot.conversations.types import Inbound, Reply
from bot.infra.ratelimit import MessageLimits, rate_limited_text
from bot.store.models import Conversation, Message
from knowledge.documents import BRANDS

log = logging.getLogger(__name__)

router = APIRouter(tags=["widget"])

CHANNEL = "widget"
MAX_TEXT_CHARS = 4000
MAX_FRAME_CHARS = 100_000  # a 4000-character text with every character escaped, plus media
HISTORY_LIMIT = 200  # the newest messages a (re)connecting widget gets back
SEND_TIMEOUT_SECONDS = 10.0
ISSUED_TOKENS_KEPT = 50_000  # tokens handed out that have no conversation yet (no message sent)
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,60}")

EMPTY_TEXT = "Pesannya masih kosong, Kak. Silakan tulis pesan atau lampirkan foto dulu ya."
TOO_LONG_TEXT = (
    f"Maaf Kak, pesannya terlalu panjang (maksimal {MAX_TEXT_CHARS} karakter). Boleh dipersingkat atau "
    "dikirim dalam beberapa bagian?"
)
MALFORMED_TEXT = "Maaf Kak, pesan tadi tidak bisa kami proses. Silakan coba kirim lagi ya."
NOT_READY_TEXT = "Maaf Kak, sambungan chat belum siap. Silakan muat ulang halaman ini ya."


class WidgetChannel:
    """The widget's outlet for the router (stored replies are pushed to the open sockets) and the
    sessions handed out by this process that have not written yet."""

    def __init__(self, hub: Hub, store: ConversationReads) -> None:
        self.hub = hub
        self._store = store
        self._issued: OrderedDict[str, None] = OrderedDict()

    def stage(self, session: Session, conversation: Conversation, message: Message, reply: Reply) -> None:
        """Nothing to add to the transaction: the socket is told after the commit."""

    async def delivered(self, conversation_id: str, messages: Sequence[dict[str, Any]]) -> None:
        for view in messages:
            await self.hub.publish(conversation_id, {"type": "message", **view})

    async def state_changed(self, conversation_id: str, state: str, agent: str | None) -> None:
        await self.hub.publish(conversation_id, {"type": "state", "state": state, "agent": agent})

    def issue(self) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        key = session_key(token)
        self._issued[key] = None
        while len(self._issued) > ISSUED_TOKENS_KEPT:
            self._issued.popitem(last=False)
        return token, key

    async def known(self, key: str) -> bool:
        """A session this process handed out, or one with a conversation (it wrote before)."""
        return key in self._issued or await run_in_threadpool(self._store.exists, CHANNEL, key)


class _Connection:
    """One socket: sends are serialised, and pushes wait until the welcome (with the history) is out."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._lock = asyncio.Lock()
        self._ready = False
        self._held: list[dict[str, Any]] = []
        self.closed = False

    async def send(self, frame: dict[str, Any]) -> None:
        if self.closed:
            return
        async with self._lock:
            try:
                await asyncio.wait_for(self._websocket.send_json(frame), SEND_TIMEOUT_SECONDS)
            except Exception as exc:  # gone or stuck: the widget reconnects and catches up from the history
                log.info("widget socket send failed: %s", type(exc).__name__)
                self.closed = True
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._websocket.close(code=1011), 1.0)

    async def push(self, frame: dict[str, Any]) -> None:
        if self._ready:
            await self.send(frame)
        else:
            self._held.append(frame)

    async def welcome(self, frame: dict[str, Any]) -> None:
        await self.send(frame)
        seen = {view["id"] for view in frame["history"]}
        while self._held:
            held = self._held.pop(0)
            if held.get("id") not in seen:
                await self.send(held)
        self._ready = True


async def get_widget(connection: HTTPConnection) -> WidgetChannel:
    return connection.app.state.widget


WidgetDep = Annotated[WidgetChannel, Depends(get_widget)]


class _ChatSession:
    def __init__(
        self,
        websocket: WebSocket,
        channel: WidgetChannel,
        router: ConversationRouter,
        settings: Settings,
        limits: MessageLimits,
    ) -> None:
        self.channel = channel
        self.router = router
        self.settings = settings
        self.limits = limits
        self.address = websocket.client.host if websocket.client else None
        self.connection = _Connection(websocket)
        self.key: str | None = None
        self.brand: str | None = None
        self.conversation_id: str | None = None
        self._answering: asyncio.Task[None] | None = None
        self._more_to_answer = False

    async def handle(self, raw: str | None) -> None:
        frame: Any = None
        if raw is not None and len(raw) <= MAX_FRAME_CHARS:
            try:
                frame = json.loads(raw)
            except ValueError:
                frame = None
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind == "hello" and self.key is None:
            await self._hello(frame)
        elif kind == "message" and self.key is not None:
            await self._message(frame)
        elif kind == "message":  # no client_id in the error: the message was not refused, it may come again
            await self._error("not_ready", NOT_READY_TEXT)
        else:
            await self._error("malformed", MALFORMED_TEXT)

    async def _hello(self, frame: dict[str, Any]) -> None:
        token = frame.get("token")
        key = session_key(token) if isinstance(token, str) and TOKEN.fullmatch(token) else None
        if key is None or not await self.channel.known(key):
            token, key = self.channel.issue()
        brand = frame.get("brand")
        self.brand = brand if isinstance(brand, str) and brand in BRANDS else None
        after = frame.get("after")
        # Message ids are 64-bit in the database: a larger "after" would overflow the query.
        after = after if isinstance(after, int) and not isinstance(after, bool) and 0 < after < 2**63 else 0
        self.key = key
        history = await run_in_threadpool(self.router.store.history, CHANNEL, key, after, HISTORY_LIMIT)
        if history.conversation_id is not None:
            self._subscribe(history.conversation_id)
        await self.connection.welcome(
            {
                "type": "welcome",
                "token": token,
                "history": history.views,
                "state": history.state,
                "agent": history.agent,
            }
        )
        if history.pending:
            self._answer_in_background()

    async def _message(self, frame: dict[str, Any]) -> None:
        assert self.key is not None
        client_id = frame.get("client_id")
        if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
            await self._error("malformed", MALFORMED_TEXT)
            return
        text = frame.get("text")
        if text is None:
            text = ""
        if not isinstance(text, str):
            await self._error("malformed", MALFORMED_TEXT, client_id)
            return
        if len(text) > MAX_TEXT_CHARS:
            await self._error("too_long", TOO_LONG_TEXT, client_id)
            return
        media = await run_in_threadpool(own_media, frame.get("media"), self.key, self.settings)
        if not text.strip():
            if not media:
                await self._error("empty", EMPTY_TEXT, client_id)
                return
            text = MEDIA_ONLY_TEXT
        verdict = await self.limits.check(sender=f"widget:{self.key}", address=self.address)
        if not verdict.allowed:  # not stored: the widget keeps it and sends it again after retry_after
            await self._error(
                "rate_limited", rate_limited_text(verdict.retry_after), client_id, verdict.retry_after
            )
            return
        metadata: dict[str, Any] = {"channel": CHANNEL, "widget_session": self.key[:16]}
        if media:
            metadata["media"] = media
        received = await self.router.receive(
            Inbound(
                channel=CHANNEL,
                external_id=self.key,
                text=text,
                metadata=metadata,
                brand=self.brand,
                message_key=f"w:{client_id}",
            )
        )
        self._subscribe(received.conversation_id)
        await self.connection.send({"type": "ack", "client_id": client_id, "id": received.message_id})
        self._answer_in_background()

    def _subscribe(self, conversation_id: str) -> None:
        if self.conversation_id is None:
            self.conversation_id = conversation_id
            self.channel.hub.subscribe(conversation_id, self.connection)

    def _answer_in_background(self) -> None:
        """Answer what is stored while the socket keeps reading (acks stay prompt); one loop per socket."""
        self._more_to_answer = True
        if self._answering is None or self._answering.done():
            self._answering = asyncio.create_task(self._answer_loop())

    async def _answer_loop(self) -> None:
        assert self.conversation_id is not None
        await self.connection.send({"type": "typing", "on": True})
        try:
            while self._more_to_answer:
                self._more_to_answer = False
                await self.router.answer_pending(self.conversation_id)
        except Exception:  # stored messages stay pending; the next hello or restart answers them
            log.exception("answering widget conversation %s failed", self.conversation_id)
        finally:
            await self.connection.send({"type": "typing", "on": False})

    async def _error(self, code: str, text: str, client_id: Any = None, retry_after: int = 0) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "text": text}
        if isinstance(client_id, str) and CLIENT_ID.fullmatch(client_id):
            frame["client_id"] = client_id
        if retry_after:
            frame["retry_after"] = retry_after
        await self.connection.send(frame)

    async def close(self) -> None:
        self.connection.closed = True
        if self.conversation_id is not None:
            self.channel.hub.unsubscribe(self.conversation_id, self.connection)
        if self._answering is not None:  # the answer is stored and reaches the other sockets, if any
            await self._answering


@router.websocket("/ws/chat")
async def chat_socket(
    websocket: WebSocket, widget: WidgetDep, router_: RouterDep, settings: SettingsDep, limits: LimitsDep
) -> None:
    """The widget's conversation (protocol in this module's docstring)."""
    await websocket.accept()
    session = _ChatSession(websocket, widget, router_, settings, limits)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            await session.handle(message.get("text"))
    finally:
        await session.close()
