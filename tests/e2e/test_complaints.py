"""Complaint tickets through the gateway: the form, the number in the same reply, status by number."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.conversations.texts import CREDENTIAL_WARNING_TEXT
from bot.services.timefmt import format_date
from bot.services.workdays import add_working_days, holiday_name
from bot.store.db import session_scope
from bot.store.models import Complaint, Message
from tests.e2e.stack import restarted_with
from tests.e2e.test_conversations import Chat

pytestmark = pytest.mark.e2e

TICKET = re.compile(r"PGD-\d{4}-[2-9A-HJ-NP-Z]{5}")


def ticket_in(reply: str) -> Complaint:
    """The complaint whose number the reply gives (its columns, read in a session now closed)."""
    number = TICKET.search(reply).group(0)
    with session_scope() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint is not None
        session.expunge(complaint)
        return complaint


def test_a_complaint_gets_its_ticket_number_and_deadline_in_the_same_reply(gateway, stack_db):
    chat = Chat(gateway)
    assert "nama lengkap" in chat.say("saya mau komplain kak")
    assert "Nomor HP" in chat.say("Rina Wulandari")
    assert "nomor pesanannya" in chat.say("0812-3450-0077")
    assert "ceritakan keluhannya" in chat.say("tidak ada")
    reply = chat.say("refund saya belum masuk sudah 3 minggu padahal pesanannya dibatalkan penjual")
    number = TICKET.search(reply).group(0)
    assert "hari kerja" in reply
    with session_scope() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint.customer_name == "Rina Wulandari"
        assert complaint.customer_phone == "+6281234500077"
        assert complaint.order_id is None
        assert complaint.description.startswith("refund saya belum masuk")
        assert [e.kind for e in complaint.events] == ["received"]

    status = Chat(gateway)
    assert "nomor HP" in status.say(f"status tiket {number} gimana ya")
    answer = status.say("081234500077")
    assert number in answer
    assert "Batas waktu penyelesaian" in answer


def test_an_uncertain_question_at_a_form_question_offers_its_topics_and_the_form_goes_on(gateway, stack_db):
    chat = Chat(gateway)
    chat.say("saya mau komplain kak")
    assert "Nomor HP" in chat.say("Rina Wulandari")
    reply = chat.say("kak kalo bayar pake dana di 99 usahaku mentok di brp ya")
    assert "belum terbaca" not in reply  # not taken for a wrong phone number
    assert "Sumber:" not in reply  # no fact before the customer confirms what they meant
    titles = [b["title"] for b in chat.buttons]
    assert titles
    assert "Bukan, hubungi CS" not in titles
    assert reply.endswith("Nomor HP yang bisa kami hubungi, Kak?")  # the form asks its question again
    answer = chat.press("batas")
    assert "230.000" in answer
    assert "Sumber: FAQ 99% Usahaku" in answer
    assert answer.endswith("Nomor HP yang bisa kami hubungi, Kak?")
    assert "nomor pesanannya" in chat.say("0812-3450-0079")
    chat.say("tidak ada")
    complaint = ticket_in(chat.say("dana yang saya bayar lewat DANA tertahan dan pesanan tidak diproses"))
    assert complaint.customer_phone == "+6281234500079"


def test_whatsapp_skips_the_phone_and_a_long_first_message_is_the_complaint(gateway, stack_db):
    chat = Chat(gateway, metadata={"channel": "whatsapp", "verified_phone": "+6281234500078"}, trusted=True)
    first = chat.say("mau komplain, kurirnya kasar banget dan paket sy dilempar ke teras, tolong ditindak")
    assert "nama lengkap" in first
    assert "nomor pesanannya" in chat.say("Budi Santoso")
    complaint = ticket_in(chat.say("UK-2611-008170"))
    assert complaint.customer_phone == "+6281234500078"
    assert complaint.channel == "whatsapp"
    assert complaint.order_id == "UK-2611-008170"
    assert "kurirnya kasar" in complaint.description


def test_the_phone_that_proved_an_order_is_not_asked_again_in_the_session(gateway, stack_db):
    """A customer who checked an order with their phone and then complains is not asked for the phone again,
    and an order of that phone asked about next is shown without a check."""
    chat = Chat(gateway)
    assert "nomor HP atau e-mail" in chat.say("paket UK-2611-008170 kok belum nyampe2 ya")
    assert "Sedang Dikirim" in chat.say("0813 2274 0915")
    assert "nama lengkap" in chat.say("saya mau komplain")
    reply = chat.say("Siti Rahmawati")
    assert "Nomor HP" not in reply
    assert "ceritakan keluhannya" in reply
    complaint = ticket_in(chat.say("sudah 6 hari status dikirim tapi resinya tidak bergerak sama sekali"))
    assert complaint.customer_phone == "+6281322740915"
    assert complaint.order_id == "UK-2611-008170"
    assert '"Perlu Diproses"' in chat.say("kalau pesanan INV/20261120/MPL/9136301 gimana statusnya?")


def test_a_request_full_of_data_is_offered_the_requests_and_its_data_are_not_asked_again(gateway, stack_db):
    """Name, phone and order in the request make NLU read it as a bare answer; the customer still gets the
    requests to choose from, and the complaint takes everything the message said."""
    told = (
        "saya mau komplain, nama saya Budi Santoso, no hp 081234500093, pesanan UK-2611-003153 sudah 5 hari "
        "belum dikirim juga sama penjualnya"
    )
    chat = Chat(gateway)
    reply = chat.say(told)
    assert "belum menangkap" not in reply
    assert "Buat pengaduan" in [b["title"] for b in chat.buttons]
    complaint = ticket_in(chat.press("Buat pengaduan"))
    assert complaint.customer_name == "Budi Santoso"
    assert complaint.customer_phone == "+6281234500093"
    assert complaint.order_id == "UK-2611-003153"
    assert "belum dikirim juga" in complaint.description


def test_a_formal_complaint_told_as_a_story_becomes_a_ticket_with_the_story(gateway, stack_db):
    """The message of issue 15: "mengajukan pengaduan" with the story in the same breath. It must start the
    complaint form (not FAQ suggestions), and the story must not be asked for again."""
    story = (
        "saya mau mengajukan pengaduan, dana refund saya sudah 2 minggu belum masuk padahal pesanan "
        "dibatalkan"
    )
    chat = Chat(gateway)
    assert "nama lengkap" in chat.say(story)
    assert "Nomor HP" in chat.say("Dewi Anggraini")
    assert "nomor pesanannya" in chat.say("081234500091")
    complaint = ticket_in(chat.say("INV/20261104/MPL/7712093"))
    assert complaint.customer_name == "Dewi Anggraini"
    assert complaint.order_id == "INV/20261104/MPL/7712093"
    assert "dana refund saya sudah 2 minggu belum masuk" in complaint.description


def test_an_otp_is_censored_before_storage_and_the_customer_is_warned(gateway, stack_db):
    chat = Chat(gateway)
    chat.say("mau ngadu min")
    reply = chat.say("Rina, otp saya 884213 kalau perlu")
    assert CREDENTIAL_WARNING_TEXT in reply
    assert "nama lengkap" in reply  # the question is asked again
    with session_scope() as session:
        stored = session.scalars(select(Message.text).where(Message.text.contains("otp saya"))).all()
    assert stored
    assert all("884213" not in text for text in stored)


def test_customer_can_stop_the_complaint(gateway):
    chat = Chat(gateway)
    chat.say("mau bikin pengaduan")
    assert "tidak jadi dicatat" in chat.say("ga jadi deh")


# Tuesday 22 December 2026, 10:00 WIB: five working days later crosses Christmas (a national holiday) and,
# per the government's decree, the cuti bersama around it.
BEFORE_CHRISTMAS = "2026-12-22T10:00:00+07:00"


@pytest.fixture
def before_christmas(stack):
    with restarted_with(stack, "actions", {"CLOCK_OVERRIDE": BEFORE_CHRISTMAS}):
        yield datetime.fromisoformat(BEFORE_CHRISTMAS)


def test_a_ticket_filed_before_christmas_gets_a_deadline_that_skips_the_holiday(
    gateway, stack_db, before_christmas
):
    chat = Chat(gateway, metadata={"channel": "whatsapp", "verified_phone": "+6281234500079"}, trusted=True)
    assert "nama lengkap" in chat.say(
        "mau komplain, kurirnya kasar dan paket sy dilempar ke teras, tolong ditindak"
    )
    assert "nomor pesanannya" in chat.say("Sinta Dewi")
    reply = chat.say("tidak ada")
    number = TICKET.search(reply).group(0)
    filed_on = before_christmas.date()
    due = add_working_days(filed_on, 5)
    weekdays_only = filed_on + timedelta(days=7)  # 5 weekdays from a Tuesday, ignoring holidays
    assert holiday_name(date(2026, 12, 25)) is not None  # the package knows Christmas
    assert due > weekdays_only  # the holiday (and any cuti bersama) pushed it out
    assert format_date(due) in reply
    with session_scope() as session:
        complaint = session.scalar(select(Complaint).where(Complaint.number == number))
        assert complaint.due_date == due
        assert complaint.received_at.date() == filed_on
