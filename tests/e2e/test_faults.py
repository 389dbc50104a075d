"""Faults injected into the real stack: a process stopped mid-conversation, the database write-locked, Twilio
down across a gateway restart, every process restarted mid-handoff, the order system down or talking
nonsense. Each time the customer gets a polite Indonesian reply (or, where nothing could be stored, a 503
with an apology and Retry-After), the message is in the database, /health names the failing dependency,
and the work goes on once the dependency is back.

Faults injected (one per stop, lock or bad answer): 11. Tests in this file run after each other on the
session's stack and leave it as they found it (every process up, every fake healthy)."""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from bot.conversations.texts import BOT_UNAVAILABLE_TEXT, STORAGE_UNAVAILABLE_TEXT
from bot.store.db import session_scope
from bot.store.models import Conversation, Message, Outbox, utcnow
from tests.e2e.stack import stopped
from tests.e2e.test_conversations import ORDER, OWNER_PHONE, RESI, Chat
from tests.e2e.test_handoff import Agent, wait_for_body
from tests.e2e.test_restarts import restart_everything
from tests.e2e.test_whatsapp import WhatsAppChat
from tests.fakes.order_system import FakeOrderSystem
from tests.fakes.twilio_api import FakeTwilio

pytestmark = pytest.mark.e2e

ORDER_SYSTEM_DOWN = "sistem pesanan kami sedang tidak bisa diakses"
# bot/store/db.py lets an SQLite writer wait 15 s for a lock; held longer, the write fails.
SQLITE_BUSY_TIMEOUT = 15.0


def post(gateway: httpx.Client, sender: str, text: str, message_id: str) -> httpx.Response:
    return gateway.post(
        "/webhooks/rest/webhook", json={"sender": sender, "message": text, "message_id": message_id}
    )


def texts(response: httpx.Response) -> str:
    return "\n".join(r.get("text") or "" for r in response.json())


def stored(message_id: str) -> list[Message]:
    """The customer messages stored under a client's message id."""
    with session_scope() as session:
        return list(session.scalars(select(Message).where(Message.external_id == message_id)))


def public_id(external_id: str) -> str:
    with session_scope() as session:
        return session.scalars(
            select(Conversation.public_id).where(Conversation.external_id == external_id)
        ).one()


def new_phone() -> str:
    return f"+62812{secrets.randbelow(9_000_000) + 1_000_000}"


def new_id() -> str:
    return f"faults-{secrets.token_hex(6)}"


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)


@contextmanager
def write_locked(database_url: str, release_after: float | None = None) -> Iterator[None]:
    """Another connection holds SQLite's write lock (a long migration, a stuck batch job, a backup) from
    entry until release_after seconds have passed or the block ends, whichever comes first. Readers go on
    (WAL); writers wait for it."""
    path = make_url(database_url).database
    assert path, f"not an SQLite file: {database_url}"
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            connection.execute("BEGIN EXCLUSIVE")
            locked.set()
            release.wait(release_after)
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert locked.wait(30), "could not take the write lock"
    try:
        yield
    finally:
        release.set()
        holder.join(30)


def test_action_server_down_mid_conversation_gets_an_apology_and_the_retry_goes_on(gateway, stack, stack_db):
    chat = Chat(gateway)
    assert "nomor pesanan" in chat.say("halo kak, pesanan sy udh smpe mana ya")
    message_id = new_id()

    with stopped(stack, "actions"):
        down = post(gateway, chat.sender, ORDER, message_id)
        assert down.status_code == 503, down.text
        assert down.headers["Retry-After"] == "30"
        # not "I did not understand": the customer did nothing wrong, and is asked to come back
        assert texts(down) == BOT_UNAVAILABLE_TEXT
        [kept] = stored(message_id)
        assert (kept.text, kept.status) == (ORDER, "bot_unavailable")
        health = gateway.get("/health").json()
        assert health["status"] == "degraded"
        assert health["dependencies"]["actions"]["ok"] is False
        assert health["dependencies"]["rasa"]["ok"] is True
        assert health["dependencies"]["db"]["ok"] is True

    assert gateway.get("/health").json()["dependencies"]["actions"]["ok"] is True
    retried = post(gateway, chat.sender, ORDER, message_id)  # as Retry-After asked
    assert retried.status_code == 200, retried.text
    assert "nomor HP atau e-mail" in texts(retried)  # the form goes on where it was
    [kept] = stored(message_id)
    assert kept.status == "answered"
    reply = chat.say("0813-2274-0915")
    assert '"Sedang Dikirim"' in reply
    assert RESI in reply


