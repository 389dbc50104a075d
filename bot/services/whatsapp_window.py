"""WhatsApp's customer-service window: a business may write freely only within 24 hours of the customer's
last message. After that only an approved template may be sent, and this product sends one only for an
agent's reply (a person answering the customer's request); automatic notices wait for the customer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Direction, Message, utcnow

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)


def window_open(session: Session, conversation_id: int) -> bool:
    last_inbound = session.scalar(
        select(Message.created_at)
        .where(Message.conversation_id == conversation_id, Message.direction == Direction.inbound)
        .order_by(Message.id.desc())
        .limit(1)
    )
    return last_inbound is not None and utcnow() - last_inbound <= CUSTOMER_SERVICE_WINDOW
