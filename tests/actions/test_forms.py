"""The ownership base the three forms share (actions/forms.py): what they ask, when they stop asking, and
what a right or wrong answer records, the same in each form."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints import ActionAskComplaintName, ValidateComplaintForm, ValidateTicketStatusForm
from actions.forms import PROVEN_ORDERS, VERIFIED, OrderOwnershipForm, OwnershipForm
from actions.orders import ActionAskOrderId, ValidateOrderStatusForm
from actions.returns import ActionAskReturnOrderId, ValidateReturnForm
from bot.services.order_records import OrderBackendUnavailable, OrderRecord
from tests.actions.helpers import form_tracker, load_domain, run_action, slot_values

FORMS = {  # the validation action and the form it validates
    ValidateOrderStatusForm(): "order_status_form",
    ValidateReturnForm(): "return_form",
    ValidateTicketStatusForm(): "ticket_status_form",
}
ORDER_FORMS = [form for form in FORMS if isinstance(form, OrderOwnershipForm)]
ORDER = "UK-2611-008170"  # Siti Rahmawati's, +6281322740915, e-mail siti.rahmawati@gmail.com
OWNER = {"channel": "whatsapp", "verified_phone": "+6281322740915"}
STRANGER = {"channel": "whatsapp", "verified_phone": "+6281265438807"}


def _form_slots(form: OwnershipForm) -> list[str]:
    return load_domain()["forms"][FORMS[form]]["required_slots"]


def _tracker(form: OwnershipForm, slots: dict | None = None, metadata: dict | None = None) -> Tracker:
    requested = form.contact_slot if slots else _form_slots(form)[0]
    return form_tracker(FORMS[form], requested, text="", slots=slots, metadata=metadata)


def _required(form: OwnershipForm, slots: dict) -> list[str]:
    tracker = _tracker(form, slots)
    return asyncio.run(form.required_slots(_form_slots(form), CollectingDispatcher(), tracker, {}))


class _Down:
    def get_order(self, order_id: str) -> OrderRecord | None:
        raise OrderBackendUnavailable("the order system does not answer")


def test_the_three_ownership_forms_share_the_base():
    assert len(FORMS) == 3
    assert all(isinstance(form, OwnershipForm) for form in FORMS)
    assert [form.name() for form in ORDER_FORMS] == ["validate_order_status_form", "validate_return_form"]


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name())
def test_each_form_names_slots_its_domain_form_has(form):
    slots = load_domain()["slots"]
    assert form.contact_slot in _form_slots(form)
    assert all(slot in slots for slot in (form.verified_slot, *form.failure_slots))
    if isinstance(form, OrderOwnershipForm):
        assert form.order_slot in _form_slots(form)
        assert {form.order_failure_slot, form.contact_failure_slot} <= set(form.failure_slots)


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name())
def test_the_contact_is_asked_until_ownership_is_proven_and_two_misses_end_the_form(form):
    everything = _form_slots(form)
    assert _required(form, {}) == everything
    assert _required(form, {form.verified_slot: True}) == [s for s in everything if s != form.contact_slot]
    for failures in form.failure_slots:
        assert _required(form, {failures: 1.0}) == everything  # a second chance
        assert _required(form, {failures: 2.0}) == []


@pytest.mark.parametrize("form", ORDER_FORMS, ids=lambda form: form.name())
def test_the_channels_phone_proves_ownership_of_the_order_named(form, database_url):
    dispatcher = CollectingDispatcher()
    order, slots = form.take_order(
        "ini pesanannya uk-2611-008170", dispatcher, _tracker(form, metadata=OWNER)
    )
    assert order.id == ORDER
    assert slots == {form.order_slot: ORDER, form.verified_slot: True}
    _, slots = form.take_order(ORDER, dispatcher, _tracker(form, metadata=STRANGER))
    assert slots == {form.order_slot: ORDER, form.verified_slot: False}  # so the contact is asked for
    assert dispatcher.messages == []


@pytest.mark.parametrize("form", ORDER_FORMS, ids=lambda form: form.name())
def test_an_unknown_order_is_a_miss(form, database_url):
    dispatcher = CollectingDispatcher()
    tracker = _tracker(form, {form.order_failure_slot: 1.0})
    order, slots = form.take_order("INV/20990101/MPL/0000001", dispatcher, tracker)
    assert order is None
    assert slots == {form.order_slot: None, form.order_failure_slot: 2.0}
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_not_found"]


@pytest.mark.parametrize("form", ORDER_FORMS, ids=lambda form: form.name())
def test_a_wrong_contact_is_counted_and_a_right_one_is_kept_only_as_a_fact(form, database_url):
    tracker = _tracker(form, {form.order_slot: ORDER, form.verified_slot: False})
    dispatcher = CollectingDispatcher()
    proven, slots = form.take_contact("0812 3456 7890", dispatcher, tracker)
    assert proven is None
    assert slots == {form.contact_slot: None, form.contact_failure_slot: 1.0}
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_contact_mismatch"]
    proven, slots = form.take_contact("siti.rahmawati@gmail.com", dispatcher, tracker)
    assert proven.id == ORDER
    assert slots == {form.contact_slot: VERIFIED, form.verified_slot: True, PROVEN_ORDERS: [ORDER]}


@pytest.mark.parametrize("form", ORDER_FORMS, ids=lambda form: form.name())
def test_an_order_system_that_is_down_ends_the_form(form, monkeypatch):
    monkeypatch.setattr("actions.forms.get_order_backend", _Down)
    dispatcher = CollectingDispatcher()
    _, slots = form.take_order(ORDER, dispatcher, _tracker(form, metadata=OWNER))
    assert slots == {form.order_slot: None, form.order_failure_slot: 2.0}
    tracker = _tracker(form, {form.order_slot: ORDER, form.verified_slot: False})
    proven, slots = form.take_contact("siti.rahmawati@gmail.com", dispatcher, tracker)
    assert proven is None
    assert slots == {form.contact_slot: None, form.contact_failure_slot: 2.0}
    assert [m["response"] for m in dispatcher.messages] == ["utter_order_backend_down"] * 2


def _asked(form: str, response: str) -> list[dict]:
    """Events of a turn in which the bot asked with this response and waited."""
    return [
        {"event": "bot", "text": "…", "metadata": {"utter_action": response}},
        {"event": "action", "name": "action_listen"},
    ]


def _form_asking(form: str, slot: str, before: list[dict]) -> Tracker:
    """The form waiting for `slot`, with `before` as the conversation up to the customer's answer."""
    tracker = form_tracker(form, slot, text="12345")
    tracker.events[:-1] = before  # everything but the customer's latest message
    return tracker


