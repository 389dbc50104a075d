"""Scale-out mode: nginx, two gateways, two Rasa servers and two action servers on PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import yaml
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.config import PROJECT_ROOT
from bot.ops.scaled import ScaledStack
from bot.store import db
from bot.store.models import Conversation, Message, Outbox
from tests.conftest import throwaway_postgres
from tests.e2e.conftest import API_TOKEN
from tests.e2e.stack import NoModel, throwaway_scaled_stack
from tests.e2e.test_conversations import Chat
from tests.e2e.test_whatsapp import WhatsAppChat
from tests.fakes.twilio_api import FakeTwilio

# Its own stack, not the session's: a worker group of its own runs it beside the shared stack's tests
# (tests/conftest.py), instead of adding its ~50 s to that worker's queue.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("scaled")]

TICKET = re.compile(r"PGD-\d{4}-[2-9A-HJ-NP-Z]{5}")


@pytest.fixture(scope="module")
def scaled(
    tmp_path_factory: pytest.TempPathFactory, twilio: FakeTwilio, redis_url: str
) -> Iterator[ScaledStack]:
    with throwaway_postgres() as database_url:
        try:
            stack = throwaway_scaled_stack(
                tmp_path_factory.mktemp("scaled"),
                twilio,
                database_url=database_url,
                redis_url=redis_url,
                redis_prefix=f"test-{secrets.token_hex(6)}:",  # parallel runs on one Redis stay apart
                gateway_api_token=SecretStr(API_TOKEN),
                pending_sweep_seconds=2.0,
                outbox_poll_seconds=0.5,
            )
        except NoModel as exc:
            pytest.fail(str(exc))
        try:
            stack.start(timeout=300)
            yield stack
        finally:
            stack.stop()


@pytest.fixture(scope="module")
def engine(scaled: ScaledStack) -> Iterator[Engine]:
    engine = db.make_engine(scaled.settings.database_url)
    yield engine
    engine.dispose()


def client_for(port: int) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)


def dev_questions(count: int) -> list[str]:
    dev = yaml.safe_load((PROJECT_ROOT / "tests/knowledge/data/dev_set.yml").read_text())
    return [q["question"] for q in dev["answerable"]][:count]


def test_a_ticket_filed_through_one_gateway_is_seen_through_the_other(scaled: ScaledStack) -> None:
    one, two = scaled.ports["gateway"]
    with client_for(one) as first, client_for(two) as second:
        chat = Chat(first)
        chat.say("saya mau komplain kak")
        chat.say("Rina Wulandari")
        chat.say("0812-3450-0077")
        chat.say("tidak ada")
        reply = chat.say("refund saya belum masuk sudah 3 minggu padahal pesanannya dibatalkan penjual")
        number = TICKET.search(reply).group(0)  # type: ignore[union-attr]

        status = Chat(second)
        status.say(f"status tiket {number} gimana ya")
        assert number in status.say("081234500077")
        bearer = {"Authorization": f"Bearer {API_TOKEN}"}
        staff = second.get(f"/api/agent/complaints/{number}", headers=bearer)
        assert staff.status_code == 200
        assert staff.json()["customer_name"] == "Rina Wulandari"


def test_two_customers_at_once_keep_their_own_conversations_in_order(
    scaled: ScaledStack, engine: Engine
) -> None:
    questions = dev_questions(8)
    customers = {"ani-" + secrets.token_hex(3): questions[:4], "budi-" + secrets.token_hex(3): questions[4:]}

    async def customer(client: httpx.AsyncClient, sender: str, texts: list[str]) -> list[httpx.Response]:
        sending = []
        for i, text in enumerate(texts):  # one after another, without waiting for the answers
            body = {"sender": sender, "message": text, "message_id": f"{sender}-{i}"}
            sending.append(asyncio.create_task(client.post("/webhooks/rest/webhook", json=body)))
            await asyncio.sleep(0.1)
        return await asyncio.gather(*sending)

    async def both() -> list[list[httpx.Response]]:
        async with httpx.AsyncClient(base_url=scaled.public_url, timeout=120) as client:
            return await asyncio.gather(*(customer(client, s, t) for s, t in customers.items()))

    responses = dict(zip(customers, asyncio.run(both()), strict=True))
    with Session(engine) as session, httpx.Client(timeout=30) as rasa:
        for sender, texts in customers.items():
            conversation = _conversation(session, sender)
            inbound = [m for m in conversation.messages if m.direction == "in"]
            # Stored once each. Requests fired 0.1 s apart on separate connections may reach the two
            # gateways in either order (HTTP promises none), so the stored order is the conversation's order.
            assert sorted(m.text for m in inbound) == sorted(texts)
            stored_order = [m.text for m in inbound]
            answered_after = 0
            for message in inbound:
                response = responses[sender][int(str(message.external_id).rsplit("-", 1)[1])]  # its own call
                assert response.status_code == 200, response.text
                replies = [m for m in conversation.messages if m.reply_to_id == message.id]
                assert replies, f"{message.text!r} has no reply"
                # Each caller got the replies to its own message, and turns were answered one by one.
                assert [r["text"] for r in response.json()] == [r.text for r in replies]
                assert min(r.id for r in replies) > answered_after
                answered_after = max(r.id for r in replies)
            tracker_url = f"{scaled.settings.rasa_base_url}/conversations/{conversation.public_id}/tracker"
            tracker = rasa.get(tracker_url)
            heard = [e["text"] for e in tracker.json()["events"] if e["event"] == "user"]
            assert heard == stored_order  # Rasa (either server) processed them in the stored order


def _conversation(session: Session, external_id: str) -> Conversation:
    return session.scalars(select(Conversation).where(Conversation.external_id == external_id)).one()


def _wait_for_outbox(engine: Engine, address: str) -> int:
    """How many outbox rows the conversation has, once every one of them is sent."""
    deadline = time.monotonic() + 60
    while True:
        with Session(engine) as session:
            statuses = session.scalars(select(Outbox.status).where(Outbox.to_address == address)).all()
        if statuses and set(statuses) == {"sent"}:
            return len(statuses)
        assert time.monotonic() < deadline, f"outbox rows not all sent: {statuses}"
        time.sleep(0.5)


def _kill(stack: ScaledStack, name: str) -> None:
    process = stack.services[name].process
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)  # no shutdown: whatever it held in memory is gone
    process.wait()


def _inbound_statuses(engine: Engine, external_id: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(Message.status)
                .join(Conversation)
                .where(Conversation.external_id == external_id, Message.direction == "in")
                .order_by(Message.id)
            )
        )


def test_killing_a_gateway_mid_run_loses_no_message(
    scaled: ScaledStack, engine: Engine, twilio: FakeTwilio
) -> None:
    one = scaled.ports["gateway"][0]
    phone = "+62813" + str(secrets.randbelow(10**7)).zfill(7)
    sender = "tahan-" + secrets.token_hex(3)
    texts = dev_questions(4)
    bodies = [{"sender": sender, "message": t, "message_id": f"{sender}-{i}"} for i, t in enumerate(texts)]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{one}", timeout=60) as direct:
            # Gateway 1 takes a burst of WhatsApp messages (stored at once, answered one by one) ...
            whatsapp = WhatsAppChat(direct, twilio, phone, public_url=scaled.public_url)
            for text in dev_questions(6):
                whatsapp.send(text)
            # ... and a REST message, and is killed as soon as that message is stored.
            cut_off = threading.Thread(target=_post_ignoring_errors, args=(direct, bodies[0]))
            cut_off.start()
            _wait_until(lambda: _inbound_statuses(engine, sender) != [])
            _kill(scaled, "gateway-1")
            cut_off.join(30)
        assert "received" in _inbound_statuses(engine, f"whatsapp:{phone}")  # the dead one left work behind

        with httpx.Client(base_url=scaled.public_url, timeout=60) as public:
            # The customer's app retries the failed call with the same id, then goes on; nginx sends
            # everything to gateway 2 now.
            responses = [public.post("/webhooks/rest/webhook", json=body) for body in bodies]
        assert [r.status_code for r in responses] == [200] * len(bodies)
        with Session(engine) as session:
            conversation = _conversation(session, sender)
            inbound = [m for m in conversation.messages if m.direction == "in"]
            assert [m.text for m in inbound] == texts  # each stored once, in order
            for message, response in zip(inbound, responses, strict=True):
                assert message.status == "answered"
                replies = [m.text for m in conversation.messages if m.reply_to_id == message.id]
                assert replies
                assert [r["text"] for r in response.json()] == replies

        # Gateway 2's sweep answers what gateway 1 had stored and not answered.
        _wait_until(lambda: _inbound_statuses(engine, f"whatsapp:{phone}") == ["answered"] * 6, timeout=120)
        rows = _wait_for_outbox(engine, f"whatsapp:{phone}")
        # Every reply part reached Twilio (at least once: a send cut off by the kill may go out again).
        assert len([m for m in twilio.sent if m.to == f"whatsapp:{phone}"]) >= rows
    finally:
        scaled.stop_service("gateway-1")
        scaled.start_service("gateway-1")


def _post_ignoring_errors(client: httpx.Client, body: dict[str, str]) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the process answering it is killed
        client.post("/webhooks/rest/webhook", json=body)


def _wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
