"""Conversations through the gateway's REST channel against the real Rasa, action server and database."""

from __future__ import annotations

import json
import re
import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.conversations.texts import NO_REPLY_TEXT
from bot.store.db import session_scope
from bot.store.models import Conversation, ConversationEvent, Message
from tests.e2e.conftest import API_TOKEN

pytestmark = pytest.mark.e2e

ORDER = "UK-2611-008170"  # Sedang Dikirim, JNE SUB3A26118926979, Siti Rahmawati
OWNER_PHONE = "+6281322740915"
RESI = "SUB3A26118926979"


class Chat:
    """One customer talking to the gateway."""

    def __init__(self, gateway: httpx.Client, *, metadata: dict | None = None, trusted: bool = False) -> None:
        self.gateway = gateway
        self.sender = f"e2e-{uuid.uuid4().hex[:8]}"
        self.metadata = metadata
        self.headers = {"Authorization": f"Bearer {API_TOKEN}"} if trusted else {}
        self.buttons: list[dict] = []  # the buttons of the bot's last replies

    def press(self, title_part: str) -> str:
        """Press the button whose title contains title_part (its payload is sent as the message)."""
        button = next(b for b in self.buttons if title_part.lower() in b["title"].lower())
        return self.say(button["payload"])

    def say(self, text: str, **metadata: object) -> str:
        """Send text (with extra metadata for this message, e.g. media=[...]); the bot's replies as text."""
        body = {"sender": self.sender, "message": text}
        if self.metadata or metadata:
            body["metadata"] = {**(self.metadata or {}), **metadata}
        response = self.gateway.post("/webhooks/rest/webhook", json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        replies = response.json()
        assert all(r["recipient_id"] == self.sender for r in replies)
        self.buttons = [b for r in replies for b in r.get("buttons") or []]
        return "\n".join(r.get("text") or "" for r in replies)


def test_health_reports_every_dependency_up(gateway):
    body = gateway.get("/health").json()
    assert body["status"] == "ok", body
    assert body["dependencies"]["rasa"]["model"].startswith("rasa-")


def _widget_starters() -> list[str]:
    script = (PROJECT_ROOT / "bot" / "static" / "widget.js").read_text()
    return json.loads(re.search(r"starters: (\[.*?\])", script).group(1))


def test_each_widget_starter_opens_its_flow(gateway):
    """The widget's first-open choices are sent as the customer's own words: NLU must read each as its own."""
    first_words = {
        "Cek status pesanan": "nomor pesanan",
        "Ajukan retur barang": "saya bantu ajukan retur barang.",
        "Buat pengaduan": "nama lengkap",
        "Bicara dengan CS": "berbicara dengan CS sudah kami catat",
    }
    assert _widget_starters() == list(first_words)
    for starter, reply in first_words.items():
        assert reply in Chat(gateway).say(starter), starter


def test_greeting(gateway):
    assert "Halo Kak" in Chat(gateway).say("pagi kak, ada orang?")
    assert "Wa'alaikumsalam, Kak!" in Chat(gateway).say("assalamualaikum min")


def test_order_status_without_id_asks_for_it_then_for_the_owner_contact(gateway):
    chat = Chat(gateway)
    assert "nomor pesanan" in chat.say("halo kak, pesanan sy udh smpe mana ya")
    assert "nomor HP atau e-mail" in chat.say(ORDER.lower())
    reply = chat.say("0813-2274-0915")
    assert '"Sedang Dikirim"' in reply
    assert RESI in reply
    assert "Sumber: FAQ 99% Usahaku" in reply


def test_a_follow_up_is_about_the_order_just_checked_and_does_not_check_it_again(gateway):
    chat = Chat(gateway)
    chat.say(f"cek pesanan {ORDER} dong")
    assert '"Sedang Dikirim"' in chat.say("081322740915")
    again = chat.say("kurirnya apa ya kak?")
    assert RESI in again
    assert "nomor HP atau e-mail" not in again
    assert "Pesanan yang mana" in chat.say("pesanan saya yang lain udah sampe mana?")
    assert chat.buttons[0]["payload"] == ORDER  # the order checked is still offered first


def test_thanks_instead_of_an_order_number_ends_the_question(gateway):
    chat = Chat(gateway)
    assert "nomor pesanan" in chat.say("mau cek pesanan kak")
    reply = chat.say("oh ok makasih kak")
    assert "Sama-sama" in reply
    assert "nomor pesanan" not in reply


def test_a_question_nothing_in_the_dialogue_expects_is_answered_from_the_help_centre(gateway):
    """After the status, "can it be cancelled, no?" reads to NLU as a bare "no" that nothing asked for: no
    rule follows it, and Rasa's core fallback answers it as a help-centre question instead of staying
    silent."""
    chat = Chat(gateway, metadata={"channel": "whatsapp", "verified_phone": OWNER_PHONE}, trusted=True)
    status = chat.say(f"mau batalin pesanan {ORDER} aja deh, lama bgt ga dikirim2")
    assert '"Sedang Dikirim"' in status
    assert "tidak dapat lagi membatalkan" in status  # shipped: too late to cancel, says the help centre
    reply = chat.say("jadi bisa dibatalin ga?")
    assert reply != NO_REPLY_TEXT
    assert "dibatalkan" in reply or any("dibatalkan" in b["title"] for b in chat.buttons)
    assert "Ada lagi yang bisa saya bantu" in chat.say("oke")  # the conversation goes on as before


def test_a_help_centre_question_inside_a_request_is_answered_before_the_form_asks(gateway):
    """A question about the customer's own order starts the order form, and the help centre explains the
    status they asked about: the customer gets the explanation first, then the question for the order."""
    reply = Chat(gateway).say("pesanan sy statusnya tertunda, maksudnya apa")
    assert "tanda seru" in reply
    assert reply.index("tanda seru") < reply.index("nomor pesanan")


def test_order_status_with_id_on_a_verified_channel_answers_at_once(gateway):
    chat = Chat(gateway, metadata={"channel": "whatsapp", "verified_phone": OWNER_PHONE}, trusted=True)
    reply = chat.say(f"kak paket {ORDER} udh dmn ya")
    assert '"Sedang Dikirim"' in reply
    assert RESI in reply


def test_verified_channel_offers_the_customers_recent_orders(gateway):
    chat = Chat(gateway, metadata={"verified_phone": OWNER_PHONE}, trusted=True)
    response = gateway.post(
        "/webhooks/rest/webhook",
        json={"sender": chat.sender, "message": "cek pesanan saya dong", "metadata": chat.metadata},
        headers=chat.headers,
    )
    buttons = response.json()[-1]["buttons"]
    assert ORDER in [b["payload"] for b in buttons]
    assert '"Sedang Dikirim"' in chat.say(ORDER)  # pressing the button sends its payload


def test_forged_verified_phone_from_an_untrusted_caller_is_ignored(gateway):
    chat = Chat(gateway, metadata={"channel": "whatsapp", "verified_phone": OWNER_PHONE}, trusted=False)
    reply = chat.say(f"status pesanan {ORDER} gimana kak")
    assert RESI not in reply
    assert "nomor HP atau e-mail" in reply


def test_wrong_owner_never_sees_the_details(gateway):
    chat = Chat(gateway)
    chat.say(f"tolong cek pesanan {ORDER}")
    first = chat.say("081234567890")
    assert "tidak cocok" in first
    second = chat.say("budi@contoh.co.id")
    assert RESI not in first + second
    assert "keamanan data" in second


def test_unknown_id_gets_a_polite_reply_and_a_second_chance(gateway):
    chat = Chat(gateway)
    chat.say("mau lacak orderan")
    reply = chat.say("INV/20990101/MPL/0000001")
    assert "tidak kami temukan" in reply
    assert "nomor pesanan" in reply.lower()
    assert "nomor HP atau e-mail" in chat.say(ORDER)  # the second try goes on


def test_out_of_scope_is_declined_with_a_human_offered(gateway):
    reply = Chat(gateway).say("siapa yang menang piala dunia 2022")
    assert "di luar" in reply
    assert "sambungkan dengan CS" in reply


def test_help_centre_question_is_answered_from_the_corpus_with_its_source(gateway):
    reply = Chat(gateway).say("di 99 usahaku kalo bayar pake kartu kredit ada minimal transaksinya ga")
    assert "500.000" in reply
    assert "Sumber: FAQ 99% Usahaku" in reply


def test_an_uncertain_question_gets_did_you_mean_and_the_pressed_topic_is_answered(gateway):
    chat = Chat(gateway)
    reply = chat.say("kak kalo bayar pake dana di 99 usahaku mentok di brp ya")
    assert "Sumber:" not in reply  # no fact before the customer confirms what they meant
    assert "Bukan, hubungi CS" in [b["title"] for b in chat.buttons]
    answer = chat.press("batas")
    assert "230.000" in answer
    assert "Sumber: FAQ 99% Usahaku" in answer


def test_question_the_corpus_cannot_answer_is_not_guessed(gateway, stack_db):
    reply = Chat(gateway).say("kak di 99 usahaku ada diskon ongkir buat pembelian pertama ga")
    assert "Mohon maaf Kak" in reply  # not found, out of scope, or "did you mean …?" — never a guess
    assert "Sumber:" not in reply
    assert "sambungkan dengan CS" in reply


def test_request_human_is_recorded_and_the_control_payload_is_not_shown(gateway, stack_db):
    chat = Chat(gateway)
    response = gateway.post(
        "/webhooks/rest/webhook", json={"sender": chat.sender, "message": "tolong sambungkan ke CS manusia"}
    )
    replies = response.json()
    assert all("custom" not in r for r in replies)
    assert "sudah kami catat" in replies[0]["text"]
    with session_scope() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == chat.sender))
        kinds = session.scalars(
            select(ConversationEvent.kind).where(ConversationEvent.conversation_id == conversation.id)
        ).all()
    assert kinds == ["handoff_requested"]


