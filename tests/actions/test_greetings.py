"""A salam gets its reply, outside a form and inside one; other greetings get the bot's own."""

from __future__ import annotations

import pytest

from actions.greetings import ActionGreet
from actions.orders import ValidateOrderStatusForm
from tests.actions.helpers import domain_text, order_form_tracker, question_tracker, run_action, slot_values


@pytest.mark.parametrize(
    "text",
    ["Assalamualaikum", "assalamu'alaikum kak", "asalamualaikum wr wb", "aslm min", "Ass wr wb", "aslkm"],
)
def test_a_salam_is_answered_with_its_reply(text, database_url):
    _, messages = run_action(ActionGreet(), question_tracker(text, intent="greet"))
    assert messages[0]["text"] == domain_text("utter_greet_salam")
    assert messages[0]["text"].startswith("Wa'alaikumsalam, Kak!")


@pytest.mark.parametrize("text", ["halo kak", "pagi min", "p", "selamat siang", "salam kenal kak"])
def test_other_greetings_get_the_bots_own(text, database_url):
    _, messages = run_action(ActionGreet(), question_tracker(text, intent="greet"))
    assert "Wa'alaikumsalam" not in messages[0]["text"]
    assert messages[0]["text"].startswith("Halo Kak")


def test_a_salam_inside_a_form_is_answered_and_not_taken_as_the_answer(database_url):
    tracker = order_form_tracker(
        text="assalamualaikum", intent="greet", extracted={"order_id": "assalamualaikum"}
    )
    events, messages = run_action(ValidateOrderStatusForm(), tracker)
    assert messages[0]["text"] == "Wa'alaikumsalam, Kak. 🙏"
    assert slot_values(events)["order_id"] is None
