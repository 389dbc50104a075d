"""Complaint tickets: collect what the Cankul procedure verifies, record it, give the number at once.

Ticket status is shown only to the ticket's owner: the channel's verified phone, or the phone number
given on the ticket.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.channel import channel_facts
from actions.forms import (
    GIVEN_PHONE,
    VERIFIED,
    AskWithOpening,
    FormWithDigressions,
    OwnershipForm,
    Slots,
    known_phone,
)
from actions.handoff import request_handoff
from actions.safety import SafeAction
from actions.tracker import (
    form_starts,
    latest_intent,
    latest_text,
    latest_told_before_form,
    order_told_before_form,
    story_before_form,
)
from bot.config import get_settings
from bot.services import clock
from bot.services.complaints import (
    REGIMES,
    describe_complaint,
    file_complaint,
    find_complaint,
    is_ticket_owner,
    latest_complaint_about_order,
    latest_complaint_of,
)
from bot.services.credentials import REDACTED
from bot.services.identity import asked_by_owner, normalize_phone
from bot.services.numbers import number_pattern
from bot.services.orders import ORDER_ID_PATTERN, extract_order_id
from bot.services.timefmt import format_date
from bot.services.tone import is_angry
from bot.store.db import session_scope
from knowledge.phrasing import is_story

TICKET_PATTERN = number_pattern("PGD")
_NO_ORDER = re.compile(
    r"^\s*(tidak|tdk|gak|ga|nggak|enggak|engga|gk|bukan|belum|no|none|-)\b.*|.*\b(tidak ada|ga ada|gak ada|"
    r"nggak ada|gk ada|tdk ada|bukan soal pesanan|bukan pesanan)\b.*",
    re.IGNORECASE,
)
_NAME_PREFIX = re.compile(
    r"^\s*(nama\s+(lengkap\s+)?(saya|sy|aku|ku)\s*(adalah|:)?|namaku|nama\s*:|atas nama|a\.?\s?n\.?|saya)\s+",
    re.IGNORECASE,
)
_COMPLAINT_SLOTS = ("complaint_name", "complaint_phone", "complaint_order_id", "complaint_text")
_TICKET_SLOTS = {
    "ticket_number": None,
    "ticket_contact": None,
    "ticket_verified": None,
    "ticket_failures": 0.0,
}
MIN_COMPLAINT_WORDS = 3
# A customer introducing themselves; not "atas nama", which names an account or a shop in transfer stories.
_INTRODUCTION = re.compile(
    r"\b(?:nama\s+(?:lengkap\s+)?(?:saya|sy|aku|ku)(?:\s+adalah)?|namaku|nama\s+sy)\s*:?\s+"
    r"(?P<rest>[A-Za-z][A-Za-z' ]*)",
    re.IGNORECASE,
)
_NOT_A_NAME_WORD = re.compile(
    r"(?:no|nmr|nomor|nomer|hp|wa|telp|telepon|email|dan|dengan|pesanan|order|mau|ingin|saya|sy|aku|kak|min"
    r"|dari|di|yang|yg|ini|mo|pengen|ada|sudah|udah|belum|blm)",
    re.IGNORECASE,
)
MAX_NAME_WORDS = 6
STORY_MAX_CHARS = 4000


def introduced_name(text: str) -> str | None:
    """The name in a self-introduction ("nama saya Budi Santoso, no hp ..."): the words after it up to a
    comma, a number or a word that starts something else; None when there is none."""
    match = _INTRODUCTION.search(text)
    if match is None:
        return None
    words: list[str] = []
    for word in match["rest"].split():
        if _NOT_A_NAME_WORD.fullmatch(word) or len(words) == MAX_NAME_WORDS:
            break
        words.append(word)
    return " ".join(words) or None


class ValidateComplaintForm(FormWithDigressions):
    """Takes the name, phone (proven already on WhatsApp, or given earlier in the session), order ID (or
    none) and the complaint itself, which may have been told before the form started."""

    free_text_slots = frozenset({"complaint_text"})  # the customer's own story: any words
    opening_apologises = True  # utter_ask_complaint_name

    def name(self) -> str:
        return "validate_complaint_form"

    async def extract_complaint_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """ "saya mau komplain, nama saya Budi Santoso, no hp ..." has told the name already. The name
        question carries the form's opening, so without it the opening is said on its own."""
        if tracker.get_slot("complaint_name") or not form_starts(tracker):
            return {}
        name = latest_told_before_form(tracker, "action_submit_complaint", introduced_name)
        if name is None:
            return {}
        dispatcher.utter_message(response="utter_complaint_opening")
        return {"complaint_name": name}

    async def extract_complaint_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """A phone number the channel has proven (WhatsApp), the one the customer gave earlier in this
        session (an order's check), or one written in the request or just before it, is not asked for
        again."""
        if tracker.get_slot("complaint_phone"):
            return {}
        phone = known_phone(tracker)
        if phone is None and form_starts(tracker):
            phone = latest_told_before_form(tracker, "action_submit_complaint", normalize_phone)
        return {"complaint_phone": phone} if phone else {}

    async def extract_complaint_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """ "mau komplain soal pesanan UK-2611-008170" names the order already, and so does the story told
        just before "saya mau komplain"."""
        if tracker.get_slot("complaint_order_id") or not form_starts(tracker):
            return {}
        order_id = order_told_before_form(tracker, "action_submit_complaint")
        return {"complaint_order_id": order_id} if order_id else {}

    async def extract_complaint_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """ "mau komplain, refund sy udh 3 minggu blm masuk padahal ..." already is the complaint, and so
        is the story told just before "saya mau komplain" (or before the "Buat pengaduan" button)."""
        if tracker.get_slot("complaint_text") or not form_starts(tracker):
            return {}
        story = story_before_form(tracker, "action_submit_complaint", max_chars=STORY_MAX_CHARS)
        return {"complaint_text": story} if story else {}

    @staticmethod
    def _held_a_secret(slot: str, tracker: Tracker) -> Slots | None:
        """The gateway censored an OTP or password in this answer (and warned): ask the question again."""
        return {slot: None} if REDACTED in latest_text(tracker) else None

    def validate_complaint_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        if refused := self._held_a_secret("complaint_name", tracker):
            return refused
        name = _NAME_PREFIX.sub("", str(value or "")).strip(" .,!")
        looks_like_a_name = (
            2 <= len(name) <= 120
            and len(name.split()) <= MAX_NAME_WORDS
            and re.search(r"[A-Za-z]", name)
            and not re.search(r"[\d?@/]", name)  # a question, an e-mail, an order ID is not a name
        )
        if not looks_like_a_name:
            text = latest_text(tracker).strip()
            if is_story(text):  # the story, typed where the name was asked: kept, not thrown away
                told = tracker.get_slot("complaint_text")
                dispatcher.utter_message(response="utter_complaint_story_noted")
                return {"complaint_name": None, "complaint_text": f"{told}\n{text}" if told else text}
            dispatcher.utter_message(response="utter_complaint_name_invalid")
            return {"complaint_name": None}
        return {"complaint_name": name.title() if name.islower() or name.isupper() else name}

    def validate_complaint_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        if refused := self._held_a_secret("complaint_phone", tracker):
            return refused
        phone = normalize_phone(str(value or ""))
        if phone is None:
            dispatcher.utter_message(response="utter_complaint_phone_invalid")
            return {"complaint_phone": None}
        return {"complaint_phone": phone, GIVEN_PHONE: phone}

    def validate_complaint_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        if refused := self._held_a_secret("complaint_order_id", tracker):
            return refused
        text = str(value or "")
        order_id = extract_order_id(text)
        if order_id:
            return {"complaint_order_id": order_id}
        if _NO_ORDER.match(text) or latest_intent(tracker) == "deny":
            return {"complaint_order_id": "-"}
        dispatcher.utter_message(response="utter_complaint_order_id_invalid")
        return {"complaint_order_id": None}

    def validate_complaint_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        text = str(value or "").strip()  # an OTP in it arrives already censored by the gateway
        if len(text.split()) < MIN_COMPLAINT_WORDS:
            dispatcher.utter_message(response="utter_complaint_text_too_short")
            return {"complaint_text": None}
        return {"complaint_text": text[:STORY_MAX_CHARS]}


