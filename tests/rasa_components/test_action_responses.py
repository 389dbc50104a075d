"""Rasa's check of action server responses, with the prepared validator of rasa_components installed:
valid responses pass, invalid ones fail with the error and hint Rasa's own check gives."""

from __future__ import annotations

from tests.rasa_components.probes import run_probe


def test_action_server_responses_are_judged_as_rasa_judges_them():
    seen = run_probe("action_responses_probe.py")
    assert seen["patched"] == "rasa_components.action_responses"
    assert seen["valid"] == "valid"
    assert seen["no_event_type"].startswith(
        "'event' is a required property. Failed to validate Action server"
    )
    assert seen["responses_not_a_list"].startswith("'hai' is not of type 'array'")
