"""Stored messages and state changes handed on: to the conversation's channel (its outlet pushes them to
the customer) and to the agent consoles (the feed). Both catch up from the database when this fails, so a
failure here is logged, never raised into the turn."""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool

from bot.conversations.queries import ConversationReads
from bot.conversations.store import Stored
from bot.conversations.types import Feed, Outlet

log = logging.getLogger(__name__)


class Fanout:
    def __init__(self, reads: ConversationReads, outlets: dict[str, Outlet], feed: Feed) -> None:
        self._reads = reads
        self.outlets = outlets
        self.feed = feed

    async def delivered(self, conversation_id: str, stored: Stored) -> None:
        outlet = self.outlets.get(stored.channel)
        if outlet is not None and stored.views:
            try:
                await outlet.delivered(conversation_id, stored.views)
            except Exception:  # the messages are stored; the channel catches up from there
                log.exception("outlet %s failed after storing replies", stored.channel)
        await self.tell_feed(conversation_id, stored.views)
        if stored.handoff_texts:
            await self.announce_state(conversation_id)

    async def tell_feed(self, conversation_id: str, views: list[dict[str, Any]]) -> None:
        try:
            for view in views:
                await self.feed.message(conversation_id, view)
        except Exception:  # consoles catch up from the transcript
            log.exception("feeding the consoles failed for %s", conversation_id)

    async def announce_state(self, conversation_id: str) -> None:
        """Tell the customer's channel (the widget shows it) and the consoles where a conversation is now."""
        found = await run_in_threadpool(self._reads.state_of, conversation_id)
        if found is None:
            return
        outlet = self.outlets.get(found.channel)
        try:
            if outlet is not None:
                await outlet.state_changed(conversation_id, found.state, found.agent_name)
            await self.feed.conversation(conversation_id, found.state, found.agent_username)
        except Exception:  # the state is stored; consoles and widgets catch up when they reload
            log.exception("announcing the state of %s failed", conversation_id)
