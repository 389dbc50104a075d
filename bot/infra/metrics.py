"""The gateway's Prometheus registry and what this process counts (served by bot/monitoring/metrics.py as
GET /metrics, beside the gauges of bot/monitoring/gauges.py).

The counters and the reply-latency histogram count what this gateway process did (messages received, bot
replies, handoffs, Rasa and action-server errors); with several gateways, scrape each one and sum.
Names and alert rules: docs/operations.md.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram

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
