"""Small factories for rows tests need as a starting point, built through the services' own functions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.services.complaints import file_complaint
from bot.services.evidence import StoredEvidence
from bot.services.knowledge_edits import create_topic
from bot.services.order_records import OrderRecord
from bot.services.returns import submit_return
from bot.store.models import (
    Complaint,
    Conversation,
    ConversationEvent,
    Message,
    ReturnRequest,
    UnansweredQuestion,
)

PHOTO = StoredEvidence("http://media/1.jpg", "evidence/1.jpg", "image/jpeg", 120, "a" * 64)


WAREHOUSE_QUESTION = "Di mana alamat gudang AksesToko di Bogor?"
WAREHOUSE_ANSWER = "Gudang AksesToko di Bogor ada di Jl. Contoh No. 1, Kak."


def a_complaint(session: Session, *, now: datetime, **overrides: Any) -> Complaint:
    """A refund complaint Rina filed over WhatsApp at `now`."""
    values: dict[str, Any] = {
        "customer_name": "Rina",
        "customer_phone": "+6281234500001",
        "description": "refund belum masuk",
        "channel": "whatsapp",
        "category": "refund",
    }
    return file_complaint(session, now=now, **{**values, **overrides})


def a_console_topic(session: Session, *, author: str = "Sari") -> str:
    """A topic a supervisor wrote in the console (no help centre says where the Bogor warehouse is), with
    one more wording; its name."""
    return create_topic(
        session,
        question=WAREHOUSE_QUESTION,
        answer=WAREHOUSE_ANSWER,
        brand="aksestoko",
        phrasings=["gudang aksestoko bogor dmn"],
        author=author,
        author_id=None,
    ).topic


def a_return(
    session: Session,
    order: OrderRecord | None,
    *,
    item: int = 0,
    quantity: int = 1,
    description: str = "barang datang rusak",
    conversation_id: str | None = None,
    window_hours: int | None = None,
) -> ReturnRequest:
    """A damaged-goods return filed over WhatsApp with a photo of the goods and of the delivery note."""
    assert order is not None
    return submit_return(
        session,
        order=order,
        line=order.items[item],
        quantity=quantity,
        description=description,
        evidence=[("barang", PHOTO), ("dokumen", PHOTO)],
        channel="whatsapp",
        conversation_id=conversation_id,
        window_hours=window_hours,
    )


class Week:
    """Rows with explicit times, the way a week of service would have left them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def conversation(self, channel: str, brand: str | None, at: datetime) -> Conversation:
        conversation = Conversation(channel=channel, external_id=f"{channel}-{at.timestamp()}", brand=brand)
        self.session.add(conversation)
        self.session.flush()
        self.message(conversation, "customer", at)
        self.message(conversation, "bot", at + timedelta(seconds=1))
        return conversation

    def message(self, conversation: Conversation, author: str, at: datetime) -> None:
        direction = "in" if author == "customer" else "out"
        self.session.add(
            Message(
                conversation_id=conversation.id,
                direction=direction,
                author=author,
                text="…",
                status="sent",
                created_at=at,
            )
        )

    def event(self, conversation: Conversation, kind: str, at: datetime, **detail: Any) -> None:
        self.session.add(
            ConversationEvent(
                conversation_id=conversation.id, kind=kind, actor="system", detail=detail, created_at=at
            )
        )

    def handoff(
        self, conversation: Conversation, reason: str, at: datetime, *, claimed_after: timedelta | None = None
    ) -> None:
        self.event(conversation, "handoff_requested", at, reason=reason)
        if claimed_after is not None:
            self.event(conversation, "claimed", at + claimed_after, agent="dewi")

    def complaint(self, number: str, received: datetime, due: date, resolved: datetime | None = None) -> None:
        self.session.add(
            Complaint(
                number=number,
                status="dijawab" if resolved else "diterima",
                regime="pojk18",
                form="lisan",
                channel="whatsapp",
                customer_name="Rina",
                customer_phone="+6289637184520",
                category="umum",
                description="dana belum kembali",
                received_at=received,
                due_date=due,
                resolved_at=resolved,
            )
        )

    def a_return(self, number: str, status: str, at: datetime) -> None:
        self.session.add(
            ReturnRequest(
                number=number,
                status=status,
                attempt=1,
                order_id="INV/1",
                item_sku="SKU-1",
                item_name="Keramik",
                quantity_reported=1,
                description="retak",
                channel="whatsapp",
                created_at=at,
            )
        )

    def unanswered(self, question: str, at: datetime, *, handled: bool = False) -> None:
        self.session.add(
            UnansweredQuestion(
                question=question,
                channel="webchat",
                created_at=at,
                handled_at=at + timedelta(hours=1) if handled else None,
                handled_topic="cs_jam_buka" if handled else None,
            )
        )
