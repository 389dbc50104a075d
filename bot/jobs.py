"""Periodic work the gateway does in the background: complaint deadlines that passed, queue reminders,
messages another (dead) gateway process stored but never answered.

Every gateway process runs these. A round that changes shared rows takes a database-wide job lock first
(`bot.store.db.job_lock`), so two processes never both remind the same waiting customer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from starlette.concurrency import run_in_threadpool

from bot.background import Background
from bot.config import Settings
from bot.handoff.desk import due_reminders
from bot.router import ConversationRouter, Reply
from bot.services.complaints import mark_breaches
from bot.services.evidence import remove_orphans
from bot.store.db import job_lock, session_scope
from bot.store.models import utcnow

log = logging.getLogger(__name__)


def mark_breached_complaints() -> list[str]:
    with session_scope() as session:
        if not job_lock(session, "complaint_deadlines"):
            return []
        return mark_breaches(session)


async def complaint_deadline_job(interval_seconds: float) -> None:
    """Runs until cancelled; a failing round is logged and retried at the next interval."""
    while True:
        try:
            breached = await run_in_threadpool(mark_breached_complaints)
            if breached:
                log.warning("complaint deadlines passed: %s", ", ".join(breached))
        except Exception:
            log.exception("complaint deadline job failed; retrying next round")
        await asyncio.sleep(interval_seconds)


def _due_reminders(settings: Settings) -> list[tuple[str, str]]:
    with session_scope() as session:
        if not job_lock(session, "queue_reminders"):
            return []
        return due_reminders(session, settings)


async def queue_reminder_job(router: ConversationRouter, settings: Settings) -> None:
    """Customers waiting for an agent hear their queue position again every few minutes."""
    while True:
        try:
            for conversation_id, text in await run_in_threadpool(_due_reminders, settings):
                await router.send_to_customer(conversation_id, "system", [Reply(text=text)])
        except Exception:
            log.exception("queue reminder job failed; retrying next round")
        await asyncio.sleep(settings.handoff_check_seconds)


async def pending_messages_job(
    router: ConversationRouter, background: Background, settings: Settings
) -> None:
    """Answers push-channel messages left unanswered: at start (stored before a restart), then every
    `pending_sweep_seconds` those stored longer ago than that (the gateway process that stored them died).
    The conversation lock makes a sweep that races a live answer harmless."""
    in_flight: set[str] = set()

    async def answer(conversation_id: str) -> None:
        try:
            await router.answer_pending(conversation_id)
        finally:
            in_flight.discard(conversation_id)

    stored_before = None  # the first round takes everything
    while True:
        try:
            for conversation_id in await run_in_threadpool(router.pending_conversations, stored_before):
                if conversation_id not in in_flight:
                    in_flight.add(conversation_id)
                    background.spawn(answer(conversation_id))
        except Exception:
            log.exception("pending message sweep failed; retrying next round")
        await asyncio.sleep(settings.pending_sweep_seconds)
        stored_before = utcnow() - timedelta(seconds=settings.pending_sweep_seconds)


def _remove_orphan_evidence(settings: Settings) -> int:
    with session_scope() as session:
        older_than = timedelta(hours=settings.evidence_orphan_hours)
        return len(remove_orphans(session, settings.evidence_dir, older_than))


async def evidence_cleanup_job(settings: Settings, interval_seconds: float = 3600) -> None:
    """Files of returns customers never finished are deleted once they are EVIDENCE_ORPHAN_HOURS old."""
    while True:
        try:
            removed = await run_in_threadpool(_remove_orphan_evidence, settings)
            if removed:
                log.info("removed %d evidence files no return refers to", removed)
        except Exception:
            log.exception("evidence cleanup failed; retrying next round")
        await asyncio.sleep(interval_seconds)