def test_a_write_locked_database_delays_then_refuses_politely_and_the_retry_is_stored_once(
    gateway, stack, stack_db, twilio: FakeTwilio
):
    database_url = stack.settings.database_url
    chat = Chat(gateway)

    # A lock shorter than the writers' patience: the customer only waits.
    first = new_id()
    started = time.monotonic()
    with write_locked(database_url, release_after=3.0):
        slow = post(gateway, chat.sender, "halo kak", first)
    assert time.monotonic() - started >= 2.5  # the message did wait for the lock
    assert slow.status_code == 200, slow.text
    assert "Halo Kak" in texts(slow)
    assert [m.status for m in stored(first)] == ["answered"]

    # Held past it: nothing can be stored, and the customer is told so and asked to resend.
    second = new_id()
    with write_locked(database_url):
        started = time.monotonic()
        refused = post(gateway, chat.sender, "kak mau tanya cara bayar pakai dana", second)
        assert time.monotonic() - started >= SQLITE_BUSY_TIMEOUT - 1  # it waited as long as writers do
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "30"
        assert texts(refused) == STORAGE_UNAVAILABLE_TEXT
        health = gateway.get("/health", timeout=5)  # answers while writes wait, and says why
        assert health.json()["dependencies"]["db"] == {"ok": False, "error": "write-locked"}
    assert stored(second) == []  # honest: the apology did not claim it was kept

    # Twilio will not resend a webhook: the gateway keeps the message and stores it once writes work again.
    whatsapp = WhatsAppChat(gateway, twilio, new_phone())
    with write_locked(database_url, release_after=SQLITE_BUSY_TIMEOUT + 3):
        sid = whatsapp.send("halo kak, sudah buka?")  # 200 after waiting out the writers' patience
        assert stored(sid) == []
    assert "Halo Kak" in "\n".join(m.body or "" for m in whatsapp.replies_to(sid))

    retried = post(gateway, chat.sender, "kak mau tanya cara bayar pakai dana", second)
    assert retried.status_code == 200, retried.text
    assert texts(retried)
    assert [m.status for m in stored(second)] == ["answered"]
    assert post(gateway, chat.sender, "kak mau tanya cara bayar pakai dana", second).json() == retried.json()
    # the background senders lived through the lock: WhatsApp is answered and delivered
    assert "Halo Kak" in WhatsAppChat(gateway, twilio, new_phone()).say("halo kak")


def test_twilio_down_across_a_gateway_restart_delivers_the_reply_once_when_it_is_back(
    gateway, stack, stack_db, twilio: FakeTwilio
):
    customer = WhatsAppChat(gateway, twilio, new_phone())
    refused_before = twilio.refused
    twilio.down = True
    try:
        sid = customer.send("halo kak")
        wait_until(lambda: twilio.refused > refused_before, what="a send refused by Twilio")
        [kept] = stored(sid)
        assert kept.status == "answered"  # the bot answered; only the delivery waits
        with session_scope() as session:
            reply_rows = select(Outbox).where(Outbox.message_id > kept.id, Outbox.status == "pending")
            [row] = session.scalars(reply_rows)
            assert "503" in (row.last_error or "")
            # as if the outage had lasted ten minutes: /health must name it
            session.execute(
                update(Outbox).where(Outbox.id == row.id).values(created_at=utcnow() - timedelta(minutes=10))
            )
        whatsapp = gateway.get("/health").json()["dependencies"]["whatsapp"]
        assert whatsapp["ok"] is False
        assert whatsapp["pending"] >= 1
        # the sender that was retrying dies; the row is all that is left
        with stopped(stack, "gateway"), pytest.raises(httpx.ConnectError):
            gateway.get("/health")
    finally:
        twilio.down = False
    to = f"whatsapp:{customer.phone}"
    wait_until(lambda: any(m.to == to for m in twilio.sent), what="the delivery")
    time.sleep(1.0)  # a second delivery would come within the sender's next polls (0.5 s)
    delivered = [m for m in twilio.sent if m.to == to]
    assert len(delivered) == 1
    assert "Halo Kak" in (delivered[0].body or "")
    with session_scope() as session:
        assert session.scalars(select(Outbox.status).where(Outbox.message_id > kept.id)).all() == ["sent"]
    assert gateway.get("/health").json()["dependencies"]["whatsapp"]["ok"] is True


