"""Live updates for the agent consoles: frames on one hub topic that every console socket subscribes to.

With REDIS_URL the hub is Redis pub/sub, so consoles connected to any gateway process see every change.
"""

from __future__ import annotations

from typing import Any

from bot.channels.hub import Hub

TOPIC = "agents"


class AgentFeed:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def message(self, conversation_id: str, view: dict[str, Any]) -> None:
        await self.hub.publish(
            TOPIC, {"type": "message", "conversation_id": conversation_id, "message": view}
        )

    async def conversation(self, conversation_id: str, state: str, agent: str | None) -> None:
        await self.hub.publish(
            TOPIC, {"type": "conversation", "id": conversation_id, "state": state, "agent": agent}
        )
        await self.queue()

    async def note(self, conversation_id: str, note: dict[str, Any]) -> None:
        await self.hub.publish(TOPIC, {"type": "note", "conversation_id": conversation_id, "note": note})

    async def queue(self) -> None:
        await self.hub.publish(TOPIC, {"type": "queue"})
