import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.forms import GREETING_RESPONSE
from actions.orders import ActionAskOrderId, ActionCheckOrderStatus, ValidateOrderStatusForm
from knowledge.faq import load_topics
from tests.actions.helpers import domain_text, form_tracker, order_form_tracker, run_action, slot_values

GREETING_TEXT = domain_text(GREETING_RESPONSE)
RESUME_TEXT = domain_text("utter_resume_form")

OWNER_PHONE = "+6281322740915"  # Siti Rahmawati, owner of UK-2611-008170 (Sedang Dikirim)
WHATSAPP = {"channel": "whatsapp", "verified_phone": OWNER_PHONE}


def test_unknown_order_id_gets_a_polite_reply_and_a_second_chance(database_url):
    text = "INV/20990101/MPL/0000001"
    events, messages = run_action(
        ValidateOrderStatusForm(), order_form_tracker(text=text, extracted={"order_id": text})
    )
    slots = slot_values(events)
    assert slots["order_id"] is None
    assert slots["order_lookup_failures"] == 1.0
    assert messages[0]["response"] == "utter_order_not_found"
    assert messages[0]["order_id"] == text


def test_second_unknown_id_stops_asking(database_url):
    tracker = order_form_tracker(
        text="99999", extracted={"order_id": "99999"}, slots={"order_lookup_failures": 1.0}
    )
    events, _ = run_action(ValidateOrderStatusForm(), tracker)
    slots = slot_values(events)
    assert slots["order_lookup_failures"] == 2.0
    assert slots["requested_slot"] is None  # the form ends; action_check_order_status explains


def test_owner_on_a_verified_channel_is_not_asked_for_contact(database_url):
    text = "ini no pesanannya uk-2611-008170"
    tracker = order_form_tracker(text=text, extracted={"order_id": text}, metadata=WHATSAPP)
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    slots = slot_values(events)
    assert slots["order_id"] == "UK-2611-008170"
    assert slots["order_verified"] is True
    assert slots["requested_slot"] is None
    assert messages == []


def test_other_phone_on_verified_channel_must_prove_ownership(database_url):
    text = "UK-2611-008170"
    metadata = {"channel": "whatsapp", "verified_phone": "+6281265438807"}  # Togar, not the owner
    events, _ = run_action(
        ValidateOrderStatusForm(),
        order_form_tracker(text=text, extracted={"order_id": text}, metadata=metadata),
    )
    assert slot_values(events)["order_verified"] is False
    # the phone or e-mail on the order is still required
    tracker = order_form_tracker(text=text, slots={"order_id": text, "order_verified": False})
    required = asyncio.run(
        ValidateOrderStatusForm().required_slots(
            ["order_id", "order_contact"], CollectingDispatcher(), tracker, {}
        )
    )
    assert required == ["order_id", "order_contact"]


def test_contact_that_does_not_match_is_refused(database_url):
    tracker = order_form_tracker(
        text="0812 3456 7890",
        extracted={"order_contact": "0812 3456 7890"},
        slots={"order_id": "UK-2611-008170", "order_verified": False, "requested_slot": "order_contact"},
    )
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    slots = slot_values(events)
    assert slots["order_contact"] is None
    assert slots["order_contact_failures"] == 1.0
    assert messages[0]["response"] == "utter_order_contact_mismatch"


def test_matching_email_verifies_without_keeping_it(database_url):
    tracker = order_form_tracker(
        text="email sy siti.rahmawati@gmail.com",
        extracted={"order_contact": "email sy siti.rahmawati@gmail.com"},
        slots={"order_id": "UK-2611-008170", "order_verified": False, "requested_slot": "order_contact"},
    )
    events, _ = run_action(ValidateOrderStatusForm(), tracker)
    slots = slot_values(events)
    assert slots["order_verified"] is True
    assert slots["order_contact"] == "verified"
    assert slots["requested_slot"] is None
    assert slots["proven_orders"] == ["UK-2611-008170"]  # remembered for the rest of the session


def test_an_order_proven_earlier_in_the_session_is_not_checked_again(database_url):
    text = "UK-2611-008170"
    proven = {"proven_orders": ["UK-2611-002463", text]}
    tracker = order_form_tracker(text=text, extracted={"order_id": text}, slots=proven)
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    slots = slot_values(events)
    assert slots["order_verified"] is True
    assert slots["requested_slot"] is None  # no contact question
    assert messages == []
    another = "INV/20261120/MPL/9136301"  # an order of the same customer, not proven in this conversation
    other = order_form_tracker(text=another, extracted={"order_id": another}, slots=proven)
    assert slot_values(run_action(ValidateOrderStatusForm(), other)[0])["order_verified"] is False


