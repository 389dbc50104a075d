"""Conversation routing: every customer message is stored first, then answered by the bot.

The gateway owns the conversation. Rasa sees an opaque sender id (the conversation's public id) and the
channel facts in metadata; control payloads in Rasa's replies (a handoff request) are acted on here and
never shown to the customer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from bot.rasa_client import RasaClient, RasaUnavailable
from bot.services.credentials import redact_credentials
from bot.store.models import Conversation, ConversationEvent, Direction, Message, MessageStatus

log = logging.getLogger(__name__)

BOT_UNAVAILABLE_TEXT = (
    "Mohon maaf Kak, sistem kami sedang mengalami gangguan sehingga pesan Kakak belum bisa dijawab "
    "sekarang. Pesan Kakak sudah kami simpan. Silakan coba kirim lagi beberapa saat lagi ya. 🙏"
)
# The help centre (FAQ 99% Usahaku — Keamanan Akun): nobody may ask for a password or an OTP.
CREDENTIAL_WARNING_TEXT = (
    "Mohon jangan bagikan kode OTP atau kata sandi kepada siapa pun, termasuk kepada kami, Kak: petugas "
    "resmi tidak pernah memintanya. Kode tadi sudah kami sensor dan tidak kami simpan. Kalau Kakak merasa "
    "kode itu sudah diketahui orang lain, segera ganti kata sandi akun Kakak."
)
_CONTROL_KEYS = ("handoff",)


@dataclass(frozen=True)
class Reply:
    text: str | None = None
    buttons: list[dict[str, Any]] | None = None
    image: str | None = None
    custom: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class RouteResult:
    conversation_id: str
    replies: list[Reply] = field(default_factory=list)
    bot_available: bool = True


def _reply_from_rasa(raw: dict[str, Any]) -> Reply:
    return Reply(
        text=raw.get("text"), buttons=raw.get("buttons"), image=raw.get("image"), custom=raw.get("custom")
    )


def _outbound(conversation_id: int, author: str, reply: Reply) -> Message:
    return Message(
        conversation_id=conversation_id,
        direction=Direction.outbound,
        author=author,
        text=reply.text,
        payload={k: v for k, v in reply.as_dict().items() if k != "text"} or None,
        status=MessageStatus.sent,
    )


def _is_control(reply: Reply) -> bool:
    return bool(reply.custom) and any(key in reply.custom for key in _CONTROL_KEYS)


class ConversationRouter:
    def __init__(self, session_factory: sessionmaker[Session], rasa: RasaClient) -> None:
        self._session_factory = session_factory
        self._rasa = rasa

    async def handle_customer_message(
        self,
        *,
        channel: str,
        external_id: str,
        text: str,
        metadata: dict[str, Any],
        brand: str | None = None,
    ) -> RouteResult:
        redacted = redact_credentials(text)
        warnings = [Reply(text=CREDENTIAL_WARNING_TEXT)] if redacted != text else []
        text = redacted  # neither our tables nor Rasa's tracker ever hold the secret
        conversation_id, message_id, pinned = await run_in_threadpool(
            self._store_inbound, channel, external_id, text, metadata, brand
        )
        if pinned:  # the conversation's platform holds for every message, whatever a later one claims
            metadata = {**metadata, "brand": pinned}
        try:
            raw = await self._rasa.send(conversation_id, text, metadata)
        except RasaUnavailable as exc:
            log.error("bot unavailable for conversation %s: %s", conversation_id, exc)
            apology = Reply(text=BOT_UNAVAILABLE_TEXT)
            await run_in_threadpool(self._store_unanswered, message_id, apology)
            return RouteResult(conversation_id, [apology], bot_available=False)
        replies = warnings + [_reply_from_rasa(r) for r in raw]
        await run_in_threadpool(self._store_replies, message_id, replies)
        return RouteResult(conversation_id, [r for r in replies if not _is_control(r)])

    def _store_inbound(
        self, channel: str, external_id: str, text: str, metadata: dict[str, Any], brand: str | None
    ) -> tuple[str, int, str | None]:
        with self._session_factory.begin() as session:
            conversation = session.scalar(
                select(Conversation).where(
                    Conversation.channel == channel, Conversation.external_id == external_id
                )
            )
            if conversation is None:
                conversation = Conversation(channel=channel, external_id=external_id, brand=brand)
                session.add(conversation)
            elif conversation.brand is None and brand:
                conversation.brand = brand
            message = Message(
                conversation=conversation,
                direction=Direction.inbound,
                author="customer",
                text=text,
                payload={"metadata": metadata} if metadata else None,
                status=MessageStatus.received,
            )
            session.add(message)
            session.flush()
            return conversation.public_id, message.id, conversation.brand

    def _store_replies(self, message_id: int, replies: list[Reply]) -> None:
        with self._session_factory.begin() as session:
            inbound = session.get_one(Message, message_id)
            inbound.status = MessageStatus.answered
            for reply in replies:
                if _is_control(reply):
                    assert reply.custom is not None
                    session.add(
                        ConversationEvent(
                            conversation_id=inbound.conversation_id,
                            kind="handoff_requested",
                            actor="bot",
                            detail=reply.custom["handoff"],
                        )
                    )
                    continue
                session.add(_outbound(inbound.conversation_id, "bot", reply))

    def _store_unanswered(self, message_id: int, apology: Reply) -> None:
        with self._session_factory.begin() as session:
            inbound = session.get_one(Message, message_id)
            inbound.status = MessageStatus.bot_unavailable
            session.add(
                ConversationEvent(
                    conversation_id=inbound.conversation_id, kind="bot_unavailable", actor="system"
                )
            )
            session.add(_outbound(inbound.conversation_id, "system", apology))
