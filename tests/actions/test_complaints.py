"""The complaint form, the ticket it records and ticket status by number, as the action server runs them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from actions.complaints import (
    ActionSubmitComplaint,
    ActionTicketStatus,
    ValidateComplaintForm,
    ValidateTicketStatusForm,
    introduced_name,
)
from actions.forms import GREETING_RESPONSE
from bot.services.complaints import extend, file_complaint
from bot.services.workdays import add_working_days
from bot.store import db
from bot.store.models import Complaint
from tests.actions.helpers import domain_text, form_tracker, run_action, said, slot_values

GREETING_TEXT = domain_text(GREETING_RESPONSE)
PHONE = "+6281234500001"
WHATSAPP = {"channel": "whatsapp", "verified_phone": PHONE}


def complaint_form(requested: str | None, text: str, **kwargs):
    return form_tracker("complaint_form", requested, text=text, **kwargs)


def test_a_long_first_message_is_the_complaint_and_whatsapp_proves_the_phone(database_url):
    text = "mau komplain, refund sy udh 3 minggu blm masuk padahal pesanannya dibatalin penjual"
    tracker = complaint_form(None, text, metadata=WHATSAPP, intent="file_complaint")
    events, _ = run_action(ValidateComplaintForm(), tracker)
    slots = slot_values(events)
    assert slots["complaint_phone"] == PHONE
    assert slots["complaint_text"] == text


def test_a_short_first_message_leaves_the_complaint_to_be_asked(database_url):
    tracker = complaint_form(None, "mau komplain kak", intent="file_complaint")
    events, _ = run_action(ValidateComplaintForm(), tracker)
    assert "complaint_text" not in slot_values(events)
    assert "complaint_phone" not in slot_values(events)  # an unverified channel asks for it


def test_the_phone_given_earlier_in_the_session_is_not_asked_again_and_a_new_one_is_kept(database_url):
    tracker = complaint_form(None, "mau komplain kak", intent="file_complaint", slots={"given_phone": PHONE})
    assert slot_values(run_action(ValidateComplaintForm(), tracker)[0])["complaint_phone"] == PHONE
    answer = "0812-3450-0002"
    tracker = complaint_form("complaint_phone", answer, extracted={"complaint_phone": answer})
    slots = slot_values(run_action(ValidateComplaintForm(), tracker)[0])
    assert slots["complaint_phone"] == slots["given_phone"] == "+6281234500002"


@pytest.mark.parametrize("requested", ["complaint_name", "complaint_phone", "complaint_text"])
def test_a_file_at_a_question_is_acknowledged_and_not_taken_for_the_answer(database_url, requested):
    photo = {"media": [{"url": "http://127.0.0.1:9/a.jpg", "content_type": "image/jpeg"}]}
    text = "(mengirim lampiran)"
    tracker = complaint_form(
        requested, text, extracted={requested: text}, intent="send_media", metadata=photo
    )
    events, messages = run_action(ValidateComplaintForm(), tracker)
    assert slot_values(events) == {requested: None}
    assert [m["response"] for m in messages] == ["utter_media_not_the_answer"]


def test_name_prefixes_are_dropped_and_the_name_is_capitalised(database_url):
    tracker = complaint_form(
        "complaint_name", "nama saya rina wulandari", extracted={"complaint_name": "nama saya rina wulandari"}
    )
    events, _ = run_action(ValidateComplaintForm(), tracker)
    assert slot_values(events)["complaint_name"] == "Rina Wulandari"


@pytest.mark.parametrize(
    "answer", ["jam operasional cs sampai jam berapa ya?", "rina@gmail.com", "UK-2611-008170", "x"]
)
def test_what_is_not_a_name_is_asked_again(database_url, answer):
    tracker = complaint_form("complaint_name", answer, extracted={"complaint_name": answer})
    events, messages = run_action(ValidateComplaintForm(), tracker)
    assert slot_values(events)["complaint_name"] is None
    assert "nama lengkap" in messages[0]["text"]


def test_a_phone_that_is_not_a_phone_is_asked_again(database_url):
    tracker = complaint_form("complaint_phone", "12345", extracted={"complaint_phone": "12345"})
    events, messages = run_action(ValidateComplaintForm(), tracker)
    assert slot_values(events)["complaint_phone"] is None
    assert "nomor HP" in messages[0]["text"]


def test_an_answer_the_gateway_censored_is_not_taken(database_url):
    text = "0812 otp [disensor]"
    tracker = complaint_form("complaint_phone", text, extracted={"complaint_phone": text})
    events, _ = run_action(ValidateComplaintForm(), tracker)
    assert slot_values(events)["complaint_phone"] is None


def test_order_id_is_optional(database_url):
    for answer, expected in (
        ("tidak ada kak", "-"),
        ("yg uk-2611-008170", "UK-2611-008170"),
        ("gatau", None),
    ):
        tracker = complaint_form("complaint_order_id", answer, extracted={"complaint_order_id": answer})
        events, _ = run_action(ValidateComplaintForm(), tracker)
        assert slot_values(events)["complaint_order_id"] == expected, answer


def test_submit_records_the_ticket_and_answers_with_its_number_and_deadline(database_url):
    slots = {
        "complaint_name": "Rina Wulandari",
        "complaint_phone": PHONE,
        "complaint_order_id": "UK-2611-008170",
        "complaint_text": "refund belum masuk sudah 3 minggu",
    }
    tracker = form_tracker("complaint_form", None, text="", slots=slots, metadata=WHATSAPP)
    events, messages = run_action(ActionSubmitComplaint(), tracker)
    number = re.search(r"PGD-\d{4}-[2-9A-HJ-NP-Z]{5}", messages[0]["text"]).group(0)
    with db.session_scope() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint.customer_phone == PHONE
        assert complaint.channel == "whatsapp"
        assert complaint.order_id == "UK-2611-008170"
        due = complaint.due_date
    today = datetime.now(UTC).astimezone().date()
    assert due >= add_working_days(today, 4)
    assert f"{due.day} " in messages[0]["text"]
    assert "5 hari kerja" in messages[0]["text"]
    assert all(value is None for value in slot_values(events).values())


@pytest.mark.parametrize(
    ("complaint", "handed_over"),
    [
        ("refund belum masuk sudah 3 minggu", False),
        ("saya sangat kecewa, refund belum masuk sudah 3 minggu", True),
        ("REFUND SAYA BELUM MASUK JUGA SUDAH TIGA MINGGU", True),
        ("mana refund saya!!! sudah 3 minggu!!!", True),
    ],
)
def test_an_angry_complaint_is_also_handed_to_a_human(database_url, complaint, handed_over):
    slots = {
        "complaint_name": "Rina Wulandari",
        "complaint_phone": PHONE,
        "complaint_order_id": "-",
        "complaint_text": complaint,
    }
    tracker = form_tracker("complaint_form", None, text="", slots=slots, metadata=WHATSAPP)
    _, messages = run_action(ActionSubmitComplaint(), tracker)
    assert "nomor tiket PGD-" in messages[0]["text"]  # the ticket comes first, whatever the tone
    handoffs = [m["custom"] for m in messages if m.get("custom")]
    assert handoffs == ([{"handoff": {"reason": "angry_complaint"}}] if handed_over else [])


def _ticket(**overrides) -> str:
    with db.session_scope() as session:
        complaint = file_complaint(
            session,
            customer_name="Rina",
            customer_phone=PHONE,
            description="refund belum masuk",
            channel="whatsapp",
            **overrides,
        )
        return complaint.number


def ticket_form(requested: str | None, text: str, **kwargs):
    return form_tracker("ticket_status_form", requested, text=text, **kwargs)


def test_the_owner_on_whatsapp_is_not_asked_for_the_phone(database_url):
    number = _ticket()
    text = f"status tiket {number.lower()} gmn"
    events, _ = run_action(ValidateTicketStatusForm(), ticket_form(None, text, metadata=WHATSAPP))
    slots = slot_values(events)
    assert slots["ticket_number"] == number
    assert slots["ticket_verified"] is True
    assert slots["requested_slot"] is None


def test_another_customer_must_give_the_tickets_phone(database_url):
    number = _ticket()
    stranger = {"channel": "whatsapp", "verified_phone": "+6281299999999"}
    events, _ = run_action(ValidateTicketStatusForm(), ticket_form(None, number, metadata=stranger))
    slots = slot_values(events)
    assert slots["ticket_verified"] is False  # so Rasa asks for ticket_contact next
    wrong = ticket_form(
        "ticket_contact",
        "081299999999",
        slots={"ticket_number": number},
        extracted={"ticket_contact": "0812"},
    )
    events, messages = run_action(ValidateTicketStatusForm(), wrong)
    assert slot_values(events)["ticket_failures"] == 1.0
    assert "tidak cocok" in messages[0]["text"]
    right = ticket_form(
        "ticket_contact",
        "0812-3450-0001",
        slots={"ticket_number": number},
        extracted={"ticket_contact": "0812-3450-0001"},
    )
    assert slot_values(run_action(ValidateTicketStatusForm(), right)[0])["ticket_verified"] is True


def test_the_tickets_phone_given_earlier_in_the_session_proves_the_ticket(database_url):
    number = _ticket()  # filed in another conversation with PHONE
    given = ticket_form(None, f"status tiket {number}", slots={"given_phone": PHONE})
    assert slot_values(run_action(ValidateTicketStatusForm(), given)[0])["ticket_verified"] is True
    other = ticket_form(None, f"status tiket {number}", slots={"given_phone": "+6281299999999"})
    assert slot_values(run_action(ValidateTicketStatusForm(), other)[0])["ticket_verified"] is False


def test_unknown_ticket_is_reported_politely(database_url):
    text = "PGD-2611-ZZZZZ"
    events, messages = run_action(
        ValidateTicketStatusForm(), ticket_form("ticket_number", text, extracted={"ticket_number": text})
    )
    assert slot_values(events)["ticket_failures"] == 1.0
    assert "tidak kami temukan" in messages[0]["text"]


def test_status_shows_deadline_and_extension_reason_only_to_the_owner(database_url):
    number = _ticket()
    with db.session_scope() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.number == number))
        due = extend(session, complaint, reason="menunggu data dari kurir", actor="agent:dewi")
    verified = {"ticket_number": number, "ticket_verified": True}
    _, messages = run_action(ActionTicketStatus(), ticket_form(None, "", slots=verified))
    text = messages[0]["text"]
    assert number in text
    assert "diperpanjang" in text
    assert "menunggu data dari kurir" in text
    assert f"{due.day} " in text
    _, refused = run_action(ActionTicketStatus(), ticket_form(None, "", slots={"ticket_number": number}))
    assert number not in refused[0]["text"]
    assert refused[0]["response"] == "utter_ticket_status_refused"


def test_a_check_that_found_no_ticket_says_so_and_does_not_speak_of_an_owner(database_url):
    stopped = ticket_form(None, "", slots={"ticket_number": None, "ticket_failures": 2.0})
    _, messages = run_action(ActionTicketStatus(), stopped)
    assert [m["response"] for m in messages] == ["utter_ticket_check_failed"]


STORY = "dana refund saya sudah dua minggu belum masuk padahal pesanannya sudah dibatalkan penjual"


def test_the_story_told_before_the_complaint_button_is_its_description(database_url):
    tracker = complaint_form(None, "/file_complaint", intent="file_complaint", history=said(STORY))
    events, _ = run_action(ValidateComplaintForm(), tracker)
    assert slot_values(events)["complaint_text"] == STORY


def test_a_name_and_phone_written_before_the_complaint_button_are_not_asked_again(database_url):
    told = (
        "saya mau komplain, nama saya Budi Santoso, no hp 0812-3450-0003, pesanan UK-2611-003153 sudah 5 "
        "hari belum dikirim juga sama penjualnya"
    )
    tracker = complaint_form(None, "/file_complaint", intent="file_complaint", history=said(told))
    events, messages = run_action(ValidateComplaintForm(), tracker)
    assert [m["response"] for m in messages] == ["utter_complaint_opening"]  # the name question's opening
    slots = slot_values(events)
    assert slots["complaint_name"] == "Budi Santoso"
    assert slots["complaint_phone"] == "+6281234500003"
    assert slots["complaint_order_id"] == "UK-2611-003153"
    assert slots["complaint_text"] == told  # all four slots: nothing is left to ask


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("nama saya rina wulandari dan saya mau komplain soal refund", "rina wulandari"),
        ("Nama lengkap saya: Dewi Anggraini. Refund belum masuk", "Dewi Anggraini"),
        ("namaku Sari, pesananku belum sampai", "Sari"),
        (
            "sudah transfer ke rekening atas nama Toko Maju tapi pesanan dibatalkan",
            None,
        ),  # not an introduction
        ("refund belum masuk sudah 3 minggu", None),
    ],
)
def test_a_self_introduction_names_the_customer(text, name):
    assert introduced_name(text) == name


def test_the_order_named_in_the_story_before_the_complaint_is_its_order(database_url):
    story = "paket UK-2611-008170 statusnya dikirim tapi kurirnya bilang paketnya ga ada, gimana sih"
    tracker = complaint_form(None, "saya mau komplain aja", intent="file_complaint", history=said(story))
    slots = slot_values(run_action(ValidateComplaintForm(), tracker)[0])
    assert slots["complaint_order_id"] == "UK-2611-008170"
    assert slots["complaint_text"] == story


def test_a_story_typed_at_the_name_question_is_kept_and_the_name_asked_again(database_url):
    tracker = complaint_form("complaint_name", STORY, extracted={"complaint_name": STORY})
    events, messages = run_action(ValidateComplaintForm(), tracker)
    slots = slot_values(events)
    assert slots["complaint_name"] is None
    assert slots["complaint_text"] == STORY
    assert messages[0]["text"] == "Baik Kak, ceritanya sudah saya catat."


def test_a_greeting_at_the_name_question_is_not_taken_as_the_name(database_url):
    tracker = complaint_form(
        "complaint_name", "halo kak", extracted={"complaint_name": "halo kak"}, intent="greet"
    )
    events, messages = run_action(ValidateComplaintForm(), tracker)
    assert slot_values(events) == {"complaint_name": None}
    assert messages[0]["text"] == GREETING_TEXT


def test_a_question_at_the_story_question_is_part_of_the_story(database_url):
    text = "kenapa refund saya belum masuk juga padahal sudah dua minggu, gimana ini?"
    tracker = complaint_form("complaint_text", text, extracted={"complaint_text": text}, intent="faq")
    events, _ = run_action(ValidateComplaintForm(), tracker)
    assert slot_values(events)["complaint_text"] == text


def test_a_ticket_is_found_by_the_order_it_is_about_and_the_newest_one_wins(database_url):
    _ticket(order_id="UK-2611-008170")
    newest = _ticket(order_id="UK-2611-008170")
    _ticket(order_id="UK-2611-009999")
    text = "komplain sy soal pesanan uk-2611-008170 udh sampe mana ya"
    events, _ = run_action(ValidateTicketStatusForm(), ticket_form(None, text, metadata=WHATSAPP))
    slots = slot_values(events)
    assert slots["ticket_number"] == newest
    assert slots["ticket_verified"] is True


def test_an_order_number_given_at_the_ticket_question_is_looked_up_too(database_url):
    number = _ticket(order_id="INV/20261102/MPL/4471902")
    stranger = {"channel": "whatsapp", "verified_phone": "+6281299999999"}
    text = "nomor tiketnya lupa, pesanannya INV/20261102/MPL/4471902"
    tracker = ticket_form("ticket_number", text, extracted={"ticket_number": text}, metadata=stranger)
    slots = slot_values(run_action(ValidateTicketStatusForm(), tracker)[0])
    assert slots["ticket_number"] == number
    assert slots["ticket_verified"] is False  # the ticket's phone is still asked for


def test_an_order_without_a_complaint_is_reported_and_counts_as_a_miss(database_url):
    _ticket(order_id="UK-2611-008170")
    text = "UK-2611-004821"
    events, messages = run_action(
        ValidateTicketStatusForm(), ticket_form("ticket_number", text, extracted={"ticket_number": text})
    )
    slots = slot_values(events)
    assert slots["ticket_number"] is None
    assert slots["ticket_failures"] == 1.0
    assert "belum ada pengaduan untuk pesanan UK-2611-004821" in messages[0]["text"]


def test_a_ticket_filed_in_this_chat_is_found_without_its_number_and_shown_here(database_url):
    here = ticket_form(None, "status pengaduan saya gimana kak")
    _ticket(conversation_id="another-chat")
    newest = _ticket(conversation_id=here.sender_id)
    events, _ = run_action(ValidateTicketStatusForm(), here)
    slots = slot_values(events)
    assert slots["ticket_number"] == newest
    assert slots["ticket_verified"] is True  # filed here: no phone is asked for


def test_on_whatsapp_the_proven_phone_finds_the_ticket_filed_in_another_chat(database_url):
    number = _ticket(conversation_id="web-chat-last-week")
    events, _ = run_action(
        ValidateTicketStatusForm(), ticket_form(None, "komplain sy udh diproses?", metadata=WHATSAPP)
    )
    assert slot_values(events)["ticket_number"] == number
    stranger = {"channel": "whatsapp", "verified_phone": "+6281299999999"}
    events, _ = run_action(
        ValidateTicketStatusForm(), ticket_form(None, "komplain sy udh diproses?", metadata=stranger)
    )
    assert slot_values(events).get("ticket_number") is None  # someone else's ticket is not found


def test_an_answer_without_a_number_is_not_replaced_by_the_customers_ticket(database_url):
    # filed after the form asked (the form looks for the customer's own ticket only when it starts)
    _ticket(conversation_id=ticket_form("ticket_number", "").sender_id)
    events, _ = run_action(
        ValidateTicketStatusForm(),
        ticket_form("ticket_number", "lupa kak", extracted={"ticket_number": "lupa kak"}),
    )
    assert slot_values(events)["ticket_number"] is None
    assert slot_values(events)["ticket_failures"] == 1.0
