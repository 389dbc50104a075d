"""WhatsApp end to end: signed Twilio webhooks into the real stack, replies out through the outbox to a local
server playing Twilio's API. The same bot, flows and data as the REST channel; the verified number is the
customer's identity."""

from __future__ import annotations

import re
import secrets
import time

import httpx
import pytest
from sqlalchemy import select

from bot.services.returns import find_return
from bot.store.db import session_scope
from bot.store.models import Message, Outbox
from tests.e2e.stack import WHATSAPP_NUMBER
from tests.fakes.media_server import JPEG, PDF
from tests.fakes.twilio_api import FakeTwilio

pytestmark = pytest.mark.e2e

RETURN = re.compile(r"RTR-\d{4}-[2-9A-HJ-NP-Z]{5}")


class WhatsAppChat:
    """One customer writing from their phone: each message a signed webhook, replies read at the fake
    Twilio once the gateway has answered and the outbox has drained."""

    def __init__(
        self, gateway: httpx.Client, twilio: FakeTwilio, phone: str, public_url: str | None = None
    ) -> None:
        self.gateway, self.twilio, self.phone = gateway, twilio, phone
        # What Twilio signs: the public URL (PUBLIC_BASE_URL), also when the test posts to one process.
        self.public_url = (public_url or str(gateway.base_url)).rstrip("/")

    def say(self, text: str, media: list[tuple[str, str, bytes]] | None = None) -> str:
        """Send, and wait for the bot's replies to this message."""
        sid = self.send(text, media)
        return "\n".join(m.body or "" for m in self.replies_to(sid))

    def send(self, text: str, media: list[tuple[str, str, bytes]] | None = None) -> str:
        """Send one message as Twilio would; its MessageSid."""
        sid = "SM" + secrets.token_hex(16)
        params = {
            "MessageSid": sid,
            "AccountSid": self.twilio.account_sid,
            "From": f"whatsapp:{self.phone}",
            "To": f"whatsapp:{WHATSAPP_NUMBER}",
            "Body": text,
            "NumMedia": str(len(media or [])),
        }
        for i, (name, content_type, body) in enumerate(media or []):
            params[f"MediaUrl{i}"] = self.twilio.add_media(name, content_type, body)
            params[f"MediaContentType{i}"] = content_type
        url = f"{self.public_url}/webhooks/whatsapp"
        response = self.gateway.post(
            "/webhooks/whatsapp", data=params, headers={"X-Twilio-Signature": self.twilio.sign(url, params)}
        )
        assert response.status_code == 200, response.text
        return sid

    def replies_to(self, sid: str, timeout: float = 60.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with session_scope() as session:
                message = session.scalars(select(Message).where(Message.external_id == sid)).one_or_none()
                if message is not None and message.status != "received":
                    rows = session.scalars(
                        select(Outbox).where(
                            Outbox.conversation_id == message.conversation_id, Outbox.message_id > message.id
                        )
                    ).all()
                    if rows and all(r.status == "sent" for r in rows):
                        sids = {r.provider_sid for r in rows}
                        return [m for m in self.twilio.sent if m.sid in sids]
            time.sleep(0.1)
        raise AssertionError(f"no reply to {sid} within {timeout} s")


def test_order_status_over_whatsapp_needs_no_contact_check_from_the_owner(gateway, twilio, stack_db):
    chat = WhatsAppChat(gateway, twilio, "+6281322740915")
    reply = chat.say("kak paket UK-2611-008170 udh dmn ya")
    assert '"Sedang Dikirim"' in reply
    assert "SUB3A26118926979" in reply


def test_someone_else_writing_about_that_order_does_not_see_it(gateway, twilio, stack_db):
    reply = WhatsAppChat(gateway, twilio, "+6281234567890").say("status pesanan UK-2611-008170 gimana")
    assert "SUB3A26118926979" not in reply


def test_a_damaged_goods_return_with_whatsapp_photos(gateway, twilio, stack_db):
    chat = WhatsAppChat(gateway, twilio, "+6281703349218")  # delivered 50 h ago, used by no other test
    items = chat.say("kak barang dr pesanan 261115VXR4WS8P ada yg pecah, mau retur")
    assert "Barang mana yang rusak" in items
    assert "1. Stop Kontak" in items  # buttons as a numbered list
    assert "jumlah barang yang rusak" in chat.say("1")
    assert "foto (atau video) barang yang rusak" in chat.say("2")  # the first message told what broke
    assert "SPJ" in chat.say("", media=[("ME-stopkontak", "image/jpeg", JPEG)])
    done = chat.say("ini resinya", media=[("ME-spj", "application/pdf", PDF)])
    number = RETURN.search(done)
    assert number, done
    with session_scope() as session:
        request = find_return(session, number.group(0))
        assert request.channel == "whatsapp"
        assert (request.quantity_reported, request.item_sku) == (2, "STK-4L-3M")
        assert sorted(e.content_type for e in request.evidence) == ["application/pdf", "image/jpeg"]
