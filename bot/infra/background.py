"""Work the gateway does after answering a request (answering a WhatsApp message), tracked so that it is
neither garbage-collected mid-way nor left running at shutdown. Unfinished work is stored work: a message
not yet answered is picked up again at the next start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Wait until nothing is running (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)


async def periodic(name: str, interval_seconds: float, run_round: Callable[[], Awaitable[object]]) -> None:
    """Run `run_round` every `interval_seconds` until cancelled (the first round at once); a failing round
    is logged and tried again at the next interval, so a database hiccup never stops the job for good."""
    while True:
        try:
            await run_round()
        except Exception:
            log.exception("%s failed; retrying next round", name)
        await asyncio.sleep(interval_seconds)
