"""The CS desk: putting a conversation in the queue, who is next, and what the customer is told.

Functions here work inside a caller's transaction and return the texts to send; delivering them (and telling
the consoles) is the caller's job, after the commit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.handoff.agents import online_agents
from bot.handoff.hours import hours_text, is_open, next_opening
from bot.handoff.states import IllegalTransition, transition
from bot.services import clock
from bot.services.timefmt import format_wib
from bot.services.whatsapp_window import window_open
from bot.store.models import Agent, Conversation, ConversationEvent, utcnow
from bot.store.models import ConversationState as S

ALREADY_WAITING_TEXT = (
    "Kakak sudah ada di antrean CS (urutan ke-{position}), Kak. Mohon ditunggu ya, pesan Kakak tetap kami "
    "simpan dan akan dibaca oleh CS."
)
ALREADY_CONNECTED_TEXT = "Kakak sedang terhubung dengan CS kami, Kak. Silakan lanjutkan pesannya di sini."
RETURNED_TO_BOT_TEXT = (
    'Percakapan ini kembali dilayani asisten virtual, Kak. Kalau butuh CS lagi, cukup ketik "CS" ya.'
)
LEFT_QUEUE_TEXT = (
    "Baik Kak, Kakak sudah keluar dari antrean CS dan kembali dilayani asisten virtual. Ada yang bisa kami "
    'bantu? Kalau nanti butuh CS lagi, cukup ketik "CS" ya.'
)
# How a waiting customer says "never mind": the whole message, once polite fillers are dropped, must be one
# of these, so "batalkan pesanan saya" (a request for the agent) is never taken for leaving the queue.
_LEAVE_PHRASES = frozenset(
    {"batal", "cancel", "kembali ke bot", "balik ke bot", "ke bot", "bot saja", "bot aja"}
    | {
        f"{no} {what}"
        for no in ("gak", "ga", "gk", "g", "nggak", "ngga", "enggak", "tidak", "tdk", "ndak")
        for what in ("jadi", "usah", "perlu", "jadi antre", "jadi antri", "usah antre", "usah antri")
    }
    | {"gajadi", "gakjadi", "gausah", "gkjadi", "nggak jadi"}
    | {
        f"{verb} {what}"
        for verb in ("batal", "batalkan", "keluar", "keluar dari", "berhenti")
        for what in ("antre", "antri", "antrean", "antrian", "cs", "tunggu", "menunggu", "nunggu")
    }
)
_FILLERS = frozenset(
    (  # noqa: SIM905 - a list of words reads best as words
        "kak kakak ka min mimin admin gan sis bang mas mbak aja saja deh dah ya yah yaa dong sih udah sudah "
        "makasih terima kasih trims ok oke okay nya saya aku sy aq jadinya lagi kok"
    ).split()
)
CLOSING_GREETING = "Terima kasih sudah menghubungi kami, Kak. Semoga harinya menyenangkan! 🙏"


@dataclass(frozen=True)
class QueueInfo:
    position: int  # 1 = next
    online_agents: int
    open_now: bool
    next_open: datetime
    estimate_minutes: int | None  # None when nobody can answer before the next opening


def position(session: Session, conversation: Conversation) -> int:
    """1 for the customer who has waited longest."""
    since = conversation.waiting_since or utcnow()
    ahead = session.scalar(
        select(func.count()).where(
            Conversation.state == S.waiting_agent,
            Conversation.id != conversation.id,
            Conversation.waiting_since <= since,
        )
    )
    return (ahead or 0) + 1


def queue_info(session: Session, conversation: Conversation, settings: Settings) -> QueueInfo:
    now = clock.now(settings)  # CS hours are a calendar fact: tests pin them with CLOCK_OVERRIDE
    place = position(session, conversation)
    agents = len(online_agents(session))
    open_now = is_open(now, settings)
    estimate = (
        math.ceil(place * settings.handoff_minutes_per_customer / agents) if open_now and agents else None
    )
    return QueueInfo(place, agents, open_now, next_opening(now, settings), estimate)


def _when(info: QueueInfo) -> str:
    if not info.open_now:
        return f"CS akan membalas di chat ini mulai {format_wib(info.next_open)}"
    return "CS akan membalas di chat ini begitu ada yang tersedia"


def queue_text(info: QueueInfo, settings: Settings) -> str:
    """Honest about when someone will answer: soon (with an estimate), when an agent is free, or at the
    next opening; outside hours the complaint ticket is offered as the way to get it on record now."""
    if info.estimate_minutes is not None:
        return (
            f"Baik Kak, Kakak sudah masuk antrean CS di urutan ke-{info.position}. Perkiraan waktu tunggu "
            f"sekitar {info.estimate_minutes} menit. Pesan yang Kakak kirim selama menunggu akan dibaca CS. "
            'Ketik "batal" kalau tidak jadi menunggu CS.'
        )
    why = (
        f"Saat ini di luar jam layanan CS kami ({hours_text(settings)})."
        if not info.open_now
        else "Saat ini semua CS kami sedang tidak tersedia."
    )
    return (
        f"{why} Permintaan Kakak tetap kami simpan di antrean (urutan ke-{info.position}); {_when(info)}. "
        "Silakan tinggalkan pesan di sini, CS akan membacanya. Kalau keluhannya perlu dicatat resmi, Kakak "
        'juga bisa membuat tiket pengaduan dengan mengetik "komplain": nomor tiket dan batas waktu '
        'penyelesaiannya langsung kami berikan. Ketik "batal" kalau tidak jadi menunggu CS.'
    )


def request_handoff(
    session: Session, conversation: Conversation, *, reason: str, actor: str, settings: Settings
) -> str:
    """Queue the conversation for a human (from the bot, a flow or the customer); the customer's text."""
    if conversation.state == S.with_agent:
        return ALREADY_CONNECTED_TEXT
    if conversation.state == S.waiting_agent:
        return ALREADY_WAITING_TEXT.format(position=position(session, conversation))
    if conversation.state == S.closed:
        transition(session, conversation, S.bot, actor=actor, reason="reopened for a handoff")
    transition(session, conversation, S.waiting_agent, actor=actor, reason=reason)
    return queue_text(queue_info(session, conversation, settings), settings)


