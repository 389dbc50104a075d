"""How the service is doing over a period: the supervisor's overview (GET /api/agent/reports/overview).

Definitions (docs/operations.md repeats them for the people reading the numbers):
- a conversation counts in the period when its customer wrote in it; `messages` counts every message
  stored in the period (customer, bot, agent and system);
- contained: a counted conversation with no handoff request in the period (the bot settled it alone);
- wait for an agent: from a handoff request to the claim that answered it; a request that ended without
  a claim (the customer left the queue, the conversation was closed) is `abandoned`, one with nothing
  after it is `still_waiting`;
- first response: from a claim to that agent's first message in the conversation;
- CSAT: the `csat` ratings given in the period (bot/handoff/csat.py);
- unanswered: questions the help centre could not answer and no supervisor has fixed from the console yet,
  grouped by similarity (bot/reports/unanswered_groups.py);
- complaints and returns: those received in the period, with their state now; a complaint is on time when
  it was answered by its due date, breached when it was answered late or is open past its due date;
- days are Jakarta calendar days (WIB), the unit a CS team plans in.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reports.unanswered_groups import group_questions
from bot.services.complaints import OPEN_STATUSES, local_date
from bot.store.models import (
    Complaint,
    Conversation,
    ConversationEvent,
    Message,
    ReturnRequest,
    UnansweredQuestion,
)

_WAIT_ENDS = ("claimed", "returned_to_bot", "closed")
TOP_UNANSWERED = 10


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _median(values: list[float]) -> float | None:
    return float(median(values)) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass
class _Slice:
    """Counts for one channel, one brand or one day."""

    conversations: set[int] = field(default_factory=set)
    messages: int = 0
    handed_off: set[int] = field(default_factory=set)
    waits: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        counted = len(self.conversations)
        handed_off = len(self.handed_off & self.conversations)
        return {
            "conversations": counted,
            "messages": self.messages,
            "handed_off": handed_off,
            "contained_rate": _rate(counted - handed_off, counted),
            "handoff_rate": _rate(handed_off, counted),
            "median_wait_seconds": _median(self.waits),
        }


@dataclass(frozen=True)
class _Handoff:
    conversation_id: int
    at: datetime
    reason: str
    wait_seconds: float | None  # None: not claimed
    outcome: str  # claimed | abandoned | still_waiting


def _handoffs(session: Session, since: datetime, until: datetime) -> list[_Handoff]:
    requested = list(
        session.scalars(
            select(ConversationEvent)
            .where(
                ConversationEvent.kind == "handoff_requested",
                ConversationEvent.created_at >= since,
                ConversationEvent.created_at < until,
            )
            .order_by(ConversationEvent.id)
        )
    )
    if not requested:
        return []
    ends: dict[int, list[ConversationEvent]] = defaultdict(list)
    for event in session.scalars(
        select(ConversationEvent)
        .where(
            ConversationEvent.conversation_id.in_({e.conversation_id for e in requested}),
            ConversationEvent.kind.in_(_WAIT_ENDS),
            ConversationEvent.id > requested[0].id,
        )
        .order_by(ConversationEvent.id)
    ):
        ends[event.conversation_id].append(event)
    found = []
    for event in requested:
        end = next((e for e in ends[event.conversation_id] if e.id > event.id), None)
        reason = str((event.detail or {}).get("reason") or "lainnya")
        if end is None:
            found.append(_Handoff(event.conversation_id, event.created_at, reason, None, "still_waiting"))
        elif end.kind == "claimed":
            wait = (end.created_at - event.created_at).total_seconds()
            found.append(_Handoff(event.conversation_id, event.created_at, reason, wait, "claimed"))
        else:
            found.append(_Handoff(event.conversation_id, event.created_at, reason, None, "abandoned"))
    return found


def _first_responses(session: Session, since: datetime, until: datetime) -> list[float]:
    claims = list(
        session.execute(
            select(ConversationEvent.conversation_id, ConversationEvent.created_at).where(
                ConversationEvent.kind.in_(("claimed", "transferred")),
                ConversationEvent.created_at >= since,
                ConversationEvent.created_at < until,
            )
        )
    )
    if not claims:
        return []
    replies: dict[int, list[datetime]] = defaultdict(list)
    for conversation_id, at in session.execute(
        select(Message.conversation_id, Message.created_at)
        .where(
            Message.conversation_id.in_({c.conversation_id for c in claims}),
            Message.author == "agent",
            Message.created_at >= min(c.created_at for c in claims),
        )
        .order_by(Message.id)
    ):
        replies[conversation_id].append(at)
    seconds = []
    for conversation_id, claimed_at in claims:
        times = replies[conversation_id]
        first = bisect_left(times, claimed_at)
        if first < len(times):
            seconds.append((times[first] - claimed_at).total_seconds())
    return seconds


def _csat(session: Session, since: datetime, until: datetime) -> dict[str, Any]:
    ratings = [
        int((detail or {}).get("rating", 0))
        for detail in session.scalars(
            select(ConversationEvent.detail).where(
                ConversationEvent.kind == "csat",
                ConversationEvent.created_at >= since,
                ConversationEvent.created_at < until,
            )
        )
    ]
    ratings = [r for r in ratings if 1 <= r <= 5]
    counts = Counter(ratings)
    return {
        "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "responses": len(ratings),
        "distribution": {str(n): counts.get(n, 0) for n in range(1, 6)},
    }


def _complaints(session: Session, since: datetime, until: datetime, today: date) -> dict[str, int]:
    received = list(
        session.scalars(
            select(Complaint).where(Complaint.received_at >= since, Complaint.received_at < until)
        )
    )
    on_time = breached = still_open = 0
    for complaint in received:
        if complaint.resolved_at is not None:
            if local_date(complaint.resolved_at) <= complaint.due_date:
                on_time += 1
            else:
                breached += 1
        else:
            still_open += complaint.status in OPEN_STATUSES
            breached += complaint.breached_at is not None or complaint.due_date < today
    return {"opened": len(received), "answered_on_time": on_time, "breached": breached, "open": still_open}


def _returns(session: Session, since: datetime, until: datetime) -> dict[str, int]:
    statuses = session.scalars(
        select(ReturnRequest.status).where(
            ReturnRequest.created_at >= since, ReturnRequest.created_at < until
        )
    )
    return dict(sorted(Counter(statuses).items()))


def _unanswered(session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The largest groups of questions nobody has answered from the console yet, with their row ids (what
    a fix from the console marks as handled)."""
    rows = session.execute(
        select(UnansweredQuestion.id, UnansweredQuestion.question)
        .where(
            UnansweredQuestion.created_at >= since,
            UnansweredQuestion.created_at < until,
            UnansweredQuestion.handled_at.is_(None),
        )
        .order_by(UnansweredQuestion.id.desc())
        .limit(2000)
    ).all()
    return [
        {
            "question": group.example,
            "count": group.count,
            "variants": group.variants[:5],
            "ids": sorted(rows[i].id for i in group.members),
        }
        for group in group_questions([row.question for row in rows])[:TOP_UNANSWERED]
    ]


