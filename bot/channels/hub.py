"""Frames for a topic (a conversation) to every subscriber open on it: the widget's sockets now, the agent
console's later. In one process `LocalHub`; several gateway processes need a hub that publishes through
Redis and delivers to its local subscribers, behind the same interface."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol


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