def test_every_message_and_reply_is_stored(gateway, stack_db):
    chat = Chat(gateway)
    chat.say("halo min")
    with session_scope() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == chat.sender))
        rows = session.scalars(select(Message).where(Message.conversation_id == conversation.id)).all()
        assert [(m.direction, m.author, m.status) for m in rows] == [
            ("in", "customer", "answered"),
            ("out", "bot", "sent"),
        ]
        # Rasa knows the conversation only by its opaque id, never by the channel's sender id.
        assert conversation.public_id != chat.sender


def test_rasa_down_gets_an_apology_and_the_message_is_kept(gateway, stack, stack_db):
    stack.stop_service("rasa")
    try:
        chat = Chat(gateway)
        response = gateway.post(
            "/webhooks/rest/webhook", json={"sender": chat.sender, "message": "halo kak?"}
        )
        assert response.status_code == 503
        assert "Mohon maaf Kak" in response.json()[0]["text"]
        assert gateway.get("/health").json()["dependencies"]["rasa"]["ok"] is False
        with session_scope() as session:
            kept = session.scalar(select(Message).where(Message.text == "halo kak?"))
            assert kept.status == "bot_unavailable"
    finally:
        stack.start_service("rasa")
    assert Chat(gateway).say("halo kak") != ""


def test_a_pinned_platform_holds_for_the_whole_conversation(gateway):
    chat = Chat(gateway, metadata={"brand": "perhutani"})
    chat.say("halo kak")
    chat.metadata = None  # later messages do not repeat the brand; the conversation keeps it
    reply = chat.say("syarat registrasi akun pembeli perorangan apa aja")
    if chat.buttons:  # "did you mean": the options come from the pinned platform only
        reply = chat.say(chat.buttons[0]["payload"])
    assert "Sumber: S&K Penjualan Online Perhutani" in reply


def test_a_topic_written_in_the_console_answers_customers_within_a_minute(gateway):
    """Issue 18's promise end to end: the action server (another process) answers with a topic the
    gateway stored, without a restart, a new index or a retraining."""
    question = "alamat gudang aksestoko di bogor dimana ya kak"
    chat = Chat(gateway, metadata={"brand": "aksestoko"})
    assert "Tim CS" not in chat.say(question)
    created = gateway.post(
        "/api/knowledge/topics",
        json={
            "question": "Di mana alamat gudang AksesToko di Bogor?",
            "answer": "Gudang AksesToko di Bogor ada di Jl. Contoh No. 1, Kak.",
            "brand": "aksestoko",
            "phrasings": ["gudang aksestoko bogor dmn"],
        },
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    assert created.status_code == 201, created.text
    deadline = time.monotonic() + 60
    while "Sumber: Tim CS" not in (reply := Chat(gateway, metadata={"brand": "aksestoko"}).say(question)):
        assert time.monotonic() < deadline, reply
        time.sleep(2)
    assert "Gudang AksesToko di Bogor ada di Jl. Contoh No. 1, Kak." in reply
    assert "Sumber: Tim CS (Integrasi)" in reply  # the integrator token's name as the author
