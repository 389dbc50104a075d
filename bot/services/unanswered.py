"""The log of questions the bot could not answer, for the knowledge team."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.infra.logs import mask_personal_data
from bot.store.models import UnansweredQuestion


def record_unanswered(
    session: Session,
    *,
    question: str,
    conversation_id: str | None,
    channel: str | None,
    brand: str | None,
    intent: str | None,
    top_score: float | None,
    suggested: tuple[str, ...] = (),
) -> UnansweredQuestion:
    # Customers sometimes paste phone numbers or e-mails into questions; the log does not need them.
    row = UnansweredQuestion(
        question=mask_personal_data(question)[:2000],
        conversation_id=conversation_id,
        channel=channel,
        brand=brand,
        intent=intent,
        top_score=top_score,
        suggested=",".join(suggested)[:200] or None,
    )
    session.add(row)
    return row


def list_unanswered(session: Session, *, limit: int = 100, offset: int = 0) -> list[UnansweredQuestion]:
    query = select(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))
