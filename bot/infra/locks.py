"""One turn at a time per conversation: a lock held while a conversation's messages are answered.

In one process `LocalLocks`. Several gateway processes (scale-out mode) share `RedisLocks`: a Redis lock with
a short lease that the holder renews, so a killed process blocks its conversations for seconds, not minutes.
Inside a process waiters still queue on an asyncio lock first, so only one of them polls Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import redis
import redis.asyncio
from redis.asyncio.lock import Lock

log = logging.getLogger(__name__)


class ConversationLocks(Protocol):
    def hold(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """Held while the conversation's messages are answered or a reply is stored for it."""

    async def close(self) -> None: ...


class LocalLocks:
    def __init__(self) -> None:
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._users: defaultdict[str, int] = defaultdict(int)

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        self._users[conversation_id] += 1
        try:
            async with self._locks[conversation_id]:
                yield
        finally:
            self._users[conversation_id] -= 1
            if not self._users[conversation_id]:  # nobody waits: forget it, memory stays bounded
                del self._users[conversation_id], self._locks[conversation_id]

    async def close(self) -> None:
        pass


class RedisLocks:
    """A conversation lock shared by every gateway process through Redis.

    The lease (`lease_seconds`) is renewed every third of it while held. Redis being unreachable degrades to
    this process's lock (logged): messages are still answered, only cross-process ordering is not guaranteed
    until Redis is back.
    """

    def __init__(self, url: str, prefix: str, lease_seconds: float = 10.0) -> None:
        self._redis = redis.asyncio.from_url(url)
        self._prefix = prefix
        self._lease = lease_seconds
        self._local = LocalLocks()

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        async with self._local.hold(conversation_id):
            # "turn:", not "lock:": Rasa's Redis lock store keeps its own tickets under "<prefix>:lock:<id>".
            lock = self._redis.lock(
                f"{self._prefix}turn:{conversation_id}", timeout=self._lease, sleep=0.02, thread_local=False
            )
            try:
                await lock.acquire()
            except redis.RedisError:
                log.exception("no Redis lock for %s: ordering holds in this process only", conversation_id)
                yield
                return
            renewal = asyncio.create_task(self._renew(lock))
            try:
                yield
            finally:
                renewal.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewal
                with contextlib.suppress(redis.RedisError):  # expired or Redis gone: the lease ends anyway
                    await lock.release()

    async def _renew(self, lock: Lock) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                await lock.reacquire()
            except redis.RedisError:
                log.exception("could not renew the lock %s", lock.name)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
