"""Run by .venv-rasa's Python (tests/rasa_components/test_tracker_store.py): drives the windowed tracker
store as endpoints.yml configures it, over a real SQLite file, and prints what it saw as JSON.

    .venv-rasa/bin/python tests/rasa_components/windowed_store_probe.py   (endpoints.yml's variables set)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

sys.path.insert(1, os.getcwd())

from rasa.core.tracker_store import create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.utils.endpoints import read_endpoint_config

DOMAIN = Domain.from_dict(
    {
        "intents": ["faq"],
        "slots": {
            name: {"type": "any", "mappings": [{"type": "custom"}]}
            for name in ("early", "late", "overwritten", "before_restart")
        },
        "forms": {"complaint_form": {"required_slots": []}},
    }
)


def turn(i: int) -> list:
    return [
        UserUttered(f"pertanyaan {i}", {"name": "faq", "confidence": 1.0}),
        ActionExecuted("action_answer_faq"),
        BotUttered(f"jawaban {i}"),
        ActionExecuted("action_listen"),
    ]


async def converse(store: object, sender: str, turns: list) -> list:
    """Each turn as Rasa does it: retrieve the tracker, add the turn's events (made then: the store tells
    new events by their timestamps), save."""
    tracker = await store.get_or_create_tracker(sender)
    written = list(tracker.events)
    for make in turns:
        current = await store.retrieve(sender)
        events = make()
        for event in events:
            current.update(event)
        written.extend(events)
        await store.save(current)
    return written


def _endless(tracker: object) -> dict:
    return {
        "endless_retrieved": len(tracker.events),
        "endless_loop": tracker.active_loop_name,
        "endless_form_runs": sum(e.as_dict().get("name") == "complaint_form" for e in tracker.events),
    }


async def main() -> dict:
    config = read_endpoint_config("endpoints.yml", "tracker_store")
    store = create_tracker_store(config, DOMAIN)
    turns = [
        lambda: [SessionStarted(), SlotSet("before_restart", "x"), ActionExecuted("action_listen")],
        lambda: [Restarted(), ActionExecuted("action_listen")],
        lambda: [SlotSet("early", "dari awal"), SlotSet("overwritten", "lama"), *turn(0)],
        lambda: [ActiveLoop("complaint_form"), *turn(1)],
        lambda: turn(2),
        lambda: [ActiveLoop(None), *turn(3)],
        *(
            lambda i=i: turn(i) + ([SlotSet("overwritten", f"baru {i}")] if i == 10 else [])
            for i in range(4, 38)
        ),
        lambda: [ActiveLoop("complaint_form"), *turn(38)],
        lambda: turn(39),
        lambda: [SlotSet("late", "terakhir"), *turn(40)],
    ]
    written = await converse(store, "probe", turns)
    windowed = await store.retrieve("probe")
    full = await store.retrieve_full_tracker("probe")

    # a form that stays active for the whole conversation (questions answered inside it): the window gets
    # the turn that started it
    def start_form() -> list:
        return [
            ActionExecuted("action_listen"),
            UserUttered("mau komplain", {"name": "faq", "confidence": 1.0}),
            ActionExecuted("complaint_form"),
            ActiveLoop("complaint_form"),
        ]

    endless_turns = [start_form, *(lambda i=i: turn(i) for i in range(30))]
    endless = await converse(store, "endless", endless_turns)
    return {
        "store": type(store).__name__,
        "window_events": store.window_events,
        "written": len(written),
        "stored": len(full.events),
        "same_order": [e.as_dict()["event"] for e in full.events] == [e.as_dict()["event"] for e in written],
        "windowed_events": len(windowed.events),
        "first_of_window": [e.as_dict()["event"] for e in windowed.events][:2],
        "slots": {k: windowed.get_slot(k) for k in ("early", "late", "overwritten", "before_restart")},
        "active_loop": windowed.active_loop_name,
        "latest_user": windowed.latest_message.text,
        "endless_written": len(endless),
        **_endless(await store.retrieve("endless")),
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
