"""Run by .venv-rasa's Python (tests/rasa_components/test_action_responses.py): how Rasa, with this
project's components imported, judges a valid and an invalid action server response; prints JSON."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(1, os.getcwd())

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import rasa_components  # noqa: F401 - what Rasa imports with the model and endpoints


def verdict(response: dict) -> str:
    try:
        RemoteAction("action_x", None)._validate_action_result(response)
    except ValidationError as error:
        return error.message
    return "valid"


print(
    json.dumps(
        {
            "patched": RemoteAction._validate_action_result.__module__,
            "valid": verdict(
                {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hai"}]}
            ),
            "no_event_type": verdict({"events": [{"name": "a"}], "responses": []}),
            "responses_not_a_list": verdict({"events": [], "responses": "hai"}),
        }
    )
)
