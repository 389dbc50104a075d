"""The WhatsApp outbox: replies are stored as rows before anything is sent, then sent in order with retries.

A Twilio outage or a restart loses nothing: rows stay `pending` until Twilio accepts them. Rows of one
conversation go out strictly in id order. Delivery is at least once: a crash between Twilio's acceptance and
the row's update sends that part again after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.twilio_api import OutgoingMessage, SendFailed, TwilioSender
from bot.channels.whatsapp_text import split_message, with_numbered_buttons
from bot.config import Settings
from bot.conversations.types import Reply
from bot.services.whatsapp_window import window_open
from bot.store.models import (
    Conversation,
    ConversationEvent,
    Message,
    Outbox,
    OutboxStatus,
    utcnow,
)

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300.0


def whatsapp_address(number: str) -> str:
    return number if number.startswith("whatsapp:") else f"whatsapp:{number}"


class WhatsAppOutlet:
    """Turns a stored reply into outbox rows (in the reply's transaction) and wakes the sender."""

    def __init__(self, settings: Settings, worker: OutboxWorker) -> None:
        self._settings = settings
        self._worker = worker

    def stage(self, session: Session, conversation: Conversation, message: Message, reply: Reply) -> None:
        sender = conversation.channel_address or self._settings.twilio_whatsapp_number
        row = {
            "conversation_id": conversation.id,
            "message_id": message.id,
            "to_address": conversation.external_id,
            "from_address": whatsapp_address(sender or ""),
        }
        text = with_numbered_buttons(reply.text, reply.buttons)
        if not sender:
            self._refuse(session, row, text, "no TWILIO_WHATSAPP_NUMBER to send from")
            return
        if not window_open(session, conversation.id):
            if message.author != "agent":
                self._refuse(
                    session, row, text, "outside the 24-hour window: only an agent's reply uses the template"
                )
            elif self._settings.twilio_template_sid:
                session.add(Outbox(**row, body=text, template_sid=self._settings.twilio_template_sid))
            else:
                self._refuse(session, row, text, "outside the 24-hour window and no TWILIO_TEMPLATE_SID")
            return
        parts = split_message(text)
        for part, body in enumerate(parts, start=1):
            session.add(Outbox(**row, part=part, body=body))
        if reply.image and reply.image.startswith(("https://", "http://")):
            session.add(Outbox(**row, part=len(parts) + 1, media_url=reply.image))

    @staticmethod
    def _refuse(session: Session, row: dict[str, Any], text: str, reason: str) -> None:
        """Kept as a failed row and a conversation event, so an agent sees the message did not go out."""
        session.add(Outbox(**row, body=text, status=OutboxStatus.failed, last_error=reason))
        session.add(
            ConversationEvent(
                conversation_id=row["conversation_id"],
                kind="whatsapp_not_sent",
                actor="system",
                detail={"message_id": row["message_id"], "reason": reason},
            )
        )

    async def delivered(self, conversation_id: str, messages: Sequence[dict[str, Any]]) -> None:
        self._worker.wake()

    async def state_changed(self, conversation_id: str, state: str, agent: str | None) -> None:
        """Nothing beyond the messages: WhatsApp shows no state."""


class OutboxWorker:
    """Sends due outbox rows; woken when rows are added, and every poll interval for retries."""

    def __init__(
        self, session_factory: sessionmaker[Session], sender: TwilioSender | None, settings: Settings
    ) -> None:
        self._session_factory = session_factory
        self._sender = sender
        self._settings = settings
        self._wake = asyncio.Event()
        self._drain_lock = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()  # before draining: a wake during the drain triggers the next one
            try:
                await self.drain()
            except Exception:  # a database hiccup must not stop the sender for good
                log.exception("outbox drain failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._settings.outbox_poll_seconds)

    async def drain(self) -> int:
        """Send every due row, in order per conversation; returns how many Twilio accepted."""
        if self._sender is None:
            return 0
        sent = 0
        async with self._drain_lock:
            while (accepted := await asyncio.to_thread(self._send_next)) is not None:
                sent += accepted
        return sent

    def _send_next(self) -> bool | None:
        """Claim one due row, send it and record the outcome; None when no row is due.

        Only a conversation's oldest pending row can be claimed, so its rows go out in order; the claim is a
        row lock held while Twilio is called (`SKIP LOCKED`: another gateway process takes another
        conversation's row meanwhile). A process that dies mid-send releases its lock with its connection.
        """
        assert self._sender is not None
        first_pending = (
            select(func.min(Outbox.id))
            .where(Outbox.status == OutboxStatus.pending)
            .group_by(Outbox.conversation_id)
        )
        with self._session_factory.begin() as session:
            row = session.scalars(
                select(Outbox)
                .where(
                    # Rechecked on the row's new version when the lock waited for another sender's commit.
                    Outbox.status == OutboxStatus.pending,
                    Outbox.id.in_(first_pending),
                    Outbox.next_attempt_at <= utcnow(),
                )
                .order_by(Outbox.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            message = OutgoingMessage(
                to=row.to_address,
                from_=row.from_address,
                body=row.body,
                media_url=row.media_url,
                template_sid=row.template_sid,
            )
            row.attempts += 1
            try:
                sid = self._sender.send(message)
            except SendFailed as exc:
                self._record_failure(session, row, str(exc), exc.retryable)
                return False
            row.status, row.provider_sid, row.sent_at = OutboxStatus.sent, sid, utcnow()
            row.delivery_status = row.delivery_status or "queued"
            return True

    def _record_failure(self, session: Session, row: Outbox, reason: str, retryable: bool) -> None:
        row.last_error = reason
        if retryable and row.attempts < self._settings.outbox_max_attempts:
            base = self._settings.outbox_retry_base_seconds
            delay = min(base * 2 ** (row.attempts - 1), MAX_BACKOFF_SECONDS)
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)
            log.warning(
                "outbox row %s not sent (attempt %s), retry in %.1fs: %s", row.id, row.attempts, delay, reason
            )
            return
        row.status = OutboxStatus.failed
        log.error("outbox row %s given up after %s attempts: %s", row.id, row.attempts, reason)
        session.add(
            ConversationEvent(
                conversation_id=row.conversation_id,
                kind="whatsapp_not_sent",
                actor="system",
                detail={"message_id": row.message_id, "reason": reason},
            )
        )


# Later states never go back: a "sent" callback arriving after "read" changes nothing.
_STATUS_RANK = {"accepted": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4, "read": 5}


def record_delivery_status(
    session_factory: sessionmaker[Session], sid: str, status: str, error_code: str | None
) -> bool:
    """Record Twilio's delivery status for the part it sent under `sid`; False for an unknown sid."""
    with session_factory.begin() as session:
        row = session.scalar(select(Outbox).where(Outbox.provider_sid == sid))
        if row is None:
            log.info("delivery status %s for unknown message %s", status, sid)
            return False
        current = row.delivery_status or "accepted"
        terminal = current in ("failed", "undelivered")
        if status in ("failed", "undelivered"):
            row.delivery_status, row.delivery_error = status, (error_code or "")[:20] or None
        elif not terminal and _STATUS_RANK.get(status, 0) > _STATUS_RANK.get(current, 0):
            row.delivery_status = status
        row.delivery_updated_at = utcnow()
        return True


STALE_AFTER = timedelta(minutes=5)


def outbox_health(session_factory: sessionmaker[Session]) -> dict[str, Any]:
    """Not ok when a reply has waited for Twilio more than 5 minutes (an outage, bad credentials)."""
    with session_factory() as session:
        pending = session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.pending)
        )
        oldest = session.scalar(
            select(func.min(Outbox.created_at)).where(Outbox.status == OutboxStatus.pending)
        )
        failed = session.scalar(
            select(func.count())
            .select_from(Outbox)
            .where(Outbox.status == OutboxStatus.failed, Outbox.created_at > utcnow() - timedelta(days=1))
        )
    waited = (utcnow() - oldest).total_seconds() if oldest else 0.0
    state: dict[str, Any] = {
        "ok": waited < STALE_AFTER.total_seconds(),
        "pending": pending or 0,
        "oldest_pending_seconds": round(waited, 1),
        "failed_last_24h": failed or 0,
    }
    if not state["ok"]:
        state["error"] = "replies are waiting for Twilio; see the outbox rows' last_error"
    return state
