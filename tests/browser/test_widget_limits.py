"""The widget against a gateway with a tight rate limit: a message refused for coming too fast is kept,
the customer is told, and the widget sends it again by itself when the gateway says it may."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Gateway
from tests.browser.test_widget import bot_texts, my_texts, open_widget, say
from tests.conftest import wait_for_rate_window

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

WINDOW = 5
GATEWAY_ENV = {"RATE_LIMIT_PER_SENDER": "1", "RATE_LIMIT_WINDOW_SECONDS": str(WINDOW)}


def test_a_message_refused_as_too_fast_is_resent_by_the_widget_and_answered_once(
    page: Page, gateway: Gateway
):
    open_widget(page, gateway)
    wait_for_rate_window(WINDOW, needed=WINDOW)  # both messages in a window that has just begun
    say(page, "satu")
    expect(bot_texts(page).last).to_have_text("Kamu bilang: satu")
    say(page, "dua")  # the second message in the same window

    expect(page.locator(".log .notice").last).to_contain_text("terlalu cepat")
    expect(bot_texts(page).last).to_have_text("Kamu bilang: dua")  # resent after retry_after, answered
    expect(my_texts(page)).to_have_text(["satu", "dua"])
    expect(page.locator(".log .msg.failed")).to_have_count(0)
    assert gateway.inbound_texts() == ["satu", "dua"]  # stored once
