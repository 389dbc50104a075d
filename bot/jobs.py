"""Periodic work the gateway does in the background: marking complaint deadlines that passed."""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

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
