"""What the forms share: stepping aside for a greeting or a help-centre question, and showing personal data
(an order, a return, a complaint ticket) only to its owner."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel import channel_facts
from actions.greetings import SALAM_RESPONSE, is_salam, return_salam
from actions.knowledge import SORRY_RESPONSE, answer_digression, answer_inside_request
from actions.safety import SafeAction, apologise
from actions.tracker import count, latest_intent, latest_text
from bot.services.identity import check_contact, is_owner_phone, normalize_phone
from bot.services.order_records import OrderBackendUnavailable, OrderRecord
from bot.services.orders import extract_order_id, get_order_backend
from bot.services.tone import is_angry

Slots = dict[str, Any]  # what a validation method returns: slot name -> value (None empties it)
# "ga tau nomornya", "lupa no ordernya", "nomor tiketnya ilang": the customer has no number at hand. NLU
# calls many of these `deny`, which would stop the form; they are not a "no".
_NOT_AT_HAND = re.compile(
    r"\b(?:(?:ga|gak|gk|nggak|ngga|enggak|engga|tidak|tdk|belum|blm)\s*"
    r"(?:tau|tahu|tw|inget|ingat|hafal|hapal|nemu|ketemu|punya|nyimpen|simpan)|lupa|hilang|ilang|kehapus|terhapus)\b",
    re.IGNORECASE,
)
_A_NUMBER = re.compile(
    r"\b(?:no|nmr|nomor\w*|nomer\w*|invoice\w*|resi\w*|tiket\w*|order\w*|pesanan\w*)\b", re.I
)
GREETING_MAX_WORDS = 4
GREETING_RESPONSE = "utter_greet_back"
# A message that is only a file (rasa_components/attachment_intent.py, the Rasa side, names it too).
MEDIA_INTENT = "send_media"
VERIFIED = "verified"  # what a contact slot keeps once the contact matched: never the contact itself
# The orders whose phone or e-mail this conversation gave in this session, the latest last: asked about again
# ("kurirnya apa?" after its status, a return of it), an order is not checked twice. Rasa empties the slot
# when a new session starts (domain/core.yml: no slots carried over).
PROVEN_ORDERS = "proven_orders"
MAX_PROVEN_ORDERS = 5
# The phone number the customer typed in this session where it counted: the one that proved an order theirs,
# or the one a complaint was filed with. Knowing it is what an order or a ticket check asks for, so it is not
# asked for again (a complaint's contact, an order of the same phone). Emptied with a new session.
GIVEN_PHONE = "given_phone"


def proven_orders(tracker: Tracker) -> list[str]:
    """The IDs of the orders this conversation proved its own in this session, the latest last."""
    return [str(order_id) for order_id in tracker.get_slot(PROVEN_ORDERS) or []]


def known_phone(tracker: Tracker) -> str | None:
    """The customer's phone as far as this session knows it: the channel's proven phone (WhatsApp), else the
    phone the customer gave in this session (GIVEN_PHONE)."""
    return normalize_phone(channel_facts(tracker).verified_phone) or tracker.get_slot(GIVEN_PHONE)


def said_in_this_form(tracker: Tracker, responses: Collection[str]) -> bool:
    """Whether the bot said one of these responses since the active form started (Rasa keeps the response's
    name in each bot event's metadata)."""
    form = tracker.active_loop_name
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == form:
            return False  # the form's start: nothing before it counts
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in responses:
            return True
    return False


class AskWithOpening(SafeAction, ABC):
    """Asks for the first slot of a form whose question also says what the form is about ("Baik Kak, saya
    bantu catat pengaduannya. …", `utter_ask_<slot>`): said once, when the form starts. Asked again (after
    a wrong answer or a help-centre question in between), the plain question (`utter_ask_<slot>_again`)."""

    slot: ClassVar[str]

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        opening, plain = f"utter_ask_{self.slot}", f"utter_ask_{self.slot}_again"
        dispatcher.utter_message(response=plain if said_in_this_form(tracker, (opening, plain)) else opening)
        return []


class FormWithDigressions(FormValidationAction, ABC):
    """A form that lets the customer step aside: a greeting ("halo", "pagi kak"), a help-centre question or a
    file sent while the form waits for a typed answer is answered, is not taken as the answer nor counted as a
    wrong one, and the form asks its question again. A request written in anger is apologised to first, and a
    help-centre question inside the message that starts the form is answered before the form's first
    question. Slots in `free_text_slots` (a complaint's own story) take whatever the customer writes."""

    free_text_slots: ClassVar[frozenset[str]] = frozenset()
    number_slots: ClassVar[frozenset[str]] = frozenset()  # ask for a number the customer may not have at hand
    media_slots: ClassVar[frozenset[str]] = frozenset()  # answered with a file (a return's photos)
    opening_apologises: ClassVar[bool] = False  # else an angry request gets an apology before the questions

    @abstractmethod  # abstract, so the action server does not register this base as an action
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            if tracker.active_loop_name is None:  # the message that starts the form
                return_salam(dispatcher, tracker)
                if not self.opening_apologises and is_angry(latest_text(tracker)):
                    dispatcher.utter_message(response=SORRY_RESPONSE)  # "ANJING LAMA BANGET PESANAN GUA"
                answer_inside_request(dispatcher, tracker)
            requested = tracker.get_slot("requested_slot")
            if requested and requested not in self.media_slots and latest_intent(tracker) == MEDIA_INTENT:
                return [SlotSet(requested, None), *self.file_between_questions(dispatcher, tracker)]
            if requested and requested not in self.free_text_slots and self._digression(dispatcher, tracker):
                return [SlotSet(requested, None)]
            if requested in self.number_slots and number_not_at_hand(latest_text(tracker)):
                # not a wrong answer and not a "no": the question is asked again, with where to find it
                dispatcher.utter_message(response="utter_number_not_at_hand")
                return [SlotSet(requested, None)]
            return await super().run(dispatcher, tracker, domain)
        except Exception:  # never a silent turn (actions/safety.py)
            return apologise(self.name(), dispatcher)

    def file_between_questions(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """A file sent while the form waits for a typed answer: acknowledged, not taken for the answer (its
        words are the gateway's stand-in or "ini kak"), and the question is asked again."""
        dispatcher.utter_message(response="utter_media_not_the_answer")
        return []

    @staticmethod
    def _digression(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
        text = latest_text(tracker).strip()
        if latest_intent(tracker) == "greet" and len(text.split()) <= GREETING_MAX_WORDS:
            dispatcher.utter_message(response=SALAM_RESPONSE if is_salam(text) else GREETING_RESPONSE)
            return True
        return answer_digression(dispatcher, tracker)


def number_not_at_hand(text: str) -> bool:
    """Whether the customer says they do not have the number asked for (and gives none)."""
    return bool(_NOT_AT_HAND.search(text) and _A_NUMBER.search(text)) and not re.search(r"\d{4}", text)


class OwnershipForm(FormWithDigressions, ABC):
    """A form that shows personal data only to its owner. It asks what the customer means (an order, a
    ticket), then for a contact on it (`contact_slot`) unless the channel's verified phone already proved
    ownership (`verified_slot`). After `max_failures` wrong answers, counted in any of `failure_slots`, it
    stops asking: its final action explains what to do instead."""

    verified_slot: ClassVar[str]
    contact_slot: ClassVar[str]
    failure_slots: ClassVar[tuple[str, ...]]
    max_failures: ClassVar[int] = 2  # a second chance for a mistyped answer, then stop asking

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if max(count(tracker, slot) for slot in self.failure_slots) >= self.max_failures:
            return []  # the form ends
        if tracker.get_slot(self.verified_slot):
            return [slot for slot in domain_slots if slot != self.contact_slot]
        return domain_slots

    def stop(self) -> float:
        """A failure count that ends the form (the order system is down: asking again cannot help)."""
        return float(self.max_failures)

    @staticmethod
    def missed(tracker: Tracker, failure_slot: str) -> float:
        """The failure count after one more wrong answer."""
        return count(tracker, failure_slot) + 1


class OrderOwnershipForm(OwnershipForm, ABC):
    """An ownership form about an order: `order_slot` holds its ID, and the phone or e-mail on the order
    proves ownership where the channel has not. Wrong order IDs count in `order_failure_slot`, wrong
    contacts in `contact_failure_slot` (one slot for both, or two)."""

    order_slot: ClassVar[str]
    order_failure_slot: ClassVar[str]
    contact_failure_slot: ClassVar[str]

    @classmethod
    def current_order(cls, tracker: Tracker) -> OrderRecord | None:
        """The order the form is about (raises OrderBackendUnavailable)."""
        order_id = tracker.get_slot(cls.order_slot)
        return get_order_backend().get_order(order_id) if order_id else None

    def order_or_stop(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[OrderRecord | None, Slots | None]:
        """The form's order; when the order system is down the customer is told, and the slots returned
        instead empty `slot` and end the form."""
        try:
            return self.current_order(tracker), None
        except OrderBackendUnavailable:
            dispatcher.utter_message(response="utter_order_backend_down")
            return None, {slot: None, self.contact_failure_slot: self.stop()}

    def take_order(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[OrderRecord | None, Slots]:
        """The order an answer names and the slots that record it, verified when the channel's phone or the
        phone given in this session is the order's, or this conversation proved it before. An unreadable or
        unknown ID is a wrong answer (the customer is told which); with the order system down the form
        stops."""
        order, failure = order_from_answer(value, dispatcher)
        if order is None:
            spent = self.stop() if failure == "down" else self.missed(tracker, self.order_failure_slot)
            return None, {self.order_slot: None, self.order_failure_slot: spent}
        verified = is_owner_phone(order, known_phone(tracker)) or order.id in proven_orders(tracker)
        return order, {self.order_slot: order.id, self.verified_slot: verified}

    def take_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[OrderRecord | None, Slots]:
        """Whether the phone or e-mail given is the order's: the order once proven (else None) and the slots
        that record the answer (a phone that matched is kept as the session's GIVEN_PHONE)."""
        order, stopped = self.order_or_stop(self.contact_slot, dispatcher, tracker)
        if stopped:
            return None, stopped
        if order is None:  # the form only asks for a contact after a valid order ID
            return None, {self.contact_slot: None, self.order_slot: None}
        if contact_matches(order, value, dispatcher):
            proven = [order_id for order_id in proven_orders(tracker) if order_id != order.id] + [order.id]
            phone = normalize_phone(str(value))
            return order, {
                self.contact_slot: VERIFIED,
                self.verified_slot: True,
                PROVEN_ORDERS: proven[-MAX_PROVEN_ORDERS:],
                **({GIVEN_PHONE: phone} if is_owner_phone(order, phone) else {}),
            }
        return None, {
            self.contact_slot: None,
            self.contact_failure_slot: self.missed(tracker, self.contact_failure_slot),
        }


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
