"""Reading the tracker the same way in every action: the customer's latest message and the counters that
forms keep in slots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rasa_sdk import Tracker

from bot.services.orders import ORDER_ID_PATTERN
from knowledge.phrasing import is_story

T = TypeVar("T")


def latest_text(tracker: Tracker) -> str:
    """The latest message's words ("" for a photo sent without a caption)."""
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> str | None:
    """The intent NLU gave the latest message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    """What the gateway sent with the latest message (actions/channel.py names the channel facts in it)."""
    return tracker.latest_message.get("metadata") or {}


def latest_media(tracker: Tracker) -> list[Any]:
    """The files sent with the latest message, as the gateway describes them (url, content_type)."""
    return latest_metadata(tracker).get("media") or []


def count(tracker: Tracker, slot: str) -> float:
    """A counter kept in a float slot (a form's wrong answers); an unset slot counts 0."""
    return float(tracker.get_slot(slot) or 0)


def request_texts(tracker: Tracker, form: str) -> list[str]:
    """The customer's messages of the latest run of `form`: the one that started it, then those written
    while it ran (button payloads and empty captions included, as written)."""
    texts: list[str] = []
    active: str | None = None
    for event in tracker.events:
        kind = event.get("event")
        if kind == "active_loop":
            name = event.get("name")
            if name == form and active != form:  # a new run: what came before belongs to others
                texts = texts[-1:]
            active = name
        elif kind == "user":
            text = str(event.get("text") or "")
            texts = [*texts, text] if active == form else [text]  # outside the form: the latest one only
    return texts


def said_before_latest(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot's messages between the customer's previous message and the latest one (its reply to the
    previous one, the question the latest one answers), as Rasa recorded them."""
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    if len(users) < 2:
        return []
    return [e for e in tracker.events[users[-2] + 1 : users[-1]] if e.get("event") == "bot"]


def said_since_latest(tracker: Tracker) -> list[str]:
    """The responses the bot has named so far in its reply to the customer's latest message."""
    said: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "bot" and (response := (event.get("metadata") or {}).get("utter_action")):
            said.append(str(response))
    return said[::-1]


def _before_form(tracker: Tracker, submitted_by: str, turns: int) -> list[dict[str, Any]]:
    """The customer's last few messages (user events) before the active form started (the one that started it
    included) that were not answers to another form, since the form was last submitted (`submitted_by`, its
    final action) in this session; in the order they were written."""
    messages: list[tuple[dict[str, Any], bool]] = []  # (event, an answer to a form)
    in_form = False
    for event in tracker.events:
        kind = event.get("event")
        if kind == "session_started" or (kind == "action" and event.get("name") == submitted_by):
            messages, in_form = [], False
        elif kind == "active_loop":
            in_form = event.get("name") is not None
        elif kind == "user":
            messages.append((event, in_form))
    return [event for event, answer in messages[-turns:] if not answer]


def told_before_form(tracker: Tracker, submitted_by: str, turns: int = 3) -> list[str]:
    """The words of the messages before the active form (see _before_form)."""
    return [str(event.get("text") or "").strip() for event in _before_form(tracker, submitted_by, turns)]


def story_before_form(
    tracker: Tracker, submitted_by: str, *, max_chars: int, keep: Callable[[str], bool] = lambda _: True
) -> str | None:
    """The customer's own account of the problem in the messages before the active form (see _before_form):
    those long enough to tell a story (and that `keep` keeps), joined in the order written."""
    stories = [t[:max_chars] for t in told_before_form(tracker, submitted_by) if is_story(t) and keep(t)]
    return "\n".join(stories)[:max_chars] or None


def form_starts(tracker: Tracker) -> bool:
    """Whether the form's validation runs for the message that starts it: no question asked yet."""
    return tracker.get_slot("requested_slot") is None


def media_before_form(tracker: Tracker, submitted_by: str, turns: int = 3) -> list[Any]:
    """The files sent with the messages before the active form (see _before_form), the latest first: a photo
    of the goods sent before or with "barangnya pecah kak"."""
    events = reversed(_before_form(tracker, submitted_by, turns))
    return [file for event in events for file in (event.get("metadata") or {}).get("media") or []]


def earlier_texts(tracker: Tracker) -> list[str]:
    """The customer's messages of this session before the latest one, in the order written."""
    texts: list[str] = []
    for event in tracker.events:
        if event.get("event") == "session_started":
            texts = []
        elif event.get("event") == "user":
            texts.append(str(event.get("text") or ""))
    return texts[:-1]


def latest_told_before_form(tracker: Tracker, submitted_by: str, find: Callable[[str], T | None]) -> T | None:
    """What `find` finds in the latest of the messages before the active form (the one that started it
    included; see told_before_form) that has it: an order ID, a phone, a name."""
    return next(filter(None, map(find, reversed(told_before_form(tracker, submitted_by)))), None)


def order_told_before_form(tracker: Tracker, submitted_by: str) -> str | None:
    """The order ID the customer wrote last before the active form started: "paket UK-2611-008170 belum
    sampai", then "mau komplain"."""
    return latest_told_before_form(tracker, submitted_by, _order_id_in)


def _order_id_in(text: str) -> str | None:
    match = ORDER_ID_PATTERN.search(text)
    return match.group(0) if match else None