@pytest.mark.parametrize(
    ("action", "form", "slot"),
    [
        (ActionAskComplaintName(), "complaint_form", "complaint_name"),
        (ActionAskReturnOrderId(), "return_form", "return_order_id"),
    ],
)
def test_a_forms_opening_words_are_said_once_then_only_its_question(action, form, slot):
    opening, plain = f"utter_ask_{slot}", f"utter_ask_{slot}_again"
    started = [{"event": "active_loop", "name": form}]
    _, first = run_action(action, _form_asking(form, slot, started), render=False)
    assert first[0]["response"] == opening
    asked = [*started, *_asked(form, opening)]
    _, again = run_action(action, _form_asking(form, slot, asked), render=False)
    assert again[0]["response"] == plain
    # a form finished earlier in the conversation does not count: this one opens with its opening
    restarted = [*_asked(form, opening), {"event": "active_loop", "name": None}, *started]
    _, reopened = run_action(action, _form_asking(form, slot, restarted), render=False)
    assert reopened[0]["response"] == opening


def test_after_an_order_id_not_found_the_order_question_asks_to_check_it():
    started = [{"event": "active_loop", "name": "order_status_form"}]
    _, first = run_action(
        ActionAskOrderId(), _form_asking("order_status_form", "order_id", started), render=False
    )
    assert first[0]["response"] == "utter_order_id_request"
    missed = [*started, *_asked("order_status_form", "utter_order_not_found")]
    _, again = run_action(
        ActionAskOrderId(), _form_asking("order_status_form", "order_id", missed), render=False
    )
    assert again[0]["response"] == "utter_order_id_request_again"


NUMBER_SLOTS = {  # each form's question for a number the customer may not have at hand
    "order_status_form": "order_id",
    "return_form": "return_order_id",
    "ticket_status_form": "ticket_number",
}


@pytest.mark.parametrize("form", list(FORMS), ids=lambda f: f.name())
@pytest.mark.parametrize(
    "answer", ["ga tau nomornya kak", "lupa no ordernya", "nomor tiketnya ilang", "gatau nomernya"]
)
def test_no_number_at_hand_is_neither_a_no_nor_a_wrong_answer(form, answer, database_url):
    slot = NUMBER_SLOTS[FORMS[form]]
    tracker = form_tracker(FORMS[form], slot, text=answer, intent="deny")
    events, messages = run_action(form, tracker, render=False)
    assert [m["response"] for m in messages] == ["utter_number_not_at_hand"]
    assert slot_values(events) == {slot: None}  # asked again; no failure counted, the form goes on


@pytest.mark.parametrize("form", list(FORMS), ids=lambda f: f.name())
@pytest.mark.parametrize("answer", ["gak jadi", "batal aja", "lupa, nomornya INV/20261104/MPL/7712093"])
def test_a_plain_no_or_an_answer_with_the_number_is_not_taken_for_one(form, answer, database_url):
    tracker = form_tracker(FORMS[form], NUMBER_SLOTS[FORMS[form]], text=answer, intent="deny")
    _, messages = run_action(form, tracker, render=False)
    assert "utter_number_not_at_hand" not in [m.get("response") for m in messages]


ANGRY_REQUESTS = {  # a request written in anger, per form it starts
    "order_status_form": "ANJING LAMA BANGET PESANAN GUA GA DATENG2 UDAH SEMINGGU",
    "return_form": "barang rusak semua, kecewa berat sama tokonya, mau retur",
    "ticket_status_form": "pengaduan saya ga ditanggepin, payah!!!",
}


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name())
def test_a_request_written_in_anger_is_apologised_to_before_the_first_question(database_url, form):
    angry = form_tracker(FORMS[form], None, text=ANGRY_REQUESTS[FORMS[form]])
    _, messages = run_action(form, angry)
    assert [m["response"] for m in messages][:1] == ["utter_sorry_for_the_trouble"]
    calm = form_tracker(FORMS[form], None, text="mau cek pesanan kak")
    assert "utter_sorry_for_the_trouble" not in [m.get("response") for m in run_action(form, calm)[1]]


def test_the_complaint_form_does_not_apologise_twice(database_url):
    tracker = form_tracker(
        "complaint_form", None, text="PAYAH BANGET PELAYANANNYA, MAU KOMPLAIN", intent="file_complaint"
    )
    _, messages = run_action(ValidateComplaintForm(), tracker)
    assert "utter_sorry_for_the_trouble" not in [m.get("response") for m in messages]


def test_a_salam_that_opens_a_request_is_returned_before_the_first_question(database_url):
    tracker = form_tracker("order_status_form", None, text="assalamualaikum kak, mau cek pesanan")
    _, messages = run_action(ValidateOrderStatusForm(), tracker)
    assert [m.get("response") for m in messages] == ["utter_greet_back_salam"]