def test_every_process_restarted_mid_handoff_keeps_the_queue_the_agent_and_the_transcript(
    gateway, stack, stack_db, twilio: FakeTwilio
):
    holding = WhatsAppChat(gateway, twilio, new_phone())  # will be with an agent
    assert "urutan ke-" in holding.say("tolong sambungkan ke CS manusia")
    first, second = Chat(gateway), Chat(gateway)  # will wait in the queue, in this order
    assert "sudah kami catat" in first.say("tolong sambungkan ke CS manusia")
    assert "sudah kami catat" in second.say("saya mau bicara dengan customer service")
    held = public_id(f"whatsapp:{holding.phone}")
    waiting = [public_id(first.sender), public_id(second.sender)]

    with Agent(stack, "dewi", "dewi-demo-123") as dewi:
        before = len(twilio.sent)
        dewi.do(held, "claim")
        dewi.do(held, "messages", {"text": "Halo Kak, dengan Dewi. Ada kendala apa?"})
        wait_for_body(twilio, before, lambda b: b == "Halo Kak, dengan Dewi. Ada kendala apa?")
        holding.send("paket saya belum sampai kak")
        transcript = f"/api/agent/conversations/{held}"
        wait_until(
            lambda: dewi.http.get(transcript).json()["messages"][-1]["text"] == "paket saya belum sampai kak",
            what="the customer's message in the transcript",
        )
        said_before = [m["text"] for m in dewi.http.get(transcript).json()["messages"]]
        queue_before = {c["id"]: c["waiting_since"] for c in dewi.queue() if c["id"] in waiting}

        restart_everything(stack)

        assert dewi.http.get("/api/agent/me").status_code == 200  # the console's session survived
        queue = [c for c in dewi.queue() if c["id"] in waiting]
        assert [c["id"] for c in queue] == waiting  # same customers, same order, same wait
        assert {c["id"]: c["waiting_since"] for c in queue} == queue_before
        mine_view = dewi.http.get("/api/agent/conversations", params={"view": "mine"}).json()
        [mine] = [c for c in mine_view if c["id"] == held]
        assert (mine["id"], mine["state"], mine["agent"]) == (held, "with_agent", "dewi")
        said_after = [m["text"] for m in dewi.http.get(transcript).json()["messages"]]
        assert said_after[: len(said_before)] == said_before  # nothing lost

        # The customers' next messages go to the humans, not to the bot.
        after = len(twilio.sent)
        sid = holding.send("halo mbak, masih di sana?")
        wait_until(lambda: [m.status for m in stored(sid)] == ["for_agent"], what="the message for the agent")
        assert dewi.http.get(transcript).json()["messages"][-1]["text"] == "halo mbak, masih di sana?"
        queued_id = new_id()
        queued = post(gateway, first.sender, "kak saya masih nunggu ya", queued_id)
        assert queued.status_code == 200
        [ack] = queued.json()  # still waiting: told the message reaches CS, nothing from the bot
        assert "akan dibaca oleh CS" in ack["text"]
        assert [m.status for m in stored(queued_id)] == ["for_agent"]

        # The agent goes on: a reply reaches WhatsApp through the new gateway, the queue is worked.
        dewi.do(held, "messages", {"text": "Masih, Kak. Saya cek dulu ya."})
        wait_for_body(twilio, after, lambda b: b.startswith("Masih, Kak"))
        assert [m.body for m in twilio.sent[after:]] == ["Masih, Kak. Saya cek dulu ya."]  # no bot reply
        dewi.do(waiting[0], "claim")
        for conversation in (held, waiting[0]):
            dewi.do(conversation, "close", {"summary": "Ringkasan: uji gangguan selesai."})
        with Agent(stack, "sari", "sari-demo-123") as sari:
            sari.do(waiting[1], "claim")
            sari.do(waiting[1], "close", {"summary": "Ringkasan: uji gangguan selesai."})


@pytest.mark.parametrize("fault", ["wrong_shape", "naive_times", "stopped"])
def test_an_order_system_down_or_talking_nonsense_gets_an_apology_and_a_later_try_works(
    gateway, stack_db, fresh: FakeOrderSystem, fault: str
):
    chat = Chat(gateway, metadata={"verified_phone": OWNER_PHONE}, trusted=True)
    message_id = new_id()
    body = {"sender": chat.sender, "message": f"status pesanan {ORDER} gimana kak", "message_id": message_id}
    headers = chat.headers
    if fault == "stopped":
        with fresh.stopped():
            response = gateway.post("/webhooks/rest/webhook", json=body, headers=headers)
    else:
        fresh.behaviour[ORDER] = fault
        response = gateway.post("/webhooks/rest/webhook", json=body, headers=headers)
        fresh.behaviour.clear()
    assert response.status_code == 200, response.text
    assert ORDER_SYSTEM_DOWN in texts(response)
    assert RESI not in texts(response)
    assert [m.status for m in stored(message_id)] == ["answered"]
    again = Chat(gateway, metadata={"verified_phone": OWNER_PHONE}, trusted=True)
    assert RESI in again.say(f"status pesanan {ORDER} gimana kak")
