"""Several gateway processes share one outbox on PostgreSQL: every row goes out once, each conversation's
rows in order, and the periodic jobs run one round at a time."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from datetime import timedelta

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.channels.twilio_api import TwilioSender
from bot.channels.whatsapp_outbox import OutboxWorker
from bot.config import Settings
from bot.store import db
from bot.store.models import Conversation, Message, Outbox, OutboxStatus, utcnow
from tests.fakes.twilio_api import FakeTwilio

CONVERSATIONS, PARTS = 6, 5


def _queue_replies() -> None:
    with db.session_scope() as session:
        for c in range(CONVERSATIONS):
            conversation = Conversation(channel="whatsapp", external_id=f"whatsapp:+62812000000{c}")
            session.add(conversation)
            session.flush()
            message = Message(
                conversation_id=conversation.id, direction="out", author="bot", text="x", status="sent"
            )
            session.add(message)
            session.flush()
            for part in range(1, PARTS + 1):
                session.add(
                    Outbox(
                        conversation_id=conversation.id,
                        message_id=message.id,
                        part=part,
                        to_address=conversation.external_id,
                        from_address="whatsapp:+14155238886",
                        body=f"c{c}-p{part}",
                    )
                )


def _settings(database_url: str, twilio: FakeTwilio) -> Settings:
    return Settings(
        database_url=database_url,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=SecretStr(twilio.auth_token),
        twilio_api_base_url=twilio.url,
    )


def test_two_senders_send_every_row_once_and_each_conversation_in_order(postgres_url: str) -> None:
    _queue_replies()
    with FakeTwilio(delay=0.03).running() as twilio:
        settings = _settings(postgres_url, twilio)

        def gateway_process() -> None:  # its own engine, as a separate process would have
            engine = db.make_engine(postgres_url)
            worker = OutboxWorker(sessionmaker(engine), TwilioSender(settings), settings)
            asyncio.run(worker.drain())
            engine.dispose()

        senders = [threading.Thread(target=gateway_process) for _ in range(2)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(60)
        bodies = [m.body for m in twilio.sent]
    assert sorted(bodies) == sorted(f"c{c}-p{p}" for c in range(CONVERSATIONS) for p in range(1, PARTS + 1))
    per_conversation: defaultdict[str, list[str]] = defaultdict(list)
    for body in bodies:
        per_conversation[body.split("-")[0]].append(body)
    for parts in per_conversation.values():
        assert parts == sorted(parts, key=lambda b: int(b.split("-p")[1]))
    with db.session_scope() as session:
        assert set(session.scalars(select(Outbox.status))) == {OutboxStatus.sent}


def test_a_row_waiting_for_its_retry_holds_back_its_conversation_only(postgres_url: str) -> None:
    _queue_replies()
    with db.session_scope() as session:
        first = session.scalars(select(Outbox).order_by(Outbox.id)).first()
        assert first is not None
        first.next_attempt_at = utcnow() + timedelta(minutes=5)  # a failed send, retried later
        held = first.conversation_id
    with FakeTwilio().running() as twilio:
        settings = _settings(postgres_url, twilio)
        worker = OutboxWorker(db.get_sessionmaker(), TwilioSender(settings), settings)
        sent = asyncio.run(worker.drain())
    assert sent == (CONVERSATIONS - 1) * PARTS
    with db.session_scope() as session:
        pending = session.scalars(select(Outbox.conversation_id).where(Outbox.status == "pending")).all()
    assert pending == [held] * PARTS


def test_a_periodic_job_runs_in_one_process_at_a_time(postgres_url: str) -> None:
    engine = db.make_engine(postgres_url)
    try:
        with sessionmaker(engine).begin() as one, sessionmaker(engine).begin() as two:
            assert db.job_lock(one, "queue_reminders")
            assert not db.job_lock(two, "queue_reminders")  # the other process skips this round
            assert db.job_lock(two, "complaint_deadlines")  # another job is not blocked
        with sessionmaker(engine).begin() as three:
            assert db.job_lock(three, "queue_reminders")  # released with the first transaction
    finally:
        engine.dispose()
