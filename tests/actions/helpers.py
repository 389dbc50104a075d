"""Run actions the way the action server does: a tracker snapshot in, events and messages out."""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import PROJECT_ROOT

DATA = Path(__file__).parent / "data"


def load_domain() -> dict[str, Any]:
    """The domain/ directory merged the way Rasa merges it (enough for the SDK's needs)."""
    return copy.deepcopy(_domain())


@functools.cache
def _domain() -> dict[str, Any]:
    domain: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "intents": [], "actions": []}
    for path in sorted((PROJECT_ROOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text()) or {}
        for key in ("slots", "forms", "responses"):
            domain[key].update(part.get(key) or {})
        for key in ("intents", "actions"):
            domain[key].extend(part.get(key) or [])
    return domain


# A response's variables, as rasa.core.nlg.interpolator finds them: "{name}"
_VARIABLE = re.compile(r"{([^\n{}]+?)}")
# What rasa_sdk's utter_message puts in every message; anything else is a variable for the response
_MESSAGE_KEYS = frozenset(
    {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
)


def _variant(response: str, slots: dict[str, Any]) -> dict[str, Any]:
    """The variant of a response Rasa sends (rasa.core.nlg.generator): one whose slot conditions the slots
    meet, else one without conditions."""
    variants = _domain()["responses"][response]

    def meets(variant: dict[str, Any]) -> bool:
        return all(
            str(slots.get(c["name"])).casefold() == str(c["value"]).casefold() for c in variant["condition"]
        )

    conditional = [v for v in variants if v.get("condition") and meets(v)]
    return (conditional or [v for v in variants if not v.get("condition")])[0]


def domain_text(response: str, **variables: Any) -> str:
    """The text of a domain response with its variables filled in, as Rasa fills them; the variables (slots
    among them) also pick a conditional variant. Stricter than Rasa, which logs a missing variable and sends
    the braces: here it is a KeyError."""
    template = _variant(response, variables)["text"]
    return _VARIABLE.sub(lambda m: str(variables[m.group(1)]), template)


def rendered(message: dict[str, Any], slots: dict[str, Any]) -> dict[str, Any]:
    """A message as Rasa sends it on (rasa.core.actions.action.RemoteAction._utter_responses): a response
    named by the action gets its text from the domain, filled with the slots and the variables the action
    passed, and the response's own buttons before the action's."""
    name = message.get("response")
    if not name:
        return message
    variables = {**slots, **{k: v for k, v in message.items() if k not in _MESSAGE_KEYS}}
    variant = _variant(name, variables)
    buttons = [*variant.get("buttons", []), *message.get("buttons", [])]
    return {**message, "text": domain_text(name, **variables), "buttons": buttons}


def form_tracker(
    form: str,
    requested_slot: str | None,
    *,
    text: str,
    extracted: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    intent: str = "inform",
    ranking: list[tuple[str, float]] | None = None,
    history: list[dict[str, Any]] | None = None,
    prompt: str | None = None,
) -> Tracker:
    """A form waiting for an answer (requested_slot), the customer's answer as the latest message, and the
    slot values Rasa's slot mappings extracted from it (what the validation action is asked to validate);
    `prompt`: what the bot said just before the answer (the form's question)."""
    state = copy.deepcopy(json.loads((DATA / "order_form_tracker.json").read_text()))
    # Rasa validates the message that starts a form before the form is active (rasa.core.actions.forms)
    state["active_loop"] = {"name": form} if requested_slot is not None else {}
    state["slots"]["requested_slot"] = requested_slot
    state["slots"].update(slots or {})
    state["slots"].update(extracted or {})
    state["latest_message"].update(
        {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": _ranking(intent, ranking),
            "metadata": metadata or {"channel": "rest"},
        }
    )
    if requested_slot is None:  # the form starts with this message: no form was waiting for it
        state["events"].append({"event": "active_loop", "name": None})
        state["events"] += history or []
    if prompt is not None:
        state["events"].append({"event": "bot", "text": prompt})
    message = state["latest_message"]  # Rasa's user event carries the message's metadata too
    state["events"].append(
        {"event": "user", "text": text, "parse_data": message, "metadata": message["metadata"]}
    )
    state["events"].extend({"event": "slot", "name": k, "value": v} for k, v in (extracted or {}).items())
    return Tracker.from_dict(state)


def _ranking(intent: str, ranking: list[tuple[str, float]] | None) -> list[dict[str, Any]]:
    return [{"name": n, "confidence": c} for n, c in (ranking or [(intent, 0.9)])]


def said(text: str, media: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Events of an earlier turn: the customer wrote `text` (with files: `media`), the bot answered."""
    metadata = {"channel": "rest", **({"media": media} if media else {})}
    return [
        {
            "event": "user",
            "text": text,
            "parse_data": {"text": text, "intent": {"name": "faq"}},
            "metadata": metadata,
        },
        {"event": "bot", "text": "(jawaban)"},
        {"event": "action", "name": "action_listen"},
    ]


def order_form_tracker(*, slots: dict[str, Any] | None = None, **kwargs: Any) -> Tracker:
    """The order status form asking for the order ID (unless slots say otherwise)."""
    requested = (slots or {}).get("requested_slot", "order_id")
    return form_tracker("order_status_form", requested, slots=slots, **kwargs)


def question_tracker(
    text: str,
    *,
    intent: str = "faq",
    metadata: dict[str, Any] | None = None,
    history: list[dict[str, Any]] | None = None,
    ranking: list[tuple[str, float]] | None = None,
) -> Tracker:
    """A customer's question as the latest message, with NLU's intent (and ranking), after the
    earlier events in `history`."""
    state = copy.deepcopy(json.loads((DATA / "question_tracker.json").read_text()))
    message = state["latest_message"]
    message.update(
        {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": _ranking(intent, ranking),
        }
    )
    if metadata:
        message["metadata"] = metadata
    user = {"event": "user", "text": text, "parse_data": message, "metadata": message.get("metadata") or {}}
    state["events"] += [*(history or []), user]
    return Tracker.from_dict(state)


def run_action(
    action: Action, tracker: Tracker, domain: dict[str, Any] | None = None, *, render: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The events the action returns and its messages: as the customer gets them (render, the default),
    or as the action server sends them to Rasa (a named response without its text)."""
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker, domain or load_domain())
    events = asyncio.run(result) if asyncio.iscoroutine(result) else result
    if not render:
        return events, dispatcher.messages
    return events, [rendered(m, tracker.slots) for m in dispatcher.messages]


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
