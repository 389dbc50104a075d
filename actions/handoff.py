"""Asking for a human: the action only requests it; the gateway decides and records it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.safety import SafeAction

HANDOFF_KEY = "handoff"


def request_handoff(dispatcher: CollectingDispatcher, reason: str) -> None:
    """Send the control payload the gateway recognises (it is never shown to the customer)."""
    dispatcher.utter_message(json_message={HANDOFF_KEY: {"reason": reason}})


class ActionRequestHuman(SafeAction):
    """Tells the customer the request is recorded and asks the gateway to hand off. Sets no slots."""

    def name(self) -> str:
        return "action_request_human"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_human_requested")
        request_handoff(dispatcher, reason="customer_request")
        return []
