import asyncio
import uuid

import pytest

from bot.infra.ratelimit import LocalRateLimiter, MessageLimits, RedisRateLimiter


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_window_allows_the_limit_then_says_how_long_to_wait() -> None:
    clock = Clock(960_020.0)  # 20 s into a 60 s window
    limiter = LocalRateLimiter(60, clock)
    assert [limiter.count("a", 3).allowed for _ in range(3)] == [True, True, True]
    refused = limiter.count("a", 3)
    assert (refused.retry_after, refused.first_refusal) == (40, True)
    assert limiter.count("a", 3).first_refusal is False  # told once per window
    assert limiter.count("b", 3).allowed  # another sender has its own count
    clock.now += 40
    assert limiter.count("a", 3).allowed  # a new window


def test_zero_means_no_limit() -> None:
    limiter = LocalRateLimiter(60)
    assert all(limiter.count("a", 0).allowed for _ in range(1000))


def test_the_worse_of_sender_and_address_decides() -> None:
    limits = MessageLimits(LocalRateLimiter(60), per_sender=100, per_address=2)

    async def send(sender: str, address: str | None) -> int:
        return (await limits.check(sender=sender, address=address)).retry_after

    async def scenario() -> list[int]:
        return [await send(f"s{i}", "203.0.113.7") for i in range(3)] + [await send("s9", None)]

    waits = asyncio.run(scenario())
    assert waits[:2] == [0, 0]
    assert waits[2] > 0
    assert waits[3] == 0  # a trusted caller (no address) is limited per sender only


def test_redis_counts_are_shared_by_every_gateway(redis_url: str) -> None:
    async def scenario() -> list[bool]:
        prefix = f"test-{uuid.uuid4().hex}:"
        one, two = RedisRateLimiter(redis_url, prefix, 60), RedisRateLimiter(redis_url, prefix, 60)
        try:
            return [(await limiter.hit("k", 3)).allowed for limiter in (one, two, one, two)]
        finally:
            await one.close()
            await two.close()

    assert asyncio.run(scenario()) == [True, True, True, False]


def test_without_redis_the_process_still_limits(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> list[bool]:
        limiter = RedisRateLimiter("redis://127.0.0.1:1/0", "x:", 60)
        try:
            return [(await limiter.hit("k", 2)).allowed for _ in range(3)]
        finally:
            await limiter.close()

    assert asyncio.run(scenario()) == [True, True, False]
    assert "Redis unreachable" in caplog.text
