"""The agent console in the browser: `GET /agent` (the page) and its script and stylesheet.

Plain HTML, CSS and JavaScript from bot/static (no build step, nothing from a CDN). The page talks to the
JSON API under /api/agent and the WebSocket /ws/agent (docs/agent-console.md). It is served with a strict
Content-Security-Policy: only this origin's script and stylesheet, no inline code, no framing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.static_assets import STATIC_DIR, serve_asset

router = APIRouter(tags=["agent console"])

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# The console changes with the API it talks to: browsers revalidate every time (a cheap 304 when unchanged).
REVALIDATE = "no-cache"


@router.get("/agent", include_in_schema=False)
async def console_page(request: Request) -> Response:
    """The console page: a login form, then the queue, the conversation and the customer's cases."""
    return await serve_asset(
        request, STATIC_DIR / "agent.html", "text/html; charset=utf-8", REVALIDATE, PAGE_HEADERS
    )


@router.get("/agent/agent.js", include_in_schema=False)
async def console_script(request: Request) -> Response:
    return await serve_asset(
        request, STATIC_DIR / "agent.js", "application/javascript; charset=utf-8", REVALIDATE
    )


@router.get("/agent/reports.js", include_in_schema=False)
async def reports_script(request: Request) -> Response:
    """The supervisor's "Laporan" page (charts drawn as SVG in the browser)."""
    return await serve_asset(
        request, STATIC_DIR / "reports.js", "application/javascript; charset=utf-8", REVALIDATE
    )


@router.get("/agent/agent.css", include_in_schema=False)
async def console_stylesheet(request: Request) -> Response:
    return await serve_asset(request, STATIC_DIR / "agent.css", "text/css; charset=utf-8", REVALIDATE)
