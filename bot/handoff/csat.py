"""Customer satisfaction (CSAT): after an agent closes a conversation the customer is asked for a rating
from 1 to 5, with an optional comment in the same message ("4, cepat tapi agak lama nunggu").

The question is a `csat_asked` event (with the agent who closed); a rating is a `csat` event with the
rating, the comment and that agent, shown in the agent console and counted by reports. Only the customer's
first message after the question can be a rating: a customer who ignores it and writes something else is
simply answered, and nothing is asked again (docs/adr/0013).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Conversation, ConversationEvent, Message, utcnow

QUESTION_TEXT = (
    "Boleh minta penilaian Kakak untuk layanan CS kami tadi? Pilih 1 (sangat kecewa) sampai 5 (sangat "
    "puas); kalau ada saran, tulis saja setelah angkanya. Tidak wajib kok, Kak."
)
LABELS = ("Sangat kecewa", "Kecewa", "Biasa saja", "Puas", "Sangat puas")
# Ascending, so the n-th item of WhatsApp's numbered list is the rating n as well.
BUTTONS: list[dict[str, Any]] = [
    {"title": f"{n} - {label}", "payload": str(n)} for n, label in enumerate(LABELS, start=1)
]
THANKS_TEXT = "Terima kasih atas penilaiannya, Kak! Masukan Kakak membantu kami jadi lebih baik. 🙏"
# A rating arriving much later is no longer an answer to the question.
ANSWER_WITHIN = timedelta(hours=24)

_NUMBER = re.compile(
    r"^\s*(?:nilai(?:nya)?\s*)?([1-5])\s*(?:/\s*5|dari\s*5|bintang)?(?=$|[\s.,:;!)\-–—])[\s.,:;!)\-–—]*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_STARS = re.compile(r"^\s*((?:⭐|★){1,5})\s*[\s.,:;!\-–—]*(.*)$", re.DOTALL)


def parse_rating(text: str) -> tuple[int, str] | None:
    """(rating, comment) when the message is a rating: a digit 1-5 (a button, "4/5", "5 bintang") or 1-5
    stars, optionally followed by a comment. A button's own label is not a comment."""
    match = _NUMBER.match(text) or _STARS.match(text)
    if not match:
        return None
    head, comment = match.group(1), match.group(2).strip()
    rating = int(head) if head.isdigit() else len(head)
    if comment.lower() == LABELS[rating - 1].lower():
        comment = ""
    return rating, comment[:1000]


def ask(session: Session, conversation: Conversation, *, agent: str) -> None:
    """Record that the customer was asked to rate the agent's help (the question is sent by the caller)."""
    session.add(
        ConversationEvent(
            conversation_id=conversation.id, kind="csat_asked", actor="system", detail={"agent": agent}
        )
    )


def take_rating(session: Session, conversation: Conversation, *, message_id: int, text: str) -> str | None:
    """The thanks to send when this customer message answers a pending CSAT question (recorded as a
    `csat` event); None when it is an ordinary message for the bot."""
    parsed = parse_rating(text)
    if parsed is None:
        return None
    asked = session.scalars(
        select(ConversationEvent)
        .where(ConversationEvent.conversation_id == conversation.id, ConversationEvent.kind == "csat_asked")
        .order_by(ConversationEvent.id.desc())
        .limit(1)
    ).first()
    if asked is None or utcnow() - asked.created_at > ANSWER_WITHIN:
        return None
    answered = session.scalars(
        select(ConversationEvent.id).where(
            ConversationEvent.conversation_id == conversation.id,
            ConversationEvent.kind == "csat",
            ConversationEvent.id > asked.id,
        )
    ).first()
    said_since = session.scalars(
        select(Message.id).where(
            Message.conversation_id == conversation.id,
            Message.author == "customer",
            Message.created_at >= asked.created_at,
            Message.id != message_id,
        )
    ).first()
    if answered is not None or said_since is not None:
        return None
    rating, comment = parsed
    agent = (asked.detail or {}).get("agent")
    session.add(
        ConversationEvent(
            conversation_id=conversation.id,
            kind="csat",
            actor="customer",
            detail={"rating": rating, "comment": comment, "agent": agent},
        )
    )
    return THANKS_TEXT
