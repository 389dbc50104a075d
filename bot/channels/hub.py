"""Frames for a topic (a conversation) to every subscriber open on it: the widget's sockets now, the agent
console's later. In one process `LocalHub`; several gateway processes need a hub that publishes through
Redis and delivers to its local subscribers, behind the same interface."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Annotated, Any, Protocol

import redis
import redis.asyncio
from fastapi import Depends
from starlette.requests import HTTPConnection

log = logging.getLogger(__name__)


class Subscriber(Protocol):
    async def push(self, frame: dict[str, Any]) -> None:
        """Deliver one frame; never raises (a dead socket is the reader's business)."""


class Hub(Protocol):
    """Frames for a conversation to every socket open on it. In one process: `LocalHub`; several gateway
    processes need one that publishes through Redis and delivers to its local subscribers."""

    def subscribe(self, topic: str, subscriber: Subscriber) -> None: ...

    def unsubscribe(self, topic: str, subscriber: Subscriber) -> None: ...

    async def publish(self, topic: str, frame: dict[str, Any]) -> None: ...


class LocalHub:
    def __init__(self) -> None:
        self._topics: dict[str, set[Subscriber]] = {}

    def subscribe(self, topic: str, subscriber: Subscriber) -> None:
        self._topics.setdefault(topic, set()).add(subscriber)

    def unsubscribe(self, topic: str, subscriber: Subscriber) -> None:
        subscribers = self._topics.get(topic)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._topics[topic]

    async def publish(self, topic: str, frame: dict[str, Any]) -> None:
        subscribers = list(self._topics.get(topic, ()))
        await asyncio.gather(*(s.push(frame) for s in subscribers))


class RedisHub:
    """Several gateway processes: frames go out through Redis pub/sub and every process delivers them to
    its own subscribers. Redis being down loses live frames only (clients reload from the database)."""

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = redis.asyncio.from_url(url)
        self._prefix = prefix
        self._local = LocalHub()
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen())

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._redis.aclose()

    def subscribe(self, topic: str, subscriber: Subscriber) -> None:
        self._local.subscribe(topic, subscriber)

    def unsubscribe(self, topic: str, subscriber: Subscriber) -> None:
        self._local.unsubscribe(topic, subscriber)

    async def publish(self, topic: str, frame: dict[str, Any]) -> None:
        try:
            await self._redis.publish(self._prefix + topic, json.dumps(frame))
        except redis.RedisError:
            log.exception("Redis publish failed; delivering to this process's subscribers only")
            await self._local.publish(topic, frame)

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(self._prefix + "*")
                    async for message in pubsub.listen():
                        if message.get("type") != "pmessage":
                            continue
                        topic = message["channel"].decode()[len(self._prefix) :]
                        await self._local.publish(topic, json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Redis subscription lost; resubscribing in 1 s")
                await asyncio.sleep(1)


async def get_hub(connection: HTTPConnection) -> Hub:
    return connection.app.state.hub


HubDep = Annotated[Hub, Depends(get_hub)]
