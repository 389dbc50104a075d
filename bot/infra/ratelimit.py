"""Message rate limits per sender and per client address (fixed windows).

A customer typing fast sends a few messages a minute; a script sends hundreds. Each customer message is
counted against its sender (the conversation) and, for channels a browser or a script reaches directly
(REST, widget), against the client address. Over a limit the caller learns how long to wait.

In one process `LocalRateLimiter`; several gateway processes share `RedisRateLimiter`, so the limit holds
whichever gateway a message lands on. Redis being unreachable degrades to this process's counts (logged):
limiting a little less is better than refusing every customer.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis
import redis.asyncio

log = logging.getLogger(__name__)

RATE_LIMITED_TEXT = (
    "Mohon maaf Kak, pesan yang masuk terlalu cepat sehingga belum bisa kami proses semuanya. Mohon tunggu "
    "sekitar {seconds} detik, lalu kirim lagi pesan yang belum terjawab ya. 🙏"
)


def rate_limited_text(retry_after: int) -> str:
    return RATE_LIMITED_TEXT.format(seconds=retry_after)


@dataclass(frozen=True)
class Verdict:
    retry_after: int = 0  # seconds until the window that refused this hit ends; 0 = allowed
    first_refusal: bool = False  # the first hit refused in this window (worth telling the customer once)

    @property
    def allowed(self) -> bool:
        return self.retry_after == 0


ALLOWED = Verdict()


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int) -> Verdict:
        """Count one hit on `key`; `limit` hits per window are allowed, 0 means no limit."""

    async def close(self) -> None: ...


class LocalRateLimiter:
    def __init__(self, window_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self.window = window_seconds
        self._clock = clock
        self._counts: dict[str, int] = {}
        self._current = 0  # the window the counts belong to

    async def hit(self, key: str, limit: int) -> Verdict:
        return self.count(key, limit)

    def count(self, key: str, limit: int) -> Verdict:
        if limit <= 0:
            return ALLOWED
        now = self._clock()
        window = int(now // self.window)
        if window != self._current:  # a new window: every count starts again, memory stays bounded
            self._counts.clear()
            self._current = window
        count = self._counts[key] = self._counts.get(key, 0) + 1
        return _verdict(count, limit, now, self.window)

    async def close(self) -> None:
        pass


class RedisRateLimiter:
    def __init__(self, url: str, prefix: str, window_seconds: int) -> None:
        self.window = window_seconds
        self._redis = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = f"{prefix}rate:"
        self._fallback = LocalRateLimiter(window_seconds)

    async def hit(self, key: str, limit: int) -> Verdict:
        if limit <= 0:
            return ALLOWED
        now = time.time()
        name = f"{self._prefix}{int(now // self.window)}:{key}"
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.incr(name)
                pipe.expire(name, self.window * 2)
                count, _ = await pipe.execute()
        except (redis.RedisError, OSError) as exc:
            log.warning("rate limits: Redis unreachable (%s); counting in this process", exc)
            return self._fallback.count(key, limit)
        return _verdict(int(count), limit, now, self.window)

    async def close(self) -> None:
        await self._redis.aclose()


def _verdict(count: int, limit: int, now: float, window: int) -> Verdict:
    if count <= limit:
        return ALLOWED
    retry_after = max(1, math.ceil(window - now % window))
    return Verdict(retry_after=retry_after, first_refusal=count == limit + 1)


@dataclass(frozen=True)
class MessageLimits:
    """The configured limits on customer messages (RATE_LIMIT_*)."""

    limiter: RateLimiter
    per_sender: int
    per_address: int

    async def check(self, *, sender: str, address: str | None) -> Verdict:
        """Count a message from `sender` (a channel's customer id) sent from `address` (None: the caller is
        a trusted server or Twilio, whose address many customers share)."""
        verdicts = [await self.limiter.hit(f"sender:{sender}", self.per_sender)]
        if address is not None:
            verdicts.append(await self.limiter.hit(f"addr:{address}", self.per_address))
        return max(verdicts, key=lambda v: v.retry_after)