class ActionSubmitComplaint(SafeAction):
    """Records the ticket; the number and the deadline go back in the same message."""

    def name(self) -> str:
        return "action_submit_complaint"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reset = [SlotSet(slot, None) for slot in _COMPLAINT_SLOTS]
        values = {slot: tracker.get_slot(slot) for slot in _COMPLAINT_SLOTS}
        if not all(values.values()):
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return reset
        settings = get_settings()
        facts = channel_facts(tracker)
        order_id = values["complaint_order_id"]
        with session_scope() as session:
            complaint = file_complaint(
                session,
                customer_name=values["complaint_name"],
                customer_phone=values["complaint_phone"],
                description=values["complaint_text"],
                channel=facts.channel or "rest",
                order_id=None if order_id == "-" else order_id,
                brand=facts.brand,
                conversation_id=tracker.sender_id,
                regime=settings.complaint_regime,
                skip_joint_leave=settings.complaint_skip_joint_leave,
                now=clock.now(),
            )
            number, due, days = (
                complaint.number,
                complaint.due_date,
                REGIMES[complaint.regime].days_for(complaint.form),
            )
        dispatcher.utter_message(
            response="utter_complaint_filed",
            customer_name=values["complaint_name"],
            number=number,
            due_date=format_date(due),
            days=days,
        )
        if is_angry(values["complaint_text"]):  # an upset customer gets a person, not only a number
            dispatcher.utter_message(response="utter_complaint_escalated")
            request_handoff(dispatcher, reason="angry_complaint")
        return reset


