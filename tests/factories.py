"""Small factories for rows tests need as a starting point, built through the services' own functions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.services.evidence import StoredEvidence
from bot.services.orders import OrderRecord
from bot.services.returns import submit_return
from bot.store.models import ReturnRequest

PHOTO = StoredEvidence("http://media/1.jpg", "evidence/1.jpg", "image/jpeg", 120, "a" * 64)


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
