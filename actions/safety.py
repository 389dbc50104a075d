"""Actions that never leave a customer without an answer.

An action that fails unexpectedly (the database gone, a bug) would make the action server answer 500: Rasa
drops the turn's events and the customer gets the gateway's generic "no reply" text, or nothing. Every action
here derives from SafeAction (or FormWithDigressions, which guards the same way): the error is logged with
its traceback, whatever the action had said before failing is withdrawn (it was not sent and may be half a
story), and the customer gets `utter_action_failed` — an apology and a way on. No events are returned, so
slots and forms stay as they were and the customer can simply try again. Expected failures (an order system
that is down, a rule that forbids a return) keep their own, more precise, answers inside the actions.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

log = logging.getLogger(__name__)
FAILED_RESPONSE = "utter_action_failed"


def apologise(action: str, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """After an unexpected error (called inside an `except`): log it, withdraw what was said, apologise."""
    log.exception("action %s failed; the customer was told to try again", action)
    dispatcher.messages.clear()
    dispatcher.utter_message(response=FAILED_RESPONSE)
    return []


class SafeAction(Action, ABC):
    """An action whose work is `act`; `run` answers politely when it fails (module docstring)."""

    @abstractmethod  # abstract, so the action server does not register this base as an action
    def name(self) -> str: ...

    @abstractmethod
    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]: ...

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            return self.act(dispatcher, tracker, domain)
        except Exception:
            return apologise(self.name(), dispatcher)