def reminder_text(session: Session, conversation: Conversation, settings: Settings) -> str:
    info = queue_info(session, conversation, settings)
    return _with_wait(f"Mohon maaf menunggu, Kak. Kakak masih di antrean CS urutan ke-{info.position}.", info)


def _with_wait(text: str, info: QueueInfo) -> str:
    if info.estimate_minutes is not None:
        return f"{text} Perkiraan sekitar {info.estimate_minutes} menit lagi."
    return f"{text} {_when(info)}."


def acknowledgement(session: Session, conversation: Conversation, settings: Settings) -> str | None:
    """What a customer who writes while waiting for a human is told: that the message reaches the agent and
    their place in the queue; None when they were told so in the last handoff_ack_minutes (a burst of
    messages gets one answer, not one each). The acknowledgement is recorded as an event."""
    since = utcnow() - timedelta(minutes=settings.handoff_ack_minutes)
    recent = session.scalar(
        select(func.count()).where(
            ConversationEvent.conversation_id == conversation.id,
            ConversationEvent.kind == "queue_ack",
            ConversationEvent.created_at > since,
        )
    )
    if recent:
        return None
    session.add(ConversationEvent(conversation_id=conversation.id, kind="queue_ack", actor="system"))
    info = queue_info(session, conversation, settings)
    text = f"Pesan Kakak sudah kami terima dan akan dibaca oleh CS, Kak (antrean urutan ke-{info.position})."
    return f'{_with_wait(text, info)} Ketik "batal" kalau ingin kembali dilayani asisten virtual.'


