"""Rasa's SQL tracker store, handing Rasa only the recent part of a long conversation session.

Rasa rebuilds a conversation from all the events of its session at every message, and its policies walk
them all again (`applied_events`, the rule policy's loop checks): a turn's cost grows with the session. A
chatty WhatsApp customer stays in one session for hours, and in one conversation of 120 messages turns
101-120 cost 3x turns 1-20 (reports/bench, profiled with py-spy). Nothing in this assistant looks further
back than the current form and the last few messages, so `retrieve` gives Rasa:

- the session's `session_started` event,
- the state the older events left: the last value of every slot (after the last restart or reset of the
  slots),
- the turn that started the form active where the window starts, if one is,
- and the last `window_events` events of the session (a turn is 5-8 events) from the first point between
  two turns in them.

All events stay in the database; `retrieve_full_tracker` (Rasa's tracker API with all sessions) still
reads them all. `save` stores the events newer than the newest stored one (their timestamps), instead of
counting stored rows as Rasa's own store does, which would mistake a shortened tracker for an old one.
Runs inside .venv-rasa (Python 3.10, SQLAlchemy 1.4); configured in endpoints.yml.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

DEFAULT_WINDOW_EVENTS = 60
STATE_RESETS = ("restart", "reset_slots")


class WindowedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, window_events: int = DEFAULT_WINDOW_EVENTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if int(window_events) < 10:
            raise ValueError("window_events must be at least 10 (a form needs its last turns)")
        self.window_events = int(window_events)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            recent = query.order_by(None).order_by(self.SQLEvent.id.desc()).limit(self.window_events).all()
            if not recent:
                return None
            recent.reverse()
            # the window starts between two turns: at its first action_listen
            start = next((i for i, row in enumerate(recent) if _is_listen(row)), None)
            if start is None:  # no turn ends in the window (never with 60 events): the whole session
                rows = query.all()
            else:
                rows = [*self._state_before(query, recent[start].id), *recent[start:]]
            events = [e for e in (_event(json.loads(row.data)) for row in rows) if e is not None]
        if not self.domain:
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _state_before(self, query: Any, first_id: int) -> list[Any]:
        """The rows before the window that the window depends on, in their order: the session's start, the
        last value of every slot, and, when a form is active where the window starts, the turn that started
        it (the rule and memoization policies replay a form from its first execution: a window cut inside a
        form without it left them no state at all). All after the last restart or reset of the slots."""
        event = self.SQLEvent
        before = query.order_by(None).filter(event.id < first_id)

        def last_id(*conditions: Any) -> int:
            return before.filter(*conditions).with_entities(sa.func.max(event.id)).scalar() or 0

        reset = last_id(event.type_name.in_(STATE_RESETS))
        after_reset = before.filter(event.id > reset)
        ids = {last_id(event.type_name == "session_started", event.id > reset)}
        slots = after_reset.filter(event.type_name == "slot").with_entities(sa.func.max(event.id))
        ids.update(i for (i,) in slots.group_by(event.action_name))  # a slot event's action_name: the slot
        loop = last_id(event.type_name == "active_loop", event.id > reset)
        if loop and json.loads(before.filter(event.id == loop).one().data).get("name"):
            listen = last_id(
                event.type_name == "action", event.action_name == "action_listen", event.id < loop
            )
            ids.update(row.id for row in after_reset.filter(event.id >= listen, event.id <= loop))
        ids.discard(0)
        return before.filter(event.id.in_(ids)).order_by(event.id).all() if ids else []

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        newest = (
            session.query(sa.func.max(self.SQLEvent.timestamp))
            .filter(self.SQLEvent.sender_id == tracker.sender_id)
            .scalar()
        )
        return iter([e for e in tracker.events if newest is None or e.timestamp > newest])


# Event classes by their type name. Rasa's own `Event.from_parameters` looks the class up by walking every
# subclass of Event for each event it reads (`all_subclasses`), ~5% of Rasa's CPU per turn in the profile;
# the classes do not change once imported.
_EVENT_CLASSES: dict[str, type[Event]] = {}


def _event(data: dict[str, Any]) -> Event | None:
    """One stored event, as `Event.from_parameters` reads it (None: Rasa's class could not read it)."""
    name = data["event"]
    event_class = _EVENT_CLASSES.get(name)
    if event_class is None:
        event_class = _EVENT_CLASSES[name] = Event.resolve_by_type(name)  # unknown: ValueError, as Rasa's
    return event_class._from_parameters(data)


def _is_listen(row: Any) -> bool:
    return row.type_name == "action" and row.action_name == "action_listen"
