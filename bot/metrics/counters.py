"""The gateway's Prometheus metrics (served by bot/metrics/api.py as GET /metrics).

Two kinds of figures:
- counters and the reply-latency histogram count what this gateway process did (messages received, bot
  replies, handoffs, Rasa and action-server errors); with several gateways, scrape each one and sum;
- gauges read from the database at scrape time (queue length, WhatsApp outbox, complaint deadlines), so
  every gateway reports the same shared state.
Names and alert rules: docs/operations.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.services.clock import now
from bot.services.complaints import OPEN_STATUSES, local_date, near_deadline
from bot.store.db import session_scope
from bot.store.models import Complaint, Conversation, ConversationState, Outbox, OutboxStatus

log = logging.getLogger(__name__)
REGISTRY = CollectorRegistry()

MESSAGES_RECEIVED = Counter(
    "cs_messages_received",
    "Customer messages stored (retried deliveries once)",
    ["channel"],
    registry=REGISTRY,
)
BOT_REPLIES = Counter("cs_bot_replies", "Messages the bot sent to customers", ["channel"], registry=REGISTRY)
HANDOFFS = Counter(
    "cs_handoffs", "Conversations queued for a human, by reason", ["reason"], registry=REGISTRY
)
REPLY_LATENCY = Histogram(
    "cs_reply_latency_seconds",
    "From a customer message stored to the replies to it stored (queueing behind earlier messages included)",
    ["channel"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60),
    registry=REGISTRY,
)
RASA_ERRORS = Counter(
    "cs_rasa_errors", "Turns Rasa failed to answer (down, timeout, bad reply)", registry=REGISTRY
)
ACTION_SERVER_ERRORS = Counter(
    "cs_action_server_errors", "Turns lost because the action server was down", registry=REGISTRY
)


def observe_reply(channel: str, received_at: datetime, finished_at: datetime, bot_replies: int) -> None:
    REPLY_LATENCY.labels(channel).observe(max(0.0, (finished_at - received_at).total_seconds()))
    if bot_replies:
        BOT_REPLIES.labels(channel).inc(bot_replies)


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


REGISTRY.register(StoreCollector())
