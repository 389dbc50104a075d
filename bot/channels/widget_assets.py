"""`GET /widget.js` (the one file a shop embeds, cached with ETag/Last-Modified) and `GET /demo` (a mock shop
page with the widget on it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.static_assets import STATIC_DIR, load_asset, serve_asset

router = APIRouter(tags=["widget"])


@router.get("/widget.js", include_in_schema=False)
async def widget_js(request: Request) -> Response:
    return await serve_asset(
        request, STATIC_DIR / "widget.js", "application/javascript; charset=utf-8", "public, max-age=300"
    )


@router.get("/demo", include_in_schema=False)
async def demo_page() -> HTMLResponse:
    """A mock shop page ("Toko Contoh") with the widget embedded as a shop would embed it."""
    asset = await run_in_threadpool(load_asset, STATIC_DIR / "demo.html")
    return HTMLResponse(asset.body, headers={"Cache-Control": "no-cache"})
