"""The return form's validation and the actions around it, with evidence from a real local media server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from actions.returns import (
    ActionAskReturnItem,
    ActionAskReturnOrderId,
    ActionReturnStatus,
    ActionSubmitReturn,
    ValidateReturnForm,
)
from bot.services.returns import decide, find_return
from bot.store import db
from tests.actions.helpers import domain_text, form_tracker, run_action, said, slot_values
from tests.conftest import reset_caches
from tests.fakes.media_server import EXE, JPEG, PDF, MediaServer

ORDER = "UK-2611-002463"  # delivered 18 h ago: Hijab (2), Kaos (3)
OWNER = "+6289512637408"
WHATSAPP = {"channel": "whatsapp", "verified_phone": OWNER}


@pytest.fixture
def media(database_url, tmp_path, monkeypatch) -> Iterator[MediaServer]:
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    reset_caches()
    with MediaServer().running() as server:
        yield server


def return_form(requested, text, **kwargs):
    return form_tracker("return_form", requested, text=text, **kwargs)


def test_the_owner_on_whatsapp_names_the_order_in_the_first_message(database_url):
    tracker = return_form(None, f"barang dr order {ORDER} robek, mau retur", metadata=WHATSAPP)
    events, _ = run_action(ValidateReturnForm(), tracker)
    slots = slot_values(events)
    assert slots["return_order_id"] == ORDER
    assert slots["return_verified"] is True


def test_an_order_not_yet_delivered_stops_the_form_with_the_reason(database_url):
    text = "UK-2611-008170"  # Sedang Dikirim, owned by +6281322740915
    owner = {"channel": "whatsapp", "verified_phone": "+6281322740915"}
    tracker = return_form("return_order_id", text, extracted={"return_order_id": text}, metadata=owner)
    events, messages = run_action(ValidateReturnForm(), tracker)
    assert "belum diterima" in messages[0]["text"]
    assert slot_values(events)["requested_slot"] is None  # no point asking on
    stranger = return_form("return_order_id", text, extracted={"return_order_id": text})
    events, messages = run_action(ValidateReturnForm(), stranger)
    assert messages == []  # a stranger is asked for the contact first, and learns nothing
    assert slot_values(events)["return_verified"] is False


def test_a_wrong_item_told_when_asking_is_the_description_and_words_the_questions(database_url):
    story = "kak kaos yg dikirim warnanya merah padahal sy pesan hitam, mau tuker"
    events, _ = run_action(ValidateReturnForm(), return_form(None, story))
    slots = slot_values(events)
    assert slots["return_problem"] == "wrong_item"
    assert slots["return_description"] == story
    asked = {"return_problem": "wrong_item", "return_order_id": ORDER}
    _, opening = run_action(ActionAskReturnOrderId(), return_form(None, story, slots=asked))
    assert "retur barang yang tidak sesuai pesanan" in opening[0]["text"]
    _, items = run_action(ActionAskReturnItem(), return_form("return_item", "", slots=asked))
    assert items[0]["text"] == "Barang mana yang tidak sesuai pesanan, Kak?"
    assert "yang rusak" not in opening[0]["text"] + items[0]["text"]


def test_the_order_checked_just_before_the_return_is_the_returns_order(database_url):
    tracker = return_form(
        None, "barangnya ada yang robek, mau retur", history=said(f"cek pesanan {ORDER}"), metadata=WHATSAPP
    )
    slots = slot_values(run_action(ValidateReturnForm(), tracker)[0])
    assert slots["return_order_id"] == ORDER
    assert slots["return_verified"] is True


def test_a_short_report_names_the_problem_but_the_story_is_still_asked_for(database_url):
    events, _ = run_action(ValidateReturnForm(), return_form(None, "hijabnya robek kak"))
    slots = slot_values(events)
    assert slots["return_problem"] == "damaged"
    assert "return_description" not in slots
    damaged = {"return_problem": "damaged", "return_order_id": ORDER}
    _, items = run_action(ActionAskReturnItem(), return_form("return_item", "", slots=damaged))
    assert items[0]["text"] == "Barang mana yang rusak, Kak?"


def test_a_request_naming_no_problem_is_asked_neutrally_and_the_description_tells_the_kind(database_url):
    events, _ = run_action(ValidateReturnForm(), return_form(None, "mau retur kak"))
    assert "return_problem" not in slot_values(events)
    _, opening = run_action(ActionAskReturnOrderId(), return_form(None, "mau retur kak"))
    assert opening[0]["text"].startswith("Baik Kak, saya bantu ajukan retur barang. Nomor pesanannya")
    answer = "isinya kurang 2 pcs dari 12 yang saya pesan"
    tracker = return_form("return_description", answer, extracted={"return_description": answer})
    events, _ = run_action(ValidateReturnForm(), tracker)
    assert slot_values(events)["return_problem"] == "missing"


def test_an_order_of_one_item_takes_it_without_asking(database_url):
    owner = {"channel": "whatsapp", "verified_phone": "+6281703349218"}
    text = "UK-2611-000323"  # one line: Powerbank x3, delivered 60 h ago
    tracker = return_form("return_order_id", text, extracted={"return_order_id": text}, metadata=owner)
    slots = slot_values(run_action(ValidateReturnForm(), tracker)[0])
    assert slots["return_item"] == "PWB-10K"
    assert "return_quantity" not in slots  # three were ordered: how many is asked
    assert slots["requested_slot"] == "return_quantity"
    owner = {"channel": "whatsapp", "verified_phone": "+6285299430671"}
    text = "261112BEKYRMXW"  # one line: Panci Set x1, delivered 70 h ago
    tracker = return_form("return_order_id", text, extracted={"return_order_id": text}, metadata=owner)
    slots = slot_values(run_action(ValidateReturnForm(), tracker)[0])
    assert (slots["return_item"], slots["return_quantity"]) == ("PNC-SS-5PC", "1")
    assert slots["requested_slot"] == "return_description"


def test_items_are_offered_as_buttons(database_url):
    tracker = return_form("return_item", "", slots={"return_order_id": ORDER})
    _, messages = run_action(ActionAskReturnItem(), tracker)
    assert [b["payload"] for b in messages[0]["buttons"]] == ["HJB-VOAL-SGE", "KOS-CMB-30S-L"]


def test_quantity_above_what_was_delivered_is_asked_again(database_url):
    filled = {"return_order_id": ORDER, "return_item": "HJB-VOAL-SGE"}
    tracker = return_form("return_quantity", "5 pcs", slots=filled, extracted={"return_quantity": "5 pcs"})
    events, messages = run_action(ValidateReturnForm(), tracker)
    assert slot_values(events)["return_quantity"] is None
    assert "antara 1 dan 2" in messages[0]["text"]


def test_correcting_the_order_mid_form_starts_the_order_part_again(database_url):
    filled = {"return_order_id": ORDER, "return_verified": True, "return_item": "HJB-VOAL-SGE"}
    tracker = return_form("return_quantity", "eh salah, order yg satunya", slots=filled, metadata=WHATSAPP)
    events, _ = run_action(ValidateReturnForm(), tracker)
    slots = slot_values(events)
    assert slots["return_order_id"] is None
    assert slots["return_item"] is None
    other = "261115UMHVRSGA"  # another delivered order, of another customer
    tracker = return_form("return_quantity", f"eh salah, yg {other}", slots=filled, metadata=WHATSAPP)
    slots = slot_values(run_action(ValidateReturnForm(), tracker)[0])
    assert slots["return_order_id"] == other
    assert slots["return_item"] is None
    assert slots["return_verified"] is False  # not this customer's order: the form asks for the contact


def test_switching_orders_is_not_counted_as_a_wrong_answer(database_url):
    filled = {"return_order_id": ORDER, "return_contact": "verified", "return_item": "HJB-VOAL-SGE"}
    tracker = return_form("return_quantity", "eh salah, yg 261115UMHVRSGA", slots=filled)
    events, messages = run_action(ValidateReturnForm(), tracker)
    slots = slot_values(events)
    assert slots["return_contact"] is None
    assert slots["return_item"] is None
    assert not slots.get("return_failures")  # the emptied answers were not wrong ones
    assert domain_text("utter_return_item_unknown") not in [m.get("text") for m in messages]


def test_a_photo_is_fetched_and_kept_and_an_executable_is_refused(media):
    url = media.add("rusak.jpg", "image/jpeg", JPEG)
    tracker = return_form(
        "return_photo_goods",
        "",
        extracted={"return_photo_goods": ""},
        metadata={"channel": "rest", "media": [{"url": url, "content_type": "image/jpeg"}]},
    )
    events, _ = run_action(ValidateReturnForm(), tracker)
    stored = json.loads(slot_values(events)["return_photo_goods"])
    assert stored["content_type"] == "image/jpeg"
    bad = media.add("virus.jpg", "image/jpeg", EXE)
    tracker = return_form(
        "return_photo_goods", "", extracted={"return_photo_goods": ""}, metadata={"media": [{"url": bad}]}
    )
    events, messages = run_action(ValidateReturnForm(), tracker)
    assert slot_values(events)["return_photo_goods"] is None
    assert "tidak bisa kami terima" in messages[0]["text"]


def test_a_photo_sent_with_or_just_before_the_request_is_the_goods_evidence(media):
    url = media.add("pecah.jpg", "image/jpeg", JPEG)
    photo = [{"url": url, "content_type": "image/jpeg"}]
    with_it = return_form(None, "gelasnya pecah kak", metadata={"channel": "rest", "media": photo})
    stored = json.loads(slot_values(run_action(ValidateReturnForm(), with_it)[0])["return_photo_goods"])
    assert stored["content_type"] == "image/jpeg"
    # the photo alone first, then the "Ajukan retur" button
    before = return_form(None, "/report_damaged_goods", history=said("(mengirim lampiran)", media=photo))
    stored = json.loads(slot_values(run_action(ValidateReturnForm(), before)[0])["return_photo_goods"])
    assert stored["content_type"] == "image/jpeg"
    without = return_form(None, "gelasnya pecah kak")
    assert "return_photo_goods" not in slot_values(run_action(ValidateReturnForm(), without)[0])


def test_a_photo_sent_before_the_form_asks_for_it_is_kept_as_the_goods_photo(media):
    url = media.add("pecah.jpg", "image/jpeg", JPEG)
    photo = {"channel": "rest", "media": [{"url": url, "content_type": "image/jpeg"}]}
    text = "(mengirim lampiran)"
    asked_item = {"return_order_id": ORDER, "return_verified": True}
    tracker = return_form(
        "return_item",
        text,
        extracted={"return_item": text},
        slots=asked_item,
        intent="send_media",
        metadata=photo,
    )
    events, messages = run_action(ValidateReturnForm(), tracker)
    slots = slot_values(events)
    assert slots["return_item"] is None  # asked again
    assert json.loads(slots["return_photo_goods"])["content_type"] == "image/jpeg"
    assert [m["response"] for m in messages] == ["utter_return_photo_kept"]
    # a second file: the goods' photo is there already, so it is only acknowledged
    again = return_form(
        "return_item",
        text,
        extracted={"return_item": text},
        slots={**asked_item, "return_photo_goods": slots["return_photo_goods"]},
        intent="send_media",
        metadata=photo,
    )
    events, messages = run_action(ValidateReturnForm(), again)
    assert slot_values(events) == {"return_item": None}
    assert [m["response"] for m in messages] == ["utter_media_not_the_answer"]


def test_text_instead_of_a_photo_asks_for_the_photo(database_url):
    tracker = return_form("return_photo_document", "sudah", extracted={"return_photo_document": "sudah"})
    events, messages = run_action(ValidateReturnForm(), tracker)
    assert slot_values(events)["return_photo_document"] is None
    assert "Belum ada foto" in messages[0]["text"]


def _evidence(media: MediaServer, slot: str, name: str, content_type: str, body: bytes) -> str:
    url = media.add(name, content_type, body)
    tracker = return_form(slot, "", extracted={slot: ""}, metadata={"media": [{"url": url}]})
    return slot_values(run_action(ValidateReturnForm(), tracker)[0])[slot]


def test_submit_records_the_request_and_status_shows_it_to_the_same_conversation(media):
    slots = {
        "return_order_id": ORDER,
        "return_verified": True,
        "return_item": "HJB-VOAL-SGE",
        "return_quantity": "2",
        "return_description": "jahitan robek dua-duanya",
        "return_photo_goods": _evidence(media, "return_photo_goods", "a.jpg", "image/jpeg", JPEG),
        "return_photo_document": _evidence(media, "return_photo_document", "spj.pdf", "application/pdf", PDF),
    }
    events, messages = run_action(ActionSubmitReturn(), return_form(None, "", slots=slots))
    text = messages[0]["text"]
    number = text.split("nomor ")[1].split(":")[0]
    assert "2 x Hijab Segi Empat Voal Motif" in text
    assert all(value in (None, 0.0) for value in slot_values(events).values())
    with db.session_scope() as session:
        request = find_return(session, number)
        assert [e.kind for e in request.evidence] == ["barang", "dokumen"]
        decide(session, request, approve=False, actor="agent:dewi", reason="foto kurang jelas")

    sender = form_tracker("return_form", None, text=f"status retur {number}").sender_id
    status = return_form(None, f"status retur {number}")
    assert status.sender_id == sender
    _, messages = run_action(ActionReturnStatus(), status)
    assert "ditolak" in messages[0]["text"]
    assert "foto kurang jelas" in messages[0]["text"]
    assert "sekali lagi" in messages[0]["text"]


def test_status_is_not_shown_to_another_customer(media):
    with db.session_scope() as session:
        from bot.services.orders import get_order_backend
        from tests.factories import a_return

        order = get_order_backend().get_order(ORDER)
        number = a_return(
            session, order, item=1, description="kaos sobek", conversation_id="someone-else", window_hours=72
        ).number
    stranger = return_form(None, f"status retur {number}", metadata={"verified_phone": "+6281299999999"})
    _, messages = run_action(ActionReturnStatus(), stranger)
    assert "kaos" not in messages[0]["text"].lower()
    owner = return_form(None, f"status retur {number}", metadata=WHATSAPP)
    _, messages = run_action(ActionReturnStatus(), owner)
    assert "Kaos" in messages[0]["text"]


def _returns_of(conversation_id: str, items: list[int], order_id: str = ORDER) -> list[str]:
    from bot.services.orders import get_order_backend
    from tests.factories import a_return

    with db.session_scope() as session:
        order = get_order_backend().get_order(order_id)
        return [a_return(session, order, item=i, conversation_id=conversation_id).number for i in items]


def test_status_without_a_number_shows_the_newest_return_of_this_chat_and_names_the_others(media):
    here = return_form(None, "status retur saya gmn kak")
    older, newer = _returns_of(here.sender_id, [0, 1])
    _returns_of("someone-else", [0], order_id="261115UMHVRSGA")
    _, messages = run_action(ActionReturnStatus(), here)
    assert newer in messages[0]["text"]
    assert "Kaos" in messages[0]["text"]
    assert older in messages[1]["text"]
    assert len(messages) == 2  # the other customer's return is not mentioned


def test_status_without_a_number_finds_returns_by_the_phone_whatsapp_proved(media):
    (number,) = _returns_of("filed-in-another-chat", [0])
    owner = return_form(None, "retur saya udah diproses belum", metadata=WHATSAPP)
    _, messages = run_action(ActionReturnStatus(), owner)
    assert number in messages[0]["text"]
    someone = {"channel": "whatsapp", "verified_phone": "+6281299999999"}
    stranger = return_form(None, "retur saya udah diproses belum", metadata=someone)
    _, messages = run_action(ActionReturnStatus(), stranger)
    assert number not in json.dumps(messages)
    assert messages[-1]["text"] == domain_text("utter_return_number_missing")


def test_asked_about_returns_with_none_on_record_the_customer_can_file_one(media):
    _, messages = run_action(ActionReturnStatus(), return_form(None, "status retur saya"))
    assert [m["text"] for m in messages] == [domain_text("utter_return_number_missing")]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/report_damaged_goods", "/request_human"]


def test_a_question_about_returns_with_none_on_record_gets_the_help_centres_answer_first(media):
    question = "kalau mau retur barang yang rusak gimana caranya?"
    pinned = {"channel": "widget", "brand": "aksestoko"}  # a shop's own widget: its help centre answers
    _, messages = run_action(ActionReturnStatus(), return_form(None, question, metadata=pinned))
    assert "Sumber: FAQ AksesToko" in messages[0]["text"]
    assert messages[-1]["text"] == domain_text("utter_return_number_missing")
