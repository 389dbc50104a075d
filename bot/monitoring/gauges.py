"""Gauges of the shared state, read from the database at scrape time (queue length, WhatsApp outbox,
complaint deadlines), so every gateway reports the same figures. Names and alert rules: docs/operations.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.services.clock import now
from bot.services.complaints import OPEN_STATUSES, local_date, near_deadline
from bot.store.db import session_scope
from bot.store.models import Complaint, Conversation, ConversationState, Outbox, OutboxStatus

log = logging.getLogger(__name__)


class StoreCollector(Collector):
    """Gauges of the shared state, read when scraped; `cs_store_up 0` when the database cannot be read."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("cs_store_up", "Whether the database answered this scrape")
        try:
            families = list(self._read())
        except Exception as exc:  # a scrape reports the outage instead of failing
            log.warning("metrics: the database could not be read: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    @staticmethod
    def _read() -> Iterator[Metric]:
        today = local_date(now())
        with session_scope() as session:
            states = dict(
                session.execute(select(Conversation.state, func.count()).group_by(Conversation.state)).all()
            )
            outbox = dict(
                session.execute(
                    select(Outbox.status, func.count())
                    .where(Outbox.status.in_((OutboxStatus.pending, OutboxStatus.failed)))
                    .group_by(Outbox.status)
                ).all()
            )
            open_complaints = list(
                session.scalars(select(Complaint).where(Complaint.status.in_(OPEN_STATUSES)))
            )
        conversations = GaugeMetricFamily(
            "cs_conversations", "Conversations by who answers them now", labels=["state"]
        )
        for state in ConversationState:
            conversations.add_metric([state.value], states.get(state.value, 0))
        yield conversations
        yield GaugeMetricFamily(
            "cs_queue_length",
            "Conversations waiting for a human",
            value=states.get(ConversationState.waiting_agent, 0),
        )
        messages = GaugeMetricFamily(
            "cs_whatsapp_outbox", "WhatsApp message parts not delivered", labels=["status"]
        )
        for status in (OutboxStatus.pending, OutboxStatus.failed):
            messages.add_metric([status.value], outbox.get(status.value, 0))
        yield messages
        deadlines = GaugeMetricFamily(
            "cs_complaints_open", "Open complaint tickets by deadline (POJK 18/2018)", labels=["deadline"]
        )
        breached = sum(c.breached_at is not None for c in open_complaints)
        near = sum(c.breached_at is None and near_deadline(c, today=today) for c in open_complaints)
        deadlines.add_metric(["breached"], breached)
        deadlines.add_metric(["near"], near)
        deadlines.add_metric(["ok"], len(open_complaints) - breached - near)
        yield deadlines
