"""Human handoff end to end with the real bot: a customer asks for a person over WhatsApp (signed webhooks)
and over the widget; an agent logs in through the API, claims, replies on the customer's own channel,
hands back to the bot (which answers again) and closes with a summary."""

from __future__ import annotations

import time

import httpx
import pytest

from bot.handoff.desk import CLOSING_GREETING, RETURNED_TO_BOT_TEXT
from bot.ops.stack import Stack
from tests.e2e.test_whatsapp import WhatsAppChat
from tests.e2e.test_widget_chat import WidgetChat
from tests.fakes.twilio_api import FakeTwilio

pytestmark = pytest.mark.e2e


class Agent:
    def __init__(self, stack: Stack, username: str, password: str) -> None:
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{stack.settings.gateway_port}", timeout=30)
        login = self.http.post("/api/agent/login", json={"username": username, "password": password})
        assert login.status_code == 200, login.text
        self.headers = {"X-CSRF-Token": login.json()["csrf_token"]}

    def __enter__(self) -> Agent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def queue(self) -> list[dict]:
        return self.http.get("/api/agent/conversations", params={"view": "queue"}).json()

    def do(self, conversation_id: str, what: str, body: dict | None = None) -> dict:
        response = self.http.post(
            f"/api/agent/conversations/{conversation_id}/{what}", json=body, headers=self.headers
        )
        assert response.status_code == 200, response.text
        return response.json()


def wait_for_body(twilio: FakeTwilio, after: int, predicate) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for message in twilio.sent[after:]:
            if predicate(message.body or ""):
                return message.body or ""
        time.sleep(0.05)
    raise AssertionError("the customer did not receive it")


def test_whatsapp_customer_agent_bot_and_closing(stack, gateway, twilio, stack_db):
    customer = WhatsAppChat(gateway, twilio, "+6281322740915")
    asked = customer.say("tolong sambungkan ke CS manusia")
    assert "sudah kami catat" in asked
    assert "urutan ke-" in asked
    with Agent(stack, "dewi", "dewi-demo-123") as dewi:
        [waiting] = [c for c in dewi.queue() if c["channel"] == "whatsapp"]
        assert waiting["handoff_reason"] == "customer_request"

        before = len(twilio.sent)
        dewi.do(waiting["id"], "claim")
        wait_for_body(twilio, before, lambda b: b.startswith("Kakak sekarang terhubung dengan Dewi"))
        before = len(twilio.sent)
        dewi.do(waiting["id"], "messages", {"text": "Halo Kak Siti, ada yang bisa dibantu?"})
        assert (
            wait_for_body(twilio, before, lambda b: "Kak Siti" in b)
            == "Halo Kak Siti, ada yang bisa dibantu?"
        )

        customer.send("paket saya kapan sampai ya")  # to the agent, not the bot
        deadline = time.monotonic() + 15
        transcript = f"/api/agent/conversations/{waiting['id']}"
        while dewi.http.get(transcript).json()["messages"][-1]["text"] != "paket saya kapan sampai ya":
            assert time.monotonic() < deadline
            time.sleep(0.1)

        before = len(twilio.sent)
        dewi.do(waiting["id"], "release")
        wait_for_body(twilio, before, lambda b: b == RETURNED_TO_BOT_TEXT)
        # the bot answers again, and the verified number still proves the order is theirs
        answered = customer.say("kak paket UK-2611-008170 udh dmn ya")
        assert '"Sedang Dikirim"' in answered

        customer.say("sambungin ke cs lagi dong")
        [again] = [c for c in dewi.queue() if c["id"] == waiting["id"]]
        dewi.do(again["id"], "claim")
        before = len(twilio.sent)
        dewi.do(
            again["id"], "close", {"summary": "Ringkasan: paket dalam perjalanan, resi SUB3A26118926979."}
        )
        closing = wait_for_body(twilio, before, lambda b: b.startswith("Ringkasan:"))
        assert closing.endswith(CLOSING_GREETING)


def test_widget_customer_sees_the_agent_and_gets_the_bot_back(stack, gateway):
    customer = WidgetChat(stack)
    try:
        asked = customer.say("saya mau bicara dengan customer service")
        assert "urutan ke-" in asked
        with Agent(stack, "budi", "budi-demo-123") as budi:
            [waiting] = [c for c in budi.queue() if c["channel"] == "widget"]
            budi.do(waiting["id"], "claim")
            budi.do(waiting["id"], "messages", {"text": "Halo Kak, dengan Budi di sini."})
            frames = customer.frames_until(lambda f: f.get("author") == "agent:budi")
            assert {"type": "state", "state": "with_agent", "agent": "Budi"} in frames
            budi.do(waiting["id"], "release")
            customer.frames_until(lambda f: f.get("type") == "state" and f.get("state") == "bot")
            assert "Halo Kak" in customer.say("halo kak")  # the bot's greeting again
    finally:
        customer.socket.close()
