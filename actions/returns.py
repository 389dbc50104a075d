"""Returns of damaged, wrong, expired or missing goods: prove the order is the customer's, pick the item, take
quantity, description and two pieces of evidence (fetched and stored as they arrive), then record the request
by the corpus' rules. The questions are worded for the kind of problem the customer told (`return_problem`,
the domain's conditional responses), and a story told when asking for the return is its description."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel import channel_facts
from actions.forms import VERIFIED, AskWithOpening, OrderOwnershipForm, Slots
from actions.knowledge import answer_inside_request, request_buttons
from actions.safety import SafeAction
from actions.tracker import (
    form_starts,
    latest_intent,
    latest_media,
    latest_text,
    media_before_form,
    order_told_before_form,
    story_before_form,
    told_before_form,
)
from bot.config import get_settings
from bot.services import clock
from bot.services.evidence import (
    EvidenceRejected,
    EvidenceUnavailable,
    StoredEvidence,
    fetch_evidence,
    media_auth,
)
from bot.services.numbers import number_pattern
from bot.services.order_records import OrderBackendUnavailable, OrderLine, OrderRecord
from bot.services.orders import ORDER_ID_PATTERN
from bot.services.return_problems import problem_of
from bot.services.returns import (
    ReturnNotAllowed,
    can_view_return,
    check_eligibility,
    check_received,
    describe_return,
    find_line,
    find_return,
    submit_return,
    visible_returns,
)
from bot.store.db import session_scope

log = logging.getLogger(__name__)
# Asked about a return with no number and none on record: maybe there is none yet
RETURN_STATUS_CHOICES = request_buttons(["report_damaged_goods", "request_human"])

RETURN_PATTERN = number_pattern("RTR")
# "eh salah, order yg satunya", "bukan pesanan itu": the customer corrects the order mid-form
_CORRECTION = re.compile(
    r"\b(salah|keliru|bukan (yang|yg) itu|yang satunya|yg satunya|ganti)\b", re.IGNORECASE
)
_ORDER_WORDS = re.compile(r"\b(order|orderan|pesanan|pesenan|invoice|no)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_ORDER_SLOTS = ("return_order_id", "return_contact", "return_verified", "return_item", "return_quantity")
_ALL_SLOTS = (
    *_ORDER_SLOTS,
    "return_description",
    "return_photo_goods",
    "return_photo_document",
)
EVIDENCE_KIND = {"return_photo_goods": "barang", "return_photo_document": "dokumen"}
PROBLEM_SLOT = "return_problem"
MAX_DESCRIPTION_CHARS = 2000


def _say_refusal(dispatcher: CollectingDispatcher, reason: str) -> None:
    """A rule a service enforces (a return's in bot/services/returns.py, a file's in evidence.py), told in
    the service's own words: they name the order, item, deadline or file concerned."""
    dispatcher.utter_message(text=reason)


def _sent_with_the_request(tracker: Tracker) -> list[Any]:
    """The files sent with the messages that asked for the return, the latest first."""
    return media_before_form(tracker, "action_submit_return")


def _refused(order: OrderRecord, dispatcher: CollectingDispatcher) -> str | None:
    """Why this (owned) order cannot be returned at all, said to the customer; None when it can."""
    try:
        check_received(
            order,
            now=clock.now(),
            window_hours=get_settings().return_window_hours.get(order.brand),
        )
    except ReturnNotAllowed as exc:
        _say_refusal(dispatcher, exc.reason)
        return exc.reason
    return None


