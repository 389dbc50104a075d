"""Order status: ask for the order, prove ownership, then explain the status and the next step."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.channel import channel_facts
from actions.forms import OrderOwnershipForm, Slots, proven_orders, said_in_this_form
from actions.knowledge import request_buttons
from actions.safety import SafeAction
from actions.tracker import form_starts, latest_text, request_texts, said_since_latest
from bot.config import get_settings
from bot.services import clock
from bot.services.identity import normalize_phone
from bot.services.knowledge_edits import current_knowledge
from bot.services.order_records import OrderBackendUnavailable, OrderRecord
from bot.services.order_status import (
    cancellation_topic,
    explain_status,
    not_received_step,
    reported_not_received,
)
from bot.services.orders import extract_order_id, get_order_backend
from bot.services.timefmt import format_wib
from knowledge.errors import KnowledgeError

log = logging.getLogger(__name__)
MAX_OFFERED = 5  # order buttons at the order question
_MISSED_ORDER_ID = ("utter_order_not_found", "utter_order_id_not_understood")
# "cek pesanan lain", "yang satunya lagi": a follow-up about an order other than the one just checked.
_ANOTHER_ORDER = re.compile(r"\b(lain(nya)?|satu\s*lagi|satunya|berikutnya|yg\s+baru|yang\s+baru)\b", re.I)

_RESET_SLOTS = {
    "order_id": None,
    "order_contact": None,
    "order_verified": None,
    "order_lookup_failures": 0.0,
    "order_contact_failures": 0.0,
}


class ActionAskOrderId(SafeAction):
    """Asks for the order ID, offering as buttons the orders this conversation proved its own in this session
    (the latest first: "kurirnya apa?" right after a status is most likely about that order) and, on a channel
    with a verified phone, that customer's recent orders."""

    def name(self) -> str:
        return "action_ask_order_id"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        phone = normalize_phone(channel_facts(tracker).verified_phone)
        backend = get_order_backend()
        offered: list[OrderRecord] = []
        try:
            for order_id in reversed(proven_orders(tracker)):
                order = backend.get_order(order_id)
                if order is not None:
                    offered.append(order)
            if phone:
                proven = {o.id for o in offered}
                offered += [o for o in backend.recent_orders(phone, limit=MAX_OFFERED) if o.id not in proven]
        except OrderBackendUnavailable:
            log.warning("order backend unavailable while listing the customer's orders")
        if offered:
            # a button's payload is the plain ID: it fills the slot as typed text would
            buttons = [{"title": f"{o.id} ({o.status})", "payload": o.id} for o in offered[:MAX_OFFERED]]
            dispatcher.utter_message(response="utter_order_id_choose_recent", buttons=buttons)
        elif said_in_this_form(tracker, _MISSED_ORDER_ID):  # what was wrong was just said: ask to check it
            dispatcher.utter_message(response="utter_order_id_request_again")
        else:
            dispatcher.utter_message(response="utter_order_id_request")
        return []


class ValidateOrderStatusForm(OrderOwnershipForm):
    """Validates order_id (exists) and order_contact (belongs to the order); sets order_verified."""

    number_slots = frozenset({"order_id"})
    order_slot = "order_id"
    contact_slot = "order_contact"
    verified_slot = "order_verified"
    order_failure_slot = "order_lookup_failures"
    contact_failure_slot = "order_contact_failures"
    failure_slots = (order_failure_slot, contact_failure_slot)

    def name(self) -> str:
        return "validate_order_status_form"

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """An ID-shaped answer fills order_id whatever intent NLU gave it: "abc123" must be looked up,
        not read as "no" and end the form. A follow-up that names no order ("resinya apa kak?" right after
        a status) is about the one order this session proved, unless it asks about another one."""
        text = latest_text(tracker)
        if form_starts(tracker):
            proven = proven_orders(tracker)
            named = tracker.get_slot("order_id") or extract_order_id(text)
            if len(proven) == 1 and not named and not _ANOTHER_ORDER.search(text):
                return {"order_id": proven[0]}
            return {}
        if tracker.get_slot("requested_slot") != "order_id":
            return {}
        return {"order_id": text} if extract_order_id(text) else {}

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        return self.take_order(value, dispatcher, tracker)[1]

    def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        return self.take_contact(value, dispatcher, tracker)[1]


def _status_reply(order: OrderRecord, now: datetime, *, not_received: bool = False) -> str:
    """The order's status for its owner, composed from the order's data and the corpus' explanation of the
    status (with its source), one line per fact the order has."""
    explanation = explain_status(order, now, not_received=not_received)
    lines = [f'Pesanan {order.id} saat ini berstatus "{order.status}": {explanation.meaning}']
    if order.shipped_at and order.courier and order.resi:
        service = f" {order.courier_service}" if order.courier_service else ""
        lines.append(
            f"Kurir: {order.courier}{service}, nomor resi {order.resi} "
            f"(dikirim {format_wib(order.shipped_at)})."
        )
    if order.delivered_at:
        lines.append(f"Diterima: {format_wib(order.delivered_at)}.")
    if order.cancel_reason:
        lines.append(f"Alasan pembatalan: {order.cancel_reason}.")
    if order.items:
        lines.append("Isi pesanan: " + "; ".join(f"{i.quantity}x {i.name}" for i in order.items) + ".")
    if explanation.next_step:
        lines.append(explanation.next_step)
    if explanation.source:
        lines.append(f"Sumber: {explanation.source}")
    return "\n".join(lines)


class ActionCheckOrderStatus(SafeAction):
    """Replies with the verified order's status, meaning and next step; resets the order slots."""

    def name(self) -> str:
        return "action_check_order_status"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        reset = [SlotSet(slot, value) for slot, value in _RESET_SLOTS.items()]
        order_id = tracker.get_slot("order_id")
        if not order_id:
            if "utter_order_backend_down" not in said_since_latest(tracker):  # an outage was told already
                dispatcher.utter_message(response="utter_order_check_failed")
            return reset
        if not tracker.get_slot("order_verified"):
            dispatcher.utter_message(response="utter_order_not_verified")
            return reset
        try:
            order = ValidateOrderStatusForm.current_order(tracker)
        except OrderBackendUnavailable:
            dispatcher.utter_message(response="utter_order_backend_down")
            return reset
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return reset
        said = request_texts(tracker, "order_status_form")
        missing = not_received_step(order) if reported_not_received(said) else None
        dispatcher.utter_message(text=_status_reply(order, clock.now(), not_received=missing is not None))
        if missing is not None:  # marked delivered, never arrived: not "please confirm receipt"
            dispatcher.utter_message(
                text=missing, buttons=request_buttons(["file_complaint", "request_human"])
            )
        _answer_a_wish_to_cancel(dispatcher, said, order)
        return reset


def _answer_a_wish_to_cancel(dispatcher: CollectingDispatcher, said: list[str], order: OrderRecord) -> None:
    """Asked to cancel in the request's messages (`said`, "mau batalin pesanan ... aja"): whether the order
    still can be, in the help centre's words. Nothing more when the help centre is unavailable or a
    supervisor has deleted the topic: the status is already said."""
    topic = cancellation_topic(order.status, said)
    if topic is None:
        return
    try:
        answer = current_knowledge(get_settings().knowledge_encoder).by_topic.get(topic)
    except KnowledgeError:
        log.exception("knowledge index unavailable")
        return
    if answer is not None:
        dispatcher.utter_message(text=answer.reply)
