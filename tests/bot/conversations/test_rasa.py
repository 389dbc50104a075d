"""The gateway's client for Rasa's REST channel, against a local HTTP server playing Rasa (the edge of the
world for the gateway): replies in, and every way Rasa can fail becomes RasaUnavailable, never a crash."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from bot.conversations.rasa import RasaClient, RasaUnavailable

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def rasa_playing(handler: Handler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


async def send_to(handler: Handler, limit: float = 5.0) -> list[dict[str, Any]]:
    async with rasa_playing(handler) as url, RasaClient.session(connections=4) as http:
        return await RasaClient(http, url, limit).send("pelanggan-1", "halo", {"channel": "rest"})


def test_the_replies_come_back_in_order_and_the_message_goes_as_rasa_expects_it() -> None:
    received: list[dict[str, Any]] = []

    async def rasa(request: web.Request) -> web.StreamResponse:
        assert (request.method, request.path) == ("POST", "/webhooks/rest/webhook")
        received.append(await request.json())
        return web.json_response([{"text": "Halo Kak"}, "not a reply", {"buttons": [{"title": "Ya"}]}])

    replies = asyncio.run(send_to(rasa))
    assert replies == [{"text": "Halo Kak"}, {"buttons": [{"title": "Ya"}]}]
    assert received == [{"sender": "pelanggan-1", "message": "halo", "metadata": {"channel": "rest"}}]


async def _server_error(request: web.Request) -> web.StreamResponse:
    return web.json_response({"error": "boom"}, status=500)


async def _not_json(request: web.Request) -> web.StreamResponse:
    return web.Response(text="<html>proxy error</html>", content_type="text/html")


async def _an_object(request: web.Request) -> web.StreamResponse:
    return web.json_response({"text": "not a list"})


async def _too_slow(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(2.0)
    return web.json_response([])


@pytest.mark.parametrize("handler", [_server_error, _not_json, _an_object, _too_slow])
def test_a_failing_rasa_is_unavailable(handler: Handler) -> None:
    with pytest.raises(RasaUnavailable):
        asyncio.run(send_to(handler, limit=0.5))


def test_a_rasa_that_is_not_running_is_unavailable() -> None:
    async def main() -> None:
        async with rasa_playing(_server_error) as url:
            pass  # the server is gone again: its port refuses connections
        async with RasaClient.session(connections=4) as http:
            await RasaClient(http, url, 2.0).send("pelanggan-1", "halo", {})

    with pytest.raises(RasaUnavailable):
        asyncio.run(main())


def test_the_status_is_rasas_own_and_an_unreadable_one_is_unavailable() -> None:
    async def status(request: web.Request) -> web.StreamResponse:
        return web.json_response({"model_file": "rasa-abc.tar.gz"})

    async def main(handler: Handler) -> dict[str, Any]:
        async with rasa_playing(handler) as url, RasaClient.session(connections=4) as http:
            return await RasaClient(http, url, 2.0).status()

    assert asyncio.run(main(status)) == {"model_file": "rasa-abc.tar.gz"}
    with pytest.raises(RasaUnavailable):
        asyncio.run(main(_not_json))
