"""The gateway's client for Rasa's REST channel and its status endpoint."""

from __future__ import annotations

from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error; the message must be kept and apologised for."""


class ActionServerDown(RasaUnavailable):
    """Rasa answered nothing because its action server is down (the custom action's events are lost)."""


class RasaClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, timeout: float) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Rasa's replies to one user message, in order."""
        try:
            response = await self._http.post(
                f"{self._base_url}/webhooks/rest/webhook",
                json={"sender": sender_id, "message": text, "metadata": metadata},
                timeout=self._timeout,
            )
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"Rasa at {self._base_url} failed: {exc!r}") from exc
        if not isinstance(replies, list):
            raise RasaUnavailable(f"Rasa answered {type(replies).__name__}, expected a list")
        return [r for r in replies if isinstance(r, dict)]

    async def status(self) -> dict[str, Any]:
        """Rasa's /status (loaded model); raises RasaUnavailable."""
        try:
            response = await self._http.get(f"{self._base_url}/status", timeout=3.0)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(repr(exc)) from exc
