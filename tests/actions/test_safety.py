"""An action that fails unexpectedly still answers: the database really goes away under it (its table is
dropped), and the customer gets the apology from the domain instead of silence or half a reply."""

from __future__ import annotations

from sqlalchemy import text

from actions.complaints import ActionSubmitComplaint, ValidateTicketStatusForm
from actions.safety import FAILED_RESPONSE
from bot.store import db
from tests.actions.helpers import form_tracker, load_domain, run_action

WHATSAPP = {"channel": "whatsapp", "verified_phone": "+6281234500001"}
SLOTS = {
    "complaint_name": "Rina Wulandari",
    "complaint_phone": "+6281234500001",
    "complaint_order_id": "-",
    "complaint_text": "refund belum masuk sudah 3 minggu",
}


def lose_the_complaints_table() -> None:
    with db.session_scope() as session:
        session.execute(text("DROP TABLE complaint_events"))
        session.execute(text("DROP TABLE complaints"))


def test_the_apology_is_a_domain_response() -> None:
    texts = [r["text"] for r in load_domain()["responses"][FAILED_RESPONSE]]
    assert texts
    assert all("Kak" in t and "bicara dengan CS" in t for t in texts)


def test_a_complaint_that_cannot_be_stored_gets_an_apology_and_keeps_its_slots(database_url: str) -> None:
    lose_the_complaints_table()
    tracker = form_tracker("complaint_form", None, text="", slots=SLOTS, metadata=WHATSAPP)
    events, messages = run_action(ActionSubmitComplaint(), tracker, render=False)  # as sent to Rasa
    assert messages == [
        {"response": FAILED_RESPONSE, **{k: v for k, v in messages[0].items() if k != "response"}}
    ]
    assert messages[0]["response"] == FAILED_RESPONSE
    assert "text" not in messages[0] or not messages[0]["text"]
    assert events == []  # the form's answers stay: sending again retries


def test_a_form_that_cannot_read_the_database_apologises_too(database_url: str) -> None:
    lose_the_complaints_table()
    tracker = form_tracker("ticket_status_form", None, text="PGD-2612-ABCDE", metadata=WHATSAPP)
    events, messages = run_action(ValidateTicketStatusForm(), tracker)
    assert [m["response"] for m in messages] == [FAILED_RESPONSE]
    assert events == []
