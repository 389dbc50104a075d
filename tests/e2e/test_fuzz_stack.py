"""The nastiest customer messages through the real stack (Rasa's NLU, the policies, the actions and the
services), over REST and WhatsApp: always a polite Indonesian reply, never a 5xx, and the conversation
answers a normal message afterwards."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ops.stack import Stack
from tests.e2e.stack import restarted_with
from tests.e2e.test_whatsapp import WhatsAppChat
from tests.fakes.twilio_api import FakeTwilio
from tests.fuzzing import NASTY_TEXTS, messages, tried

pytestmark = pytest.mark.e2e

# Polite Indonesian from the bot: it addresses the customer as "Kak" or speaks in the shop's voice.
POLITE = re.compile(r"\b(Kak|Kakak|kami|Maaf|Mohon|silakan|Terima kasih)\b", re.IGNORECASE)
senders = itertools.count(1)
WHATSAPP_TEXTS = [t for t in NASTY_TEXTS if len(t) <= 1600 and not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]


def polite(text: str) -> bool:
    return bool(POLITE.search(text))


@pytest.fixture(
    scope="module",
    params=["2026-12-05T21:30:00+07:00", "2026-12-07T09:00:00+07:00"],
    ids=["saturday-night", "weekday-morning"],
)
def cs_clock(request: pytest.FixtureRequest, stack: Stack) -> Iterator[None]:
    """The gateway's calendar pinned (CS closed on a Saturday night, open on a Monday morning): the
    properties below hold whenever the suite runs."""
    with restarted_with(stack, "gateway", {"CLOCK_OVERRIDE": request.param}):
        yield


@pytest.fixture(scope="module")
def one_waits_for_a_human(gateway: httpx.Client, cs_clock: None) -> None:
    """One of the five conversations is in the queue for a human, so the property is also checked while
    the bot stays out of it."""
    response = gateway.post(
        "/webhooks/rest/webhook", json={"sender": "fuzz-e2e-0", "message": "mau bicara sama CS"}
    )
    assert "antrean" in " ".join(r.get("text") or "" for r in response.json())


@settings(max_examples=25)  # per pinned clock
@given(message=st.one_of(st.sampled_from(NASTY_TEXTS), messages()))
def test_rest_through_the_real_bot(gateway: httpx.Client, one_waits_for_a_human: None, message: str) -> None:
    sender = f"fuzz-e2e-{next(senders) % 5}"  # five conversations that carry on across examples
    tried("e2e rest: messages", 2)
    # json.dumps escapes to ASCII, so a lone surrogate travels as "\\ud800" (httpx's json= cannot send it).
    body = json.dumps({"sender": sender, "message": message})
    response = gateway.post(
        "/webhooks/rest/webhook", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (200, 422), response.text
    assert "Traceback" not in response.text
    if response.status_code == 200:
        texts = " ".join(r.get("text") or "" for r in response.json())
        assert polite(texts), texts
    after = gateway.post("/webhooks/rest/webhook", json={"sender": sender, "message": "halo kak"})
    assert after.status_code == 200
    assert polite(" ".join(r.get("text") or "" for r in after.json()))


@settings(max_examples=15)
@given(message=st.sampled_from(WHATSAPP_TEXTS))
def test_whatsapp_through_the_real_bot(
    gateway: httpx.Client, twilio: FakeTwilio, stack_db: None, message: str
) -> None:
    chat = WhatsAppChat(gateway, twilio, "+6281322740915")  # a demo customer with orders: the verified path
    tried("e2e whatsapp: messages")
    replies = chat.say(message)
    assert polite(replies), replies
