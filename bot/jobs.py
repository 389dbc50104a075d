"""Periodic work the gateway does in the background (each job a `periodic()` loop): complaint deadlines that
passed, queue reminders, messages another (dead) gateway process stored but never answered, evidence files
no return refers to.

Every gateway process runs these. A round that changes shared rows takes a database-wide job lock first
(`bot.store.db.job_lock`), so two processes never both remind the same waiting customer.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool

from bot.config import Settings
from bot.conversations.turns import ConversationRouter
from bot.conversations.types import Reply
from bot.handoff.desk import due_reminders
from bot.infra.background import Background, periodic
from bot.services.complaints import mark_breaches
from bot.services.evidence import remove_orphans
from bot.store.db import job_lock, session_scope
from bot.store.models import utcnow

log = logging.getLogger(__name__)
EVIDENCE_CLEANUP_SECONDS = 3600.0


def mark_breached_complaints() -> list[str]:
    with session_scope() as session:
        if not job_lock(session, "complaint_deadlines"):
            return []
        return mark_breaches(session)


def _due_reminders(settings: Settings) -> list[tuple[str, str]]:
    with session_scope() as session:
        if not job_lock(session, "queue_reminders"):
            return []
        return due_reminders(session, settings)


def _remove_orphan_evidence(settings: Settings) -> int:
    with session_scope() as session:
        older_than = timedelta(hours=settings.evidence_orphan_hours)
        return len(remove_orphans(session, settings.evidence_dir, older_than))


def jobs(
    router: ConversationRouter, background: Background, settings: Settings
) -> list[Coroutine[Any, Any, None]]:
    """The gateway's periodic jobs, each a coroutine that runs until cancelled."""

    async def complaint_deadlines() -> None:
        breached = await run_in_threadpool(mark_breached_complaints)
        if breached:
            log.warning("complaint deadlines passed: %s", ", ".join(breached))

    async def queue_reminders() -> None:
        """Customers waiting for an agent hear their queue position again every few minutes."""
        for conversation_id, text in await run_in_threadpool(_due_reminders, settings):
            await router.send_to_customer(conversation_id, "system", [Reply(text=text)])

    # Push-channel messages left unanswered: at start everything stored before the restart, then every
    # pending_sweep_seconds those stored longer ago than that (the gateway process that stored them died).
    # The conversation lock makes a sweep that races a live answer harmless.
    in_flight: set[str] = set()
    first_round = True

    async def answer(conversation_id: str) -> None:
        try:
            await router.answer_pending(conversation_id)
        finally:
            in_flight.discard(conversation_id)

    async def pending_messages() -> None:
        nonlocal first_round
        # The first round takes everything; later ones what has waited longer than a live answer takes.
        stored_before = None if first_round else utcnow() - timedelta(seconds=settings.pending_sweep_seconds)
        first_round = False
        for conversation_id in await run_in_threadpool(router.pending_conversations, stored_before):
            if conversation_id not in in_flight:
                in_flight.add(conversation_id)
                background.spawn(answer(conversation_id))

    async def orphan_evidence() -> None:
        """Files of returns customers never finished are deleted once they are EVIDENCE_ORPHAN_HOURS old."""
        removed = await run_in_threadpool(_remove_orphan_evidence, settings)
        if removed:
            log.info("removed %d evidence files no return refers to", removed)

    return [
        periodic("complaint deadline job", settings.complaint_check_seconds, complaint_deadlines),
        periodic("queue reminder job", settings.handoff_check_seconds, queue_reminders),
        periodic("pending message sweep", settings.pending_sweep_seconds, pending_messages),
        periodic("evidence cleanup", EVIDENCE_CLEANUP_SECONDS, orphan_evidence),
    ]
