"""The windowed tracker store (rasa_components/tracker_store.py), as endpoints.yml configures it, over a
real SQLite file, driven in .venv-rasa by windowed_store_probe.py: a session of 41 turns with a restart,
slots set early, late and twice, a form early and one late; and a form active all along."""

from __future__ import annotations

from pathlib import Path

from bot.config import get_settings
from bot.ops.rasa_env import rasa_environment
from tests.rasa_components.probes import run_probe


def test_rasa_gets_the_recent_events_and_the_state_the_older_ones_left(tmp_path: Path):
    env = rasa_environment(get_settings()) | {"TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}"}
    seen = run_probe("windowed_store_probe.py", env)
    assert seen["store"] == "WindowedSQLTrackerStore"  # not Rasa's silent in-memory fallback
    # every event is stored once, in order, although Rasa saw only a window of the session each time
    assert seen["stored"] == seen["written"]
    assert seen["same_order"]
    # the window, plus session_started, the last value of each slot and the active form
    assert seen["windowed_events"] <= seen["window_events"] + 5
    assert seen["windowed_events"] < seen["written"] / 2
    assert seen["slots"] == {
        "early": "dari awal",
        "late": "terakhir",
        "overwritten": "baru 10",
        "before_restart": None,  # the restart reset it
    }
    assert seen["active_loop"] == "complaint_form"  # started inside the window
    assert seen["latest_user"] == "pertanyaan 40"
    # the window starts between two turns, after the session's start and the slots' values
    assert seen["first_of_window"] == ["slot", "slot"]
    # a form active all along: the window, plus the turn that started the form
    assert seen["endless_retrieved"] <= seen["window_events"] + 5
    assert seen["endless_loop"] == "complaint_form"
    assert seen["endless_form_runs"] == 2  # its ActionExecuted and ActiveLoop, from the turn that started it
