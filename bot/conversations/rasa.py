"""The bot a turn asks for replies (`Bot`), and its implementation: Rasa's REST channel, through the
gateway's client for it (also used for Rasa's status in /health)."""

from __future__ import annotations

from typing import Any, Protocol

import aiohttp
import httpx

from bot.conversations.types import Reply


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error; the message must be kept and apologised for."""


class ActionServerDown(RasaUnavailable):
    """Rasa answered nothing because its action server is down (the custom action's events are lost)."""


class RasaClient:
    """Rasa's REST channel and /status, over aiohttp: the one call every turn makes. httpx's connection
    pool checks every open connection (a poll each) to place a request, and parses HTTP in Python; under a
    closed loop of 50 customers that was a third of the gateway's CPU (docs/adr/0014)."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, timeout: float) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    @classmethod
    def session(cls, connections: int) -> aiohttp.ClientSession:
        """The client session for Rasa: `connections` kept open (every conversation in flight may be
        waiting on Rasa), no cookies."""
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections, limit_per_host=connections),
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Rasa's replies to one user message, in order."""
        try:
            async with self._http.post(
                f"{self._base_url}/webhooks/rest/webhook",
                json={"sender": sender_id, "message": text, "metadata": metadata},
                timeout=self._timeout,
            ) as response:
                response.raise_for_status()
                replies = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise RasaUnavailable(f"Rasa at {self._base_url} failed: {exc!r}") from exc
        if not isinstance(replies, list):
            raise RasaUnavailable(f"Rasa answered {type(replies).__name__}, expected a list")
        return [r for r in replies if isinstance(r, dict)]

    async def status(self) -> dict[str, Any]:
        """Rasa's /status (loaded model); raises RasaUnavailable."""
        try:
            async with self._http.get(
                f"{self._base_url}/status", timeout=aiohttp.ClientTimeout(total=3.0)
            ) as response:
                response.raise_for_status()
                status = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise RasaUnavailable(repr(exc)) from exc
        if not isinstance(status, dict):
            raise RasaUnavailable(f"Rasa's /status answered {type(status).__name__}, expected an object")
        return status


class Bot(Protocol):
    """What a turn needs from the dialogue engine."""

    async def replies(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[Reply]:
        """The bot's replies to one customer message, in order (none when it chose to listen); raises
        RasaUnavailable (ActionServerDown when its actions are what failed)."""
        ...


class RasaBot:
    """Rasa's REST channel as the conversation's bot."""

    def __init__(self, client: RasaClient, http: httpx.AsyncClient, action_server_url: str) -> None:
        self._client = client
        self._http = http
        self._action_server_url = action_server_url.rstrip("/")

    async def replies(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[Reply]:
        raw = await self._client.send(conversation_id, text, metadata)
        if not raw and not await self._actions_reachable():
            # Rasa logs a failed custom action and answers nothing (rasa.core.processor: "the actions
            # events are lost"): an outage, not a message the bot did not understand.
            raise ActionServerDown(f"action server at {self._action_server_url} is down")
        return [
            Reply(text=r.get("text"), buttons=r.get("buttons"), image=r.get("image"), custom=r.get("custom"))
            for r in raw
        ]

    async def _actions_reachable(self) -> bool:
        """Whether the action server answers its health check (asked only when Rasa said nothing)."""
        try:
            response = await self._http.get(f"{self._action_server_url}/health", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200