class ActionAskComplaintName(AskWithOpening):
    slot = "complaint_name"

    def name(self) -> str:
        return "action_ask_complaint_name"


class ValidateTicketStatusForm(OwnershipForm):
    """Takes the ticket number, or the number of the order complained about (its newest ticket), or, when
    the first message names neither, the newest ticket filed in this conversation or on the channel's
    proven phone; then, unless the ticket was filed here or the channel's phone is the ticket's, the phone
    given on the ticket (unless this session gave it already). ticket_verified says ownership is proven."""

    number_slots = frozenset({"ticket_number"})
    contact_slot = "ticket_contact"
    verified_slot = "ticket_verified"
    failure_slots = ("ticket_failures",)

    def name(self) -> str:
        return "validate_ticket_status_form"

    async def extract_ticket_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        if tracker.get_slot("ticket_number"):
            return {}
        text = latest_text(tracker)
        match = TICKET_PATTERN.search(text) or ORDER_ID_PATTERN.search(text)
        if match:
            return {"ticket_number": match.group(0)}
        if tracker.get_slot("requested_slot") is not None:
            return {}  # an answer to the form's question that names no ticket: validation says so
        # "status pengaduan saya": the form starts with no number; the customer's own newest ticket
        with session_scope() as session:
            complaint = latest_complaint_of(
                session,
                conversation_id=tracker.sender_id,
                verified_phone=channel_facts(tracker).verified_phone,
            )
            return {"ticket_number": complaint.number} if complaint else {}

    def validate_ticket_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        text = str(value or "")
        match = TICKET_PATTERN.search(text)
        order = None if match else ORDER_ID_PATTERN.search(text)  # known formats only, not a loose token
        order_id = order.group(0).upper() if order else None
        if not match and not order_id:
            dispatcher.utter_message(response="utter_ticket_number_not_understood")
            return {"ticket_number": None, "ticket_failures": self.missed(tracker, "ticket_failures")}
        with session_scope() as session:
            if match:
                complaint = find_complaint(session, match.group(0))
            else:
                complaint = latest_complaint_about_order(session, order_id or "")
            # filed here, or on the channel's proven phone or the phone given in this session: the ticket's
            # number and its phone are what the contact question would check (identity.py)
            verified = complaint is not None and asked_by_owner(
                complaint, conversation_id=tracker.sender_id, verified_phone=known_phone(tracker)
            )
            number = complaint.number if complaint else None
        if number is None:
            if match:
                dispatcher.utter_message(response="utter_ticket_not_found", number=match.group(0).upper())
            else:
                dispatcher.utter_message(response="utter_ticket_none_for_order", order_id=order_id)
            return {"ticket_number": None, "ticket_failures": self.missed(tracker, "ticket_failures")}
        return {"ticket_number": number, "ticket_verified": verified}

    def validate_ticket_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        with session_scope() as session:
            complaint = find_complaint(session, tracker.get_slot("ticket_number") or "")
            owner = is_ticket_owner(complaint, str(value or ""))
        if owner:
            return {"ticket_contact": VERIFIED, "ticket_verified": True}
        dispatcher.utter_message(response="utter_ticket_contact_mismatch")
        return {"ticket_contact": None, "ticket_failures": self.missed(tracker, "ticket_failures")}


class ActionTicketStatus(SafeAction):
    """A complaint ticket's status, deadline and answer, for its verified owner; empties the ticket slots."""

    def name(self) -> str:
        return "action_ticket_status"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reset = [SlotSet(slot, value) for slot, value in _TICKET_SLOTS.items()]
        number = tracker.get_slot("ticket_number")
        if not number:  # the form stopped asking: no ticket was found, so there is nothing to refuse
            dispatcher.utter_message(response="utter_ticket_check_failed")
            return reset
        if not tracker.get_slot("ticket_verified"):
            dispatcher.utter_message(response="utter_ticket_status_refused")
            return reset
        with session_scope() as session:
            complaint = find_complaint(session, number)
            if complaint is None:
                dispatcher.utter_message(response="utter_ticket_missing", number=number)
                return reset
            text = describe_complaint(complaint)
        dispatcher.utter_message(text=text)
        return reset