def test_a_phone_that_proved_an_order_proves_that_customers_other_orders_in_the_session(database_url):
    contact = {"order_id": "UK-2611-008170", "order_verified": False, "requested_slot": "order_contact"}
    by_phone = order_form_tracker(
        text="0813-2274-0915", extracted={"order_contact": "0813-2274-0915"}, slots=contact
    )
    assert slot_values(run_action(ValidateOrderStatusForm(), by_phone)[0])["given_phone"] == "+6281322740915"
    email = "siti.rahmawati@gmail.com"
    by_email = order_form_tracker(text=email, extracted={"order_contact": email}, slots=contact)
    assert "given_phone" not in slot_values(run_action(ValidateOrderStatusForm(), by_email)[0])

    another = "INV/20261120/MPL/9136301"  # Siti's other order, never named in this conversation
    given = {"given_phone": "+6281322740915"}
    tracker = order_form_tracker(text=another, extracted={"order_id": another}, slots=given)
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    assert slot_values(events)["order_verified"] is True
    assert slot_values(events)["requested_slot"] is None  # no contact question
    assert messages == []
    strangers = "UK-2611-003153"  # another customer's order: the phone given is not its phone
    tracker = order_form_tracker(text=strangers, extracted={"order_id": strangers}, slots=given)
    assert slot_values(run_action(ValidateOrderStatusForm(), tracker)[0])["order_verified"] is False


def test_a_follow_up_naming_no_order_is_about_the_one_order_proven_in_the_session(database_url):
    one = {"proven_orders": ["UK-2611-008170"]}
    follow_up = form_tracker("order_status_form", None, text="resinya apa kak?", slots=one)
    slots = slot_values(run_action(ValidateOrderStatusForm(), follow_up)[0])
    assert slots["order_id"] == "UK-2611-008170"
    assert slots["order_verified"] is True
    assert slots["requested_slot"] is None  # straight to the status: no question at all
    for text, slots_before in (
        ("kalau pesanan yang lain gimana?", one),  # another order: asked which
        ("resinya apa kak?", {"proven_orders": ["UK-2611-002463", "UK-2611-008170"]}),  # two: asked which
    ):
        tracker = form_tracker("order_status_form", None, text=text, slots=slots_before)
        assert "order_id" not in slot_values(run_action(ValidateOrderStatusForm(), tracker)[0]), text


def test_ask_order_id_offers_the_orders_proven_in_this_session_latest_first(database_url):
    proven = {"proven_orders": ["UK-2611-002463", "UK-2611-008170"]}
    tracker = order_form_tracker(text="kurirnya apa ya?", slots=proven, metadata=WHATSAPP)
    _, messages = run_action(ActionAskOrderId(), tracker)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    # then the phone's recent orders, without the one offered already
    assert payloads == ["UK-2611-008170", "UK-2611-002463", "INV/20261120/MPL/9136301", "261115UMHVRSGA"]
    _, messages = run_action(ActionAskOrderId(), order_form_tracker(text="kurirnya?", slots=proven))
    assert [b["payload"] for b in messages[0]["buttons"]] == ["UK-2611-008170", "UK-2611-002463"]


def test_status_reply_for_the_owner_names_status_courier_resi_and_source(database_url):
    tracker = order_form_tracker(text="", slots={"order_id": "UK-2611-008170", "order_verified": True})
    events, messages = run_action(ActionCheckOrderStatus(), tracker)
    text = messages[0]["text"]
    assert '"Sedang Dikirim"' in text
    assert "JNE" in text
    assert "SUB3A26118926979" in text
    assert "Lacak Pesanan" in text
    assert "Sumber: FAQ 99% Usahaku" in text
    assert slot_values(events)["order_id"] is None  # ready for the next question


def _status_after(opener: str, order_id: str, contact: str) -> list[dict]:
    """The status reply to a request (`opener`) whose order was proven with `contact` in the form."""
    tracker = order_form_tracker(
        text=contact,
        slots={"requested_slot": None, "order_id": order_id, "order_verified": True},
        history=[{"event": "user", "text": opener}, {"event": "active_loop", "name": "order_status_form"}],
    )
    return run_action(ActionCheckOrderStatus(), tracker)[1]


def test_asked_to_cancel_the_status_comes_with_whether_it_still_can_be(database_url):
    opener = "mau batalin pesanan UK-2611-008170 aja deh, lama bgt ga dikirim2"
    messages = _status_after(opener, "UK-2611-008170", "0813-2274-0915")
    topic = next(t for t in load_topics() if t.topic == "uk_buyer_cancel_after_seller_processed")
    assert '"Sedang Dikirim"' in messages[0]["text"]
    assert [m["text"] for m in messages[1:]] == [topic.reply]  # shipped: too late, in the help centre's words


