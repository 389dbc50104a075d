"""Periodic work the gateway does in the background: complaint deadlines that passed, queue reminders."""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from bot.config import Settings
from bot.handoff.desk import due_reminders
from bot.router import ConversationRouter, Reply
from bot.services.complaints import mark_breaches
from bot.store.db import session_scope

log = logging.getLogger(__name__)


def mark_breached_complaints() -> list[str]:
    with session_scope() as session:
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