def _days(since: datetime, until: datetime) -> Iterable[date]:
    day, last = local_date(since), local_date(until - timedelta(microseconds=1))
    while day <= last:
        yield day
        day += timedelta(days=1)


def overview(session: Session, *, until: datetime, days: int) -> dict[str, Any]:
    """The overview of the `days` days before `until` (see the module docstring for each figure)."""
    since = until - timedelta(days=days)
    conversations = {
        row.id: row
        for row in session.execute(
            select(Conversation.id, Conversation.channel, Conversation.brand).where(
                Conversation.id.in_(
                    select(Message.conversation_id).where(
                        Message.author == "customer", Message.created_at >= since, Message.created_at < until
                    )
                )
            )
        )
    }
    total = _Slice(conversations=set(conversations))
    by_channel: dict[str, _Slice] = defaultdict(_Slice)
    by_brand: dict[str, _Slice] = defaultdict(_Slice)
    by_day: dict[date, _Slice] = {day: _Slice() for day in _days(since, until)}

    def slices(conversation_id: int) -> list[_Slice]:
        row = conversations.get(conversation_id)
        if row is None:  # a message in a conversation whose customer did not write in the period
            return []
        return [by_channel[row.channel], by_brand[row.brand or "-"]]

    for conversation_id, author, at in session.execute(
        select(Message.conversation_id, Message.author, Message.created_at).where(
            Message.created_at >= since, Message.created_at < until
        )
    ):
        total.messages += 1
        day = by_day[local_date(at)]
        day.messages += 1
        if author == "customer":
            day.conversations.add(conversation_id)
        for part in slices(conversation_id):
            part.messages += 1
            part.conversations.add(conversation_id)

    handoffs = _handoffs(session, since, until)
    for handoff in handoffs:
        day = by_day[local_date(handoff.at)]
        for part in (total, day, *slices(handoff.conversation_id)):
            part.handed_off.add(handoff.conversation_id)
            if handoff.wait_seconds is not None:
                part.waits.append(handoff.wait_seconds)

    summary = total.as_dict()
    waits = total.waits
    first_responses = _first_responses(session, since, until)
    return {
        "since": since,
        "until": until,
        "days": days,
        "conversations": summary["conversations"],
        "messages": summary["messages"],
        "contained_rate": summary["contained_rate"],
        "handoff_rate": summary["handoff_rate"],
        "handoffs": len(handoffs),
        "handoffs_by_reason": dict(Counter(h.reason for h in handoffs).most_common()),
        "handoff_outcomes": dict(sorted(Counter(h.outcome for h in handoffs).items())),
        "median_wait_seconds": _median(waits),
        "p90_wait_seconds": percentile(waits, 90),
        "median_first_response_seconds": _median(first_responses),
        "csat": _csat(session, since, until),
        "top_unanswered": _unanswered(session, since, until),
        "complaints": _complaints(session, since, until, local_date(until)),
        "returns_by_state": _returns(session, since, until),
        "by_channel": {name: part.as_dict() for name, part in sorted(by_channel.items())},
        "by_brand": {name: part.as_dict() for name, part in sorted(by_brand.items())},
        "daily": [{"date": day.isoformat(), **part.as_dict()} for day, part in sorted(by_day.items())],
    }
