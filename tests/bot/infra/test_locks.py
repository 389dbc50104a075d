"""Conversation locks: one turn at a time per conversation, within a process and across processes."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis

from bot.infra.locks import LocalLocks, RedisLocks


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex}:"


async def _overlaps(one: object, two: object, conversation_id: str) -> list[str]:
    """Two holders of the same conversation, each holding it for a while: the order of enter/leave."""
    trace: list[str] = []

    async def turn(locks: LocalLocks | RedisLocks, name: str) -> None:
        async with locks.hold(conversation_id):
            trace.append(f"{name} in")
            await asyncio.sleep(0.2)
            trace.append(f"{name} out")

    await asyncio.gather(turn(one, "a"), turn(two, "b"))  # type: ignore[arg-type]
    return trace


def _exclusive(trace: list[str]) -> bool:
    return trace[0].split()[0] == trace[1].split()[0]  # whoever entered first left before the other entered


def test_local_locks_exclude_and_forget_idle_conversations() -> None:
    locks = LocalLocks()
    assert _exclusive(asyncio.run(_overlaps(locks, locks, "c1")))
    assert not locks._locks  # nothing kept for a conversation nobody is answering


def test_two_processes_holding_redis_locks_take_turns(redis_url: str, prefix: str) -> None:
    async def scenario() -> list[str]:
        one, two = RedisLocks(redis_url, prefix), RedisLocks(redis_url, prefix)  # two gateway processes
        try:
            return await _overlaps(one, two, "c1")
        finally:
            await one.close()
            await two.close()

    assert _exclusive(asyncio.run(scenario()))


def test_a_lock_held_past_its_lease_is_renewed(redis_url: str, prefix: str) -> None:
    async def scenario() -> bool:
        one, two = RedisLocks(redis_url, prefix, lease_seconds=0.6), RedisLocks(redis_url, prefix, 0.6)
        try:
            async with one.hold("c1"):
                other = asyncio.create_task(_enter(two, "c1"))
                await asyncio.sleep(1.5)  # well past the lease: renewal keeps it
                entered_early = other.done()
            await asyncio.wait_for(other, 2)
            return entered_early
        finally:
            await one.close()
            await two.close()

    assert asyncio.run(scenario()) is False


async def _enter(locks: RedisLocks, conversation_id: str) -> None:
    async with locks.hold(conversation_id):
        pass


def test_a_dead_holder_blocks_the_conversation_only_until_its_lease_ends(redis_url: str, prefix: str) -> None:
    # A process killed while holding the lock never releases it; its lease (not renewed) runs out.
    redis.Redis.from_url(redis_url).lock(f"{prefix}turn:c1", timeout=1.0).acquire()

    async def scenario() -> float:
        locks = RedisLocks(redis_url, prefix)
        started = time.monotonic()
        try:
            await asyncio.wait_for(_enter(locks, "c1"), 5)
        finally:
            await locks.close()
        return time.monotonic() - started

    assert 0.5 < asyncio.run(scenario()) < 2.0


def test_without_redis_a_turn_still_happens_in_process_order() -> None:
    async def scenario() -> list[str]:
        locks = RedisLocks("redis://127.0.0.1:1/0", "unreachable:")  # nothing listens on port 1
        try:
            return await _overlaps(locks, locks, "c1")
        finally:
            await locks.close()

    assert _exclusive(asyncio.run(scenario()))