def wants_to_leave(text: str) -> bool:
    """Whether a waiting customer's message is only a "never mind": "batal", "gak jadi deh kak",
    "kembali ke bot"; not a sentence that merely contains one of them."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in _FILLERS]
    return " ".join(words) in _LEAVE_PHRASES


def leave_queue(session: Session, conversation: Conversation) -> str | None:
    """The customer leaves the queue: the bot answers again (recorded as a transition by the customer).
    None when the conversation is no longer waiting (an agent claimed it meanwhile)."""
    try:
        transition(session, conversation, S.bot, actor="customer", reason="left the queue")
    except IllegalTransition:
        return None
    return LEFT_QUEUE_TEXT


def connected_text(agent: Agent) -> str:
    return f"Kakak sekarang terhubung dengan {agent.name} dari tim CS. Silakan sampaikan keperluannya, Kak."


# --- what agents do -------------------------------------------------------------------------------------


def claim(session: Session, conversation: Conversation, agent: Agent) -> str:
    """Ambil: the agent takes a waiting conversation (IllegalTransition if someone was faster)."""
    if conversation.state != S.waiting_agent:  # with_agent -> with_agent is a transfer, not a claim
        raise IllegalTransition(conversation.state, S.with_agent)
    transition(session, conversation, S.with_agent, actor=f"agent:{agent.username}", agent=agent)
    return connected_text(agent)


def transfer(session: Session, conversation: Conversation, *, actor: str, to: Agent) -> str:
    transition(session, conversation, S.with_agent, actor=actor, agent=to, reason="transfer")
    return f"Percakapan Kakak kami alihkan ke {to.name} dari tim CS. Mohon ditunggu sebentar ya, Kak."


def release(session: Session, conversation: Conversation, *, actor: str) -> str:
    """Kembalikan ke bot: the bot answers again."""
    transition(session, conversation, S.bot, actor=actor, reason="returned by agent")
    return RETURNED_TO_BOT_TEXT


def close(session: Session, conversation: Conversation, *, actor: str, summary: str) -> str:
    """Selesai: the Cankul procedure ends a complaint with a summary and a closing greeting."""
    transition(
        session, conversation, S.closed, actor=actor, reason="closed by agent", detail={"summary": summary}
    )
    return f"{summary.strip()}\n\n{CLOSING_GREETING}"


def add_note(session: Session, conversation: Conversation, *, actor: str, text: str) -> ConversationEvent:
    """An internal note: kept with the conversation, never sent to the customer."""
    note = ConversationEvent(conversation_id=conversation.id, kind="note", actor=actor, detail={"text": text})
    session.add(note)
    session.flush()
    return note


def due_reminders(session: Session, settings: Settings) -> list[tuple[str, str]]:
    """(conversation, text) for every waiting customer whose next reminder is due, each recorded as an event.

    Reminders are sent only while CS is open and an agent is online: out of hours, or with nobody to answer,
    the queue message already said when CS answers, and a reminder every few minutes would only be spam (and,
    on WhatsApp, billed). In hours the n-th reminder of a wait comes handoff_reminder_minutes × 2^(n-1) after
    the previous one (or after queueing), and a wait gets at most handoff_reminder_max of them. A WhatsApp
    customer silent for over 24 hours gets none: outside that window only an agent's reply may be sent."""
    if not is_open(clock.now(settings), settings) or not online_agents(session):
        return []
    now = utcnow()
    waiting = session.scalars(
        select(Conversation)
        .where(
            Conversation.state == S.waiting_agent,
            Conversation.waiting_since <= now - timedelta(minutes=settings.handoff_reminder_minutes),
        )
        .order_by(Conversation.waiting_since)
    ).all()
    due = []
    for conversation in waiting:
        assert conversation.waiting_since is not None  # set by every transition into waiting_agent
        sent = session.scalars(
            select(ConversationEvent.created_at)
            .where(
                ConversationEvent.conversation_id == conversation.id,
                ConversationEvent.kind == "queue_reminder",
                ConversationEvent.created_at >= conversation.waiting_since,
            )
            .order_by(ConversationEvent.created_at)
        ).all()
        if len(sent) >= settings.handoff_reminder_max:
            continue
        last = sent[-1] if sent else conversation.waiting_since
        if now - last < timedelta(minutes=settings.handoff_reminder_minutes * 2 ** len(sent)):
            continue
        if conversation.channel == "whatsapp" and not window_open(session, conversation.id):
            continue  # a queue notice never goes through the paid template; the customer is told on writing
        session.add(ConversationEvent(conversation_id=conversation.id, kind="queue_reminder", actor="system"))
        due.append((conversation.public_id, reminder_text(session, conversation, settings)))
    return due
