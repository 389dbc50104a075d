"""What the forms that prove ownership (order status, returns, ticket status) share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge import answer_digression, answer_inside_request
from actions.safety import apologise
from bot.services.identity import check_contact
from bot.services.order_records import OrderBackendUnavailable, OrderRecord
from bot.services.orders import extract_order_id, get_order_backend

GREETING_MAX_WORDS = 4
GREETING_TEXT = "Halo juga, Kak! 😊"


class FormWithDigressions(FormValidationAction, ABC):
    """A form that lets the customer step aside: a greeting ("halo", "pagi kak") or a help-centre question
    typed while the form waits for an answer is answered, is not taken as the answer nor counted as a wrong
    one, and the form asks its question again. A help-centre question inside the message that starts the
    form is answered before the form's first question. Slots in `free_text_slots` (a complaint's own story)
    take whatever the customer writes."""

    free_text_slots: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod  # abstract, so the action server does not register this base as an action
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            if tracker.active_loop_name is None:  # the message that starts the form
                answer_inside_request(dispatcher, tracker)
            requested = tracker.get_slot("requested_slot")
            if requested and requested not in self.free_text_slots and self._digression(dispatcher, tracker):
                return [SlotSet(requested, None)]
            return await super().run(dispatcher, tracker, domain)
        except Exception:  # never a silent turn (actions/safety.py)
            return apologise(self.name(), dispatcher)

    @staticmethod
    def _digression(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        text = (tracker.latest_message.get("text") or "").strip()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "greet" and len(text.split()) <= GREETING_MAX_WORDS:
            dispatcher.utter_message(text=GREETING_TEXT)
            return True
        return answer_digression(dispatcher, tracker)


def owner_checked_slots(
    domain_slots: list[str],
    tracker: Tracker,
    *,
    verified_slot: str,
    contact_slot: str,
    failures: float,
    max_failures: int,
) -> list[str]:
    """Stop asking after max_failures misses; skip the contact question once ownership is proven."""
    if failures >= max_failures:
        return []  # the form ends; its final action explains what to do instead
    if tracker.get_slot(verified_slot):
        return [slot for slot in domain_slots if slot != contact_slot]
    return domain_slots


def order_from_answer(value: Any, dispatcher: CollectingDispatcher) -> tuple[OrderRecord | None, str | None]:
    """The order a customer's answer names. On failure the customer has been told why, and the second
    item says what it was: "miss" (unreadable or unknown ID: may try again) or "down" (stop asking)."""
    order_id = extract_order_id(str(value)) if value else None
    if order_id is None:
        dispatcher.utter_message(response="utter_order_id_not_understood")
        return None, "miss"
    try:
        order = get_order_backend().get_order(order_id)
    except OrderBackendUnavailable:
        dispatcher.utter_message(response="utter_order_backend_down")
        return None, "down"
    if order is None:
        dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
        return None, "miss"
    return order, None


def contact_matches(order: OrderRecord, value: Any, dispatcher: CollectingDispatcher) -> bool:
    """Whether the phone or e-mail given is the order's; if not, the customer is told."""
    check = check_contact(order, str(value or ""))
    if check.matches:
        return True
    response = "utter_order_contact_mismatch" if check.given else "utter_order_contact_not_understood"
    dispatcher.utter_message(response=response, order_id=order.id)
    return False