class ValidateReturnForm(OrderOwnershipForm):
    """Proves the order is the customer's, then takes item, quantity, description and the two pieces of
    evidence (fetched and stored as they arrive); return_verified says ownership is proven."""

    number_slots = frozenset({"return_order_id"})
    free_text_slots = frozenset({"return_description"})  # the customer's own story: any words
    media_slots = frozenset({"return_photo_goods", "return_photo_document"})
    order_slot = "return_order_id"
    contact_slot = "return_contact"
    verified_slot = "return_verified"
    order_failure_slot = contact_failure_slot = "return_failures"
    failure_slots = ("return_failures",)

    def name(self) -> str:
        return "validate_return_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The form's turn, then the kind of problem once the customer has named one: in the messages that
        asked for the return, or else in the description. Set here because the SDK keeps only the slots a
        form requires from what its extractions return."""
        events = await super().run(dispatcher, tracker, domain)
        if tracker.get_slot(PROBLEM_SLOT) is None:
            told = [
                *told_before_form(tracker, "action_submit_return"),
                tracker.get_slot("return_description") or "",
            ]
            problem = problem_of(told)
            if problem is not None:
                events.append(SlotSet(PROBLEM_SLOT, problem.value))
        return events

    async def extract_return_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """The order named when the return was asked for (or just before), or a correction to another order at
        any point."""
        text = latest_text(tracker)
        current = tracker.get_slot("return_order_id")
        if current is None and form_starts(tracker):
            named = order_told_before_form(tracker, "action_submit_return")
            return {"return_order_id": named} if named else {}
        match = ORDER_ID_PATTERN.search(text)
        if match and match.group(0).upper() != current:
            if current is None:
                if tracker.get_slot("requested_slot") == "return_order_id":
                    return {}  # the ordinary answer: the from_text mapping hands it to validation
                return {"return_order_id": match.group(0)}
            # another order than the one given before: what belonged to the old one goes (validation of
            # the new ID, which runs after these, sets return_verified again)
            cleared = dict.fromkeys(slot for slot in _ORDER_SLOTS if slot != "return_order_id")
            return {**cleared, "return_order_id": match.group(0)}
        if current and _CORRECTION.search(text) and _ORDER_WORDS.search(text):
            return dict.fromkeys(_ORDER_SLOTS)  # the form asks for the order again
        return {}

    def validate_return_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        if value is None:
            return {"return_order_id": None}
        order, slots = self.take_order(value, dispatcher, tracker)
        if order is None or not slots["return_verified"]:
            return slots
        # said only to the owner: an order's status is personal data
        if _refused(order, dispatcher):
            return {"return_order_id": order.id, "return_failures": self.stop()}
        return slots | self._only_item(order, dispatcher)

    def validate_return_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        if value is None:  # emptied this turn (the customer switched orders): nothing was answered yet
            return {"return_contact": None}
        order, slots = self.take_contact(value, dispatcher, tracker)
        if order is None:
            return slots
        if _refused(order, dispatcher):
            return {"return_contact": VERIFIED, "return_failures": self.stop()}
        return slots | self._only_item(order, dispatcher)

    def validate_return_item(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        if value is None:  # emptied this turn (the customer switched orders): nothing was answered yet
            return {"return_item": None}
        order, stopped = self.order_or_stop("return_item", dispatcher, tracker)
        if stopped:
            return stopped
        if order is None:
            return {"return_item": None}
        line = find_line(order, str(value or ""))
        if line is None:
            dispatcher.utter_message(response="utter_return_item_unknown")
            return {"return_item": None}
        return self._take_item(order, line, dispatcher)

    def _take_item(self, order: OrderRecord, line: OrderLine, dispatcher: CollectingDispatcher) -> Slots:
        """The item, if it may be returned (else the customer is told why and the form ends); a quantity of
        one needs no question."""
        settings = get_settings()
        with session_scope() as session:
            try:
                check_eligibility(
                    session,
                    order,
                    line,
                    now=clock.now(),
                    window_hours=settings.return_window_hours.get(order.brand),
                )
            except ReturnNotAllowed as exc:
                _say_refusal(dispatcher, exc.reason)
                return {"return_item": None, "return_failures": self.stop()}
        return {"return_item": line.sku} | ({"return_quantity": "1"} if line.quantity == 1 else {})

    def _only_item(self, order: OrderRecord, dispatcher: CollectingDispatcher) -> Slots:
        """An order of one item (the owner's, proven): that item, without asking which."""
        return self._take_item(order, order.items[0], dispatcher) if len(order.items) == 1 else {}

    def validate_return_quantity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        order = self.current_order(tracker)
        line = find_line(order, tracker.get_slot("return_item") or "") if order else None
        numbers = [int(n) for n in _NUMBER.findall(str(value or ""))]
        if line is None:
            return {"return_quantity": None, "return_item": None}
        if len(numbers) != 1 or not 1 <= numbers[0] <= line.quantity:
            dispatcher.utter_message(
                response="utter_return_quantity_invalid", max_quantity=line.quantity, item=line.name
            )
            return {"return_quantity": None}
        return {"return_quantity": str(numbers[0])}

    async def extract_return_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """ "tolong retur, mug yang datang pecah dua dan pegangannya copot" already is the description: a
        story told when asking for the return that names what is wrong with the goods is not asked again."""
        if tracker.get_slot("return_description") or not form_starts(tracker):
            return {}
        story = story_before_form(
            tracker,
            "action_submit_return",
            max_chars=MAX_DESCRIPTION_CHARS,
            keep=lambda text: problem_of([text]) is not None,
        )
        return {"return_description": story} if story else {}

    def validate_return_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        text = str(value or "").strip()
        if len(text.split()) < 2:
            dispatcher.utter_message(response="utter_return_description_too_short")
            return {"return_description": None}
        return {"return_description": text[:MAX_DESCRIPTION_CHARS]}

    def _evidence(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Slots:
        media = _sent_with_the_request(tracker) if form_starts(tracker) else latest_media(tracker)
        if not media:
            dispatcher.utter_message(response="utter_return_photo_missing")
            return {slot: None}
        settings = get_settings()
        first = media[0] if isinstance(media[0], dict) else {}
        try:
            stored = fetch_evidence(
                str(first.get("url") or ""),
                dest_dir=settings.evidence_dir,
                max_bytes=settings.evidence_max_bytes,
                declared_type=first.get("content_type"),
                auth=media_auth(str(first.get("url") or ""), settings),
            )
        except EvidenceRejected as exc:
            _say_refusal(dispatcher, str(exc))
            return {slot: None}
        except EvidenceUnavailable:
            log.warning("evidence could not be fetched for %s", slot)
            dispatcher.utter_message(response="utter_return_photo_unavailable")
            return {slot: None}
        return {slot: json.dumps(stored.__dict__)}

    def file_between_questions(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """A photo sent before the form asks for one is the goods' photo: stored now, not asked for later."""
        if tracker.get_slot("return_photo_goods"):
            return super().file_between_questions(dispatcher, tracker)
        kept = self._evidence("return_photo_goods", dispatcher, tracker)  # a refusal says why itself
        if kept["return_photo_goods"] is None:
            return []
        dispatcher.utter_message(response="utter_return_photo_kept")
        return [SlotSet(slot, value) for slot, value in kept.items()]

    @staticmethod
    def _media_answer(slot: str, tracker: Tracker) -> Slots:
        """A file fills the requested evidence slot whatever NLU made of its caption ("ini fotonya" is not a
        bot challenge); words alone go to validation too (which asks for the file), except a "no"."""
        if tracker.get_slot("requested_slot") != slot:
            return {}
        if latest_media(tracker):
            return {slot: "media"}
        if latest_intent(tracker) in ("deny", "request_human", "goodbye"):
            return {}  # the form steps aside and the rules for stopping or a human apply
        return {slot: latest_text(tracker) or "-"}

    async def extract_return_photo_goods(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """The file asked for, or one sent with (or just before) the request: a photo of the broken goods
        with "barangnya pecah kak" is not asked for again."""
        if form_starts(tracker):
            started = not tracker.get_slot("return_photo_goods") and _sent_with_the_request(tracker)
            return {"return_photo_goods": "media"} if started else {}
        return self._media_answer("return_photo_goods", tracker)

    async def extract_return_photo_document(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        return self._media_answer("return_photo_document", tracker)

    def validate_return_photo_goods(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        return self._evidence("return_photo_goods", dispatcher, tracker)

    def validate_return_photo_document(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        return self._evidence("return_photo_document", dispatcher, tracker)


class ActionAskReturnOrderId(AskWithOpening):
    slot = "return_order_id"

    def name(self) -> str:
        return "action_ask_return_order_id"


class ActionAskReturnItem(SafeAction):
    """Which item the problem is with: the order's items as buttons (payload: the SKU)."""

    def name(self) -> str:
        return "action_ask_return_item"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            order = ValidateReturnForm.current_order(tracker)
        except OrderBackendUnavailable:
            order = None
        if order is None or not order.items:
            dispatcher.utter_message(response="utter_return_item_question")
            return []
        dispatcher.utter_message(
            response="utter_return_item_choose",
            buttons=[
                {"title": f"{line.name} ({line.quantity})", "payload": line.sku} for line in order.items
            ],
        )
        return []


class ActionSubmitReturn(SafeAction):
    """Records the return request and gives its number; empties the form's slots."""

    def name(self) -> str:
        return "action_submit_return"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reset = [SlotSet(slot, None) for slot in (*_ALL_SLOTS, PROBLEM_SLOT)] + [
            SlotSet("return_failures", 0.0)
        ]
        values = {slot: tracker.get_slot(slot) for slot in _ALL_SLOTS if slot != "return_contact"}
        if not all(values.values()):
            dispatcher.utter_message(response="utter_return_not_recorded")
            return reset
        try:
            order = ValidateReturnForm.current_order(tracker)
        except OrderBackendUnavailable:
            dispatcher.utter_message(response="utter_order_backend_down")
            return []  # keep everything; the customer can try again
        line = find_line(order, values["return_item"]) if order else None
        if order is None or line is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=values["return_order_id"])
            return reset
        evidence = [
            (EVIDENCE_KIND[slot], StoredEvidence(**json.loads(values[slot])))
            for slot in ("return_photo_goods", "return_photo_document")
        ]
        settings = get_settings()
        facts = channel_facts(tracker)
        with session_scope() as session:
            try:
                request = submit_return(
                    session,
                    order=order,
                    line=line,
                    quantity=int(values["return_quantity"]),
                    description=values["return_description"],
                    evidence=evidence,
                    channel=facts.channel or "rest",
                    conversation_id=tracker.sender_id,
                    window_hours=settings.return_window_hours.get(order.brand),
                )
            except ReturnNotAllowed as exc:
                _say_refusal(dispatcher, exc.reason)
                return reset
            number, attempt = request.number, request.attempt
        dispatcher.utter_message(
            # after a rejection one more submission is allowed, and the customer is told it is the last
            response="utter_return_submitted_again" if attempt == 2 else "utter_return_submitted",
            number=number,
            quantity=values["return_quantity"],
            item=line.name,
            order_id=order.id,
        )
        return reset


class ActionReturnStatus(SafeAction):
    """A return's status, for the customer whose order it is: by number, or, when the message names none,
    the returns filed in this conversation or on the channel's proven phone. With neither, a question
    about returns ("kalau mau retur gimana") gets the help centre's answer and the way to file one."""

    def name(self) -> str:
        return "action_return_status"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        match = RETURN_PATTERN.search(latest_text(tracker)) or RETURN_PATTERN.search(
            tracker.get_slot("return_number") or ""
        )
        phone = channel_facts(tracker).verified_phone
        if match is None:
            self._without_number(dispatcher, tracker, phone)
            return [SlotSet("return_number", None)]
        number = match.group(0).upper()
        with session_scope() as session:
            request = find_return(session, number)
            if request is None:
                dispatcher.utter_message(response="utter_return_not_found", number=number)
                return [SlotSet("return_number", None)]
            if not can_view_return(request, conversation_id=tracker.sender_id, verified_phone=phone):
                dispatcher.utter_message(response="utter_return_status_refused")
                return [SlotSet("return_number", None)]
            text = describe_return(request)
        dispatcher.utter_message(text=text)
        return [SlotSet("return_number", None)]

    @staticmethod
    def _without_number(dispatcher: CollectingDispatcher, tracker: Tracker, phone: str | None) -> None:
        with session_scope() as session:
            mine = visible_returns(session, conversation_id=tracker.sender_id, verified_phone=phone)
            newest = describe_return(mine[0]) if mine else None  # read while the session is open
            others = [request.number for request in mine[1:]]
        if newest is not None:
            dispatcher.utter_message(text=newest)
            if others:
                dispatcher.utter_message(response="utter_return_others", numbers=", ".join(others))
            return
        answer_inside_request(dispatcher, tracker)
        dispatcher.utter_message(response="utter_return_number_missing", buttons=RETURN_STATUS_CHOICES)
