"""Turns through the router's public methods, with the bot played by a scripted stand-in (Rasa is the edge
of the world here): a message in, replies and database rows out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversations.rasa import ActionServerDown, RasaUnavailable
from bot.conversations.texts import (
    BOT_UNAVAILABLE_TEXT,
    CREDENTIAL_WARNING_TEXT,
    EMPTY_MESSAGE_TEXT,
    NO_REPLY_TEXT,
)
from bot.conversations.turns import ConversationRouter
from bot.conversations.types import AnswerWith, Inbound, LeaveUnanswered, Reply
from bot.store.db import get_sessionmaker
from bot.store.models import Conversation, ConversationEvent, ConversationState, Message, MessageStatus


class ScriptedBot:
    """Answers each message with what `script` returns for its text (or raises what it returns)."""

    def __init__(self, script: Callable[[str], list[Reply] | Exception]) -> None:
        self.script = script
        self.heard: list[tuple[str, str, dict[str, Any]]] = []

    async def replies(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[Reply]:
        self.heard.append((conversation_id, text, metadata))
        result = self.script(text)
        if isinstance(result, Exception):
            raise result
        return result


class RecordingOutlet:
    def __init__(self) -> None:
        self.staged: list[int] = []
        self.delivered_views: list[dict[str, Any]] = []
        self.states: list[str] = []

    def stage(self, session: Session, conversation: Conversation, message: Message, reply: Reply) -> None:
        self.staged.append(message.id)

    async def delivered(self, conversation_id: str, messages: Sequence[dict[str, Any]]) -> None:
        self.delivered_views.extend(messages)

    async def state_changed(self, conversation_id: str, state: str, agent: str | None) -> None:
        self.states.append(state)


def echo(text: str) -> list[Reply] | Exception:
    return [Reply(text=f"kamu bilang: {text}")]


@pytest.fixture
def make_router(database_url: str) -> Callable[[ScriptedBot], ConversationRouter]:
    def make(bot: ScriptedBot) -> ConversationRouter:
        return ConversationRouter(get_sessionmaker(), bot, Settings(database_url=database_url))

    return make


def run(coro: Awaitable[Any]) -> Any:
    async def main() -> Any:
        return await coro

    return asyncio.run(main())


def rows(conversation_id: str) -> list[Message]:
    with get_sessionmaker()() as session:
        return list(
            session.scalars(
                select(Message)
                .join(Conversation)
                .where(Conversation.public_id == conversation_id)
                .order_by(Message.id)
            )
        )


def inbound(text: str, **kwargs: Any) -> Inbound:
    return Inbound(channel="rest", external_id="pelanggan-1", text=text, **kwargs)


def test_a_message_is_stored_then_answered_by_the_bot_and_the_replies_point_at_it(make_router):
    bot = ScriptedBot(echo)
    result = run(make_router(bot).handle_customer_message(inbound("halo", metadata={"channel": "rest"})))
    assert [r.text for r in result.replies] == ["kamu bilang: halo"]
    assert result.bot_available
    [question, answer] = rows(result.conversation_id)
    assert (question.author, question.status, question.text) == ("customer", MessageStatus.answered, "halo")
    assert (answer.author, answer.reply_to_id, answer.text) == ("bot", question.id, "kamu bilang: halo")
    assert bot.heard == [(result.conversation_id, "halo", {"channel": "rest"})]


def test_a_bot_that_says_nothing_still_leaves_the_customer_an_answer(make_router):
    result = run(make_router(ScriptedBot(lambda text: [])).handle_customer_message(inbound("hmm")))
    assert [r.text for r in result.replies] == [NO_REPLY_TEXT]


@pytest.mark.parametrize("outage", [RasaUnavailable("down"), ActionServerDown("actions down")])
def test_an_outage_keeps_the_message_apologises_and_a_resend_is_answered_once(make_router, outage):
    answers: list[Reply] | Exception = outage
    bot = ScriptedBot(lambda text: answers)
    router = make_router(bot)
    first = run(router.handle_customer_message(inbound("cek pesanan", message_key="m-1")))
    assert [r.text for r in first.replies] == [BOT_UNAVAILABLE_TEXT]
    assert not first.bot_available
    [message, apology] = rows(first.conversation_id)
    assert message.status == MessageStatus.bot_unavailable
    assert apology.author == "system"
    with get_sessionmaker()() as session:
        assert session.scalar(
            select(ConversationEvent.kind).where(ConversationEvent.kind == "bot_unavailable")
        )

    answers = [Reply(text="pesanan Kakak sedang dikirim")]
    again = run(router.handle_customer_message(inbound("cek pesanan", message_key="m-1")))
    assert [r.text for r in again.replies] == ["pesanan Kakak sedang dikirim"]
    assert again.bot_available
    assert [m.text for m in rows(first.conversation_id)].count("cek pesanan") == 1


@pytest.mark.parametrize(
    ("instead", "replies"),
    [
        (
            AnswerWith("Terima kasih, lokasinya sudah kami terima."),
            ["Terima kasih, lokasinya sudah kami terima."],
        ),
        (LeaveUnanswered(), []),
    ],
)
def test_what_the_gateway_answers_itself_never_reaches_the_bot(make_router, instead, replies):
    bot = ScriptedBot(echo)
    result = run(make_router(bot).handle_customer_message(inbound("-", instead=instead)))
    assert [r.text for r in result.replies] == replies
    assert bot.heard == []
    assert rows(result.conversation_id)[0].status == MessageStatus.declined


def test_a_blank_message_is_asked_again_without_the_bot(make_router):
    bot = ScriptedBot(echo)
    result = run(make_router(bot).handle_customer_message(inbound("  \u0000 ")))
    assert [r.text for r in result.replies] == [EMPTY_MESSAGE_TEXT]
    assert bot.heard == []


def test_a_shared_otp_is_censored_before_it_is_stored_or_sent_and_the_customer_is_warned(make_router):
    bot = ScriptedBot(echo)
    result = run(make_router(bot).handle_customer_message(inbound("kode otp saya 482913")))
    assert result.replies[0].text == CREDENTIAL_WARNING_TEXT
    assert "482913" not in rows(result.conversation_id)[0].text
    assert "482913" not in bot.heard[0][1]


def test_a_picked_button_reaches_the_bot_as_its_payload(make_router):
    bot = ScriptedBot(
        lambda text: (
            [Reply(text="Pilih ya Kak", buttons=[{"title": "Cek pesanan", "payload": "/check_order_status"}])]
            if text == "menu"
            else [Reply(text=text)]
        )
    )
    router = make_router(bot)
    run(router.handle_customer_message(inbound("menu")))
    result = run(router.handle_customer_message(inbound("cek pesanan.")))
    assert [r.text for r in result.replies] == ["/check_order_status"]


def test_a_later_message_is_answered_only_after_the_older_pending_one(make_router):
    bot = ScriptedBot(echo)
    router = make_router(bot)

    async def scenario() -> list[str]:
        older = await router.receive(inbound("pertama"))
        newer = await router.receive(inbound("kedua"))
        result = await router.answer(newer)
        assert [r.text for r in result.replies] == ["kamu bilang: kedua"]
        return [m.status for m in rows(older.conversation_id) if m.author == "customer"]

    assert run(scenario()) == [MessageStatus.answered, MessageStatus.answered]
    assert [text for _, text, _ in bot.heard] == ["pertama", "kedua"]


def test_a_handoff_request_queues_the_conversation_and_the_bot_then_stays_silent(make_router):
    bot = ScriptedBot(lambda text: [Reply(custom={"handoff": {"reason": "customer_request"}})])
    router = make_router(bot)
    outlet = RecordingOutlet()
    router.add_outlet("rest", outlet)
    first = run(router.handle_customer_message(inbound("mau bicara dengan CS")))
    [told] = first.replies
    assert told.text
    assert not told.custom
    with get_sessionmaker()() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.state == ConversationState.waiting_agent
    assert outlet.states == [ConversationState.waiting_agent]
    assert [v["text"] for v in outlet.delivered_views] == [told.text]
    assert len(outlet.staged) == 1

    run(router.handle_customer_message(inbound("halo? masih lama?")))
    assert len(bot.heard) == 1  # a human has it now
    statuses = [m.status for m in rows(first.conversation_id) if m.author == "customer"]
    assert statuses[-1] in (MessageStatus.for_agent, MessageStatus.answered)


def test_the_pending_conversations_of_push_channels_are_found_after_a_restart(make_router):
    router = make_router(ScriptedBot(echo))
    router.add_outlet("whatsapp", RecordingOutlet())
    stored = run(
        router.receive(Inbound(channel="whatsapp", external_id="whatsapp:+6281200000001", text="halo"))
    )
    run(router.receive(inbound("halo lewat REST")))  # REST callers wait for their answer themselves
    assert router.pending_conversations() == [stored.conversation_id]
    run(router.answer_pending(stored.conversation_id))
    assert router.pending_conversations() == []


def test_the_caller_gets_the_replies_as_stored_and_a_repeated_delivery_gets_the_same(make_router):
    buttons = [{"title": "Cek pesanan", "payload": "/check_order_status"}]
    bot = ScriptedBot(
        lambda text: [
            Reply(text="Baik Kak, ada lagi?", buttons=buttons),
            Reply(custom={"handoff": {"reason": "customer_request"}}),
        ]
    )
    router = make_router(bot)
    first = run(router.handle_customer_message(inbound("tolong sambungkan ke CS", message_key="k-1")))
    stored = [Reply.stored(m) for m in rows(first.conversation_id) if m.author != "customer"]
    assert first.replies == stored
    assert first.replies[0].buttons == buttons
    assert first.replies[1].custom is None  # the desk's answer, not the request for a human
    assert first.replies[1].text

    again = run(router.handle_customer_message(inbound("tolong sambungkan ke CS", message_key="k-1")))
    assert again.replies == first.replies
    assert len(bot.heard) == 1


def test_several_replies_are_stored_staged_and_returned_in_the_order_the_bot_gave_them(make_router):
    texts = ["satu", "dua", "tiga", "empat"]
    router = make_router(ScriptedBot(lambda text: [Reply(text=t) for t in texts]))
    outlet = RecordingOutlet()
    router.add_outlet("rest", outlet)
    result = run(router.handle_customer_message(inbound("halo")))
    answers = [m for m in rows(result.conversation_id) if m.author == "bot"]  # in id order
    assert [m.text for m in answers] == texts
    assert outlet.staged == [m.id for m in answers]
    assert [r.text for r in result.replies] == texts
    assert [v["text"] for v in outlet.delivered_views] == texts