def test_an_order_marked_delivered_that_never_arrived_is_not_to_be_confirmed(database_url):
    opener = "kak paket saya katanya udah diterima tapi saya ga nerima apa2, pesanan UK-2611-002463"
    messages = _status_after(opener, "UK-2611-002463", "089512637408")
    assert '"Pesanan Selesai"' in messages[0]["text"]
    assert "Mohon konfirmasi penerimaan" not in messages[0]["text"]  # before: asked to confirm receipt
    assert 'jangan klik tombol "Konfirmasi Selesai"' in messages[1]["text"]
    assert "Sumber: FAQ 99% Usahaku — Bagaimana jika saya tidak sengaja" in messages[1]["text"]
    assert [b["title"] for b in messages[1]["buttons"]] == ["Buat pengaduan", "Bicara dengan CS"]
    messages = _status_after("cek pesanan UK-2611-002463", "UK-2611-002463", "089512637408")
    assert "Mohon konfirmasi penerimaan" in messages[0]["text"]
    assert len(messages) == 1


def test_status_reply_refuses_details_without_verification(database_url):
    tracker = order_form_tracker(text="", slots={"order_id": "UK-2611-008170", "order_verified": False})
    _, messages = run_action(ActionCheckOrderStatus(), tracker)
    assert "SUB3A26118926979" not in messages[0]["text"]
    assert "keamanan data" in messages[0]["text"]


def test_ask_order_id_offers_the_verified_customers_recent_orders(database_url):
    _, messages = run_action(ActionAskOrderId(), order_form_tracker(text="cek pesanan", metadata=WHATSAPP))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ["INV/20261120/MPL/9136301", "UK-2611-008170", "261115UMHVRSGA"]


def test_ask_order_id_without_verified_phone_asks_for_the_number(database_url):
    _, messages = run_action(ActionAskOrderId(), order_form_tracker(text="cek pesanan"))
    assert "nomor pesanan" in messages[0]["text"]
    assert not messages[0]["buttons"]


def test_a_greeting_at_the_contact_question_is_not_a_failed_check(database_url):
    tracker = order_form_tracker(
        text="halo kak",
        extracted={"order_contact": "halo kak"},
        slots={"requested_slot": "order_contact", "order_id": "UK-2611-008170"},
        intent="greet",
    )
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    assert slot_values(events) == {"order_contact": None}  # no failure counted, the form asks again
    assert messages == [{**messages[0], "text": GREETING_TEXT}]


def test_a_help_centre_question_in_the_form_is_answered_and_the_form_resumes(database_url):
    topic = next(t for t in load_topics() if t.topic == "uk_pay_with_gopay")
    tracker = order_form_tracker(
        text=topic.question,
        extracted={"order_id": topic.question},
        intent="faq",
        ranking=[("faq", 0.9)],
    )
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    assert slot_values(events) == {"order_id": None}
    assert "order_lookup_failures" not in slot_values(events)
    assert messages[0]["text"] == topic.reply
    assert messages[1]["text"] == RESUME_TEXT


def test_a_help_centre_question_in_the_message_that_starts_the_form_is_answered_first(database_url):
    topic = next(t for t in load_topics() if t.topic == "uk_pay_with_gopay")
    tracker = order_form_tracker(
        text=topic.question, slots={"requested_slot": None}, intent="check_order_status"
    )
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    assert [m["text"] for m in messages] == [topic.reply]  # then Rasa's form asks for the order
    assert "order_lookup_failures" not in slot_values(events)


def test_a_request_without_a_question_starts_the_form_without_an_answer(database_url):
    tracker = order_form_tracker(
        text="cek pesanan saya dong kak", slots={"requested_slot": None}, intent="check_order_status"
    )
    _, messages = run_action(ValidateOrderStatusForm(), tracker)
    assert messages == []


def test_a_form_stopped_by_an_outage_is_not_also_told_the_order_was_not_found(database_url):
    stopped = order_form_tracker(text="UK-2611-008170", slots={"order_id": None, "requested_slot": None})
    _, messages = run_action(ActionCheckOrderStatus(), stopped)
    assert [m["response"] for m in messages] == ["utter_order_check_failed"]  # two misses: not found
    stopped.events.append(
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_order_backend_down"}}
    )
    _, messages = run_action(ActionCheckOrderStatus(), stopped)
    assert messages == []  # the outage message of this turn stands alone
