"""Greetings. A salam ("assalamualaikum", "aslm", "ass wr wb") is answered with its reply, as Indonesian CS
does, also when a question or a request follows it; any other greeting with the bot's own."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.safety import SafeAction
from actions.tracker import latest_text

_SALAM = re.compile(
    r"\b(?:as+alamu?\W?\s?[ae]la[iy]?kum\w*|as+alam\s+(?:wr|wrwb)\b|aslm\w*|aslkm|as+\s+wr\.?\s*wb)",
    re.IGNORECASE,
)
GREETING = "utter_greet"
SALAM_REPLY = "utter_greet_salam"
SALAM_RESPONSE = "utter_greet_back_salam"  # the reply alone, before an answer or a form's question


def is_salam(text: str) -> bool:
    return bool(_SALAM.search(text))


def return_salam(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """ "assalamualaikum kak, mau tanya ..." : the salam is returned before the answer, as CS would."""
    if is_salam(latest_text(tracker)):
        dispatcher.utter_message(response=SALAM_RESPONSE)


class ActionGreet(SafeAction):
    """The answer to a greeting outside a form (inside one, the form's own short reply: actions/forms.py)."""

    def name(self) -> str:
        return "action_greet"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response=SALAM_REPLY if is_salam(latest_text(tracker)) else GREETING)
        return []
