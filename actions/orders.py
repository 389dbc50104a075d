"""Order status: ask for the order, prove ownership, then explain the status and the next step."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.channel import channel_facts
from actions.forms import FormWithDigressions, contact_matches, order_from_answer, owner_checked_slots
from actions.safety import SafeAction
from bot.services import clock
from bot.services.identity import is_owner_phone, normalize_phone
from bot.services.order_records import OrderBackendUnavailable, OrderRecord
from bot.services.order_status import explain_status
from bot.services.orders import extract_order_id, get_order_backend
from bot.services.timefmt import format_wib

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # a second chance for a mistyped ID or contact, then stop asking
_RESET_SLOTS = {
    "order_id": None,
    "order_contact": None,
    "order_verified": None,
    "order_lookup_failures": 0.0,
    "order_contact_failures": 0.0,
}

Slots = dict[str, Any]


def _failures(tracker: Tracker, slot: str) -> int:
    return int(tracker.get_slot(slot) or 0)


def _lookup(order_id: str) -> OrderRecord | None:
    return get_order_backend().get_order(order_id)


class ActionAskOrderId(SafeAction):
    """Asks for the order ID; on a channel with a verified phone, offers that customer's recent orders."""

    def name(self) -> str:
        return "action_ask_order_id"

    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        phone = normalize_phone(channel_facts(tracker).verified_phone)
        recent: list[OrderRecord] = []
        if phone:
            try:
                recent = get_order_backend().recent_orders(phone, limit=5)
            except OrderBackendUnavailable:
                log.warning("order backend unavailable while listing recent orders")
        if recent:
            dispatcher.utter_message(
                text="Pesanan yang mana, Kak? Pilih salah satu pesanan terakhir Kakak di bawah ini, "
                "atau ketik nomor pesanannya.",
                buttons=[
                    {"title": f"{o.id} ({o.status})", "payload": o.id}
                    for o in recent  # payload is the plain ID: it fills the slot as typed text would
                ],
            )
        else:
            dispatcher.utter_message(
                text="Boleh saya minta nomor pesanannya, Kak? Nomornya ada di menu Transaksi, contohnya "
                "INV/20261104/MPL/7712093 atau UK-2611-004821."
            )
        return []


class ValidateOrderStatusForm(FormWithDigressions):
    """Validates order_id (exists) and order_contact (belongs to the order); sets order_verified."""

    def name(self) -> str:
        return "validate_order_status_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        return owner_checked_slots(
            domain_slots,
            tracker,
            verified_slot="order_verified",
            contact_slot="order_contact",
            failures=max(
                _failures(tracker, "order_lookup_failures"), _failures(tracker, "order_contact_failures")
            ),
            max_failures=MAX_ATTEMPTS,
        )

    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        """An ID-shaped answer fills order_id whatever intent NLU gave it: "abc123" must be looked up,
        not read as "no" and end the form."""
        if tracker.get_slot("requested_slot") != "order_id":
            return {}
        text = tracker.latest_message.get("text")
        return {"order_id": text} if extract_order_id(text) else {}

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        failures = _failures(tracker, "order_lookup_failures")
        order, failure = order_from_answer(value, dispatcher)
        if order is None:
            spent = MAX_ATTEMPTS if failure == "down" else failures + 1
            return {"order_id": None, "order_lookup_failures": float(spent)}
        verified = is_owner_phone(order, channel_facts(tracker).verified_phone)
        return {"order_id": order.id, "order_verified": verified}

    def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Slots:
        failures = _failures(tracker, "order_contact_failures")
        order_id = tracker.get_slot("order_id")
        try:
            order = _lookup(order_id) if order_id else None
        except OrderBackendUnavailable:
            dispatcher.utter_message(response="utter_order_backend_down")
            return {"order_contact": None, "order_contact_failures": float(MAX_ATTEMPTS)}
        if order is None:  # the form only asks for a contact after a valid order ID
            return {"order_contact": None, "order_id": None}
        if contact_matches(order, value, dispatcher):
            # Keep no copy of the contact itself in the tracker slots; the fact that it matched is enough.
            return {"order_contact": "verified", "order_verified": True}
        return {"order_contact": None, "order_contact_failures": float(failures + 1)}


def _status_reply(order: OrderRecord, now: datetime) -> str:
    explanation = explain_status(order, now)
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
            dispatcher.utter_message(
                text="Mohon maaf Kak, pesanannya belum bisa saya temukan. Kalau Kakak mau, CS kami bisa "
                'membantu mencarikan: ketik "CS" untuk terhubung.'
            )
            return reset
        if not tracker.get_slot("order_verified"):
            dispatcher.utter_message(
                text="Mohon maaf Kak, demi keamanan data pelanggan, detail pesanan hanya bisa saya "
                "tampilkan jika nomor HP atau e-mail cocok dengan data pesanan. Silakan hubungi kami dari "
                'nomor yang dipakai saat memesan, atau ketik "CS" untuk dibantu tim kami.'
            )
            return reset
        try:
            order = _lookup(order_id)
        except OrderBackendUnavailable:
            dispatcher.utter_message(response="utter_order_backend_down")
            return reset
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return reset
        dispatcher.utter_message(text=_status_reply(order, clock.now()))
        return reset
