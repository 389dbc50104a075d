"""Complaint tickets (POJK 18/2018) and damaged-goods returns, each with its history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, utcnow


class Complaint(Base):
    """A complaint ticket (pengaduan) as POJK 18/2018 requires: numbered, dated, with a deadline."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # PGD-2611-7KQ4M
    status: Mapped[str] = mapped_column(String(20), index=True)
    regime: Mapped[str] = mapped_column(String(10))  # pojk18 | pojk22, fixed at receipt
    form: Mapped[str] = mapped_column(String(10))  # lisan (oral and chat) | tertulis (written)
    channel: Mapped[str] = mapped_column(String(20))
    brand: Mapped[str | None] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)  # Rasa's opaque sender id
    customer_name: Mapped[str] = mapped_column(String(120))
    customer_phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    order_id: Mapped[str | None] = mapped_column(String(40), index=True)  # a follow-up may name only the order
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)
    extended_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    breached_at: Mapped[datetime | None]  # set by the deadline job when due_date passed unresolved

    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="all, delete-orphan"
    )


class ComplaintEvent(Base):
    """Append-only history of a ticket: received, assigned, extended, answered, closed, breached."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(60))  # customer | bot | agent:<name> | system
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class ReturnRequest(Base):
    """A damaged-goods return (retur barang rusak) for one order item, with its evidence and history."""

    __tablename__ = "return_requests"
    __table_args__ = (Index("ix_return_requests_order_item", "order_id", "item_sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # RTR-2612-7KQ4M
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempt: Mapped[int]  # 1, or 2 after a rejection (the AksesToko rule allows one more)
    order_id: Mapped[str] = mapped_column(String(40))
    brand: Mapped[str | None] = mapped_column(String(40))
    item_sku: Mapped[str] = mapped_column(String(60))
    item_name: Mapped[str] = mapped_column(String(200))
    quantity_reported: Mapped[int]
    quantity_accepted: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(20))  # kirim_ulang | potong_invoice
    decision_reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    # the order's phone (E.164) and the conversation it was filed in: who may see it, and how "status retur
    # saya" without a number finds it
    customer_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    evidence: Mapped[list[ReturnEvidence]] = relationship(
        back_populates="request", order_by="ReturnEvidence.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[ReturnEvent]] = relationship(
        back_populates="request", order_by="ReturnEvent.id", cascade="all, delete-orphan"
    )


class ReturnEvidence(Base):
    """A stored photo, video or PDF: of the goods, or of the SPJ / resi."""

    __tablename__ = "return_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # barang | dokumen
    source_url: Mapped[str] = mapped_column(Text)
    stored_path: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="evidence")


class ReturnEvent(Base):
    """Append-only history of a return: diajukan, disetujui, ditolak, dikirim_ulang, potong_invoice, …"""

    __tablename__ = "return_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("return_requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ReturnRequest] = relationship(back_populates="events")
