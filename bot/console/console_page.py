"""The agent console in the browser: `GET /agent` (the page) and its JavaScript modules and stylesheets.

Plain HTML, CSS and JavaScript from bot/static (no build step, nothing from a CDN). The page loads
bot/static/agent.js with `<script type="module">`, which imports the modules in bot/static/console/ and
bot/static/shared/; those and the stylesheets are served under /agent/ with the same relative paths. The
page talks to the JSON API under /api/agent and the WebSocket /ws/agent (docs/agent-console.md). It is
served with a strict Content-Security-Policy: only this origin's scripts (module scripts included) and
stylesheets, no inline code, no framing.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from bot.web.static_assets import STATIC_DIR, serve_asset

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
# The console's files besides the page: the entry script and stylesheet, and the modules and stylesheets of
# two folders, by name (no "..", no other file).
FILE_PATH = re.compile(r"agent\.(?:js|css)|(?:console|shared)/[a-z][a-z0-9_-]*\.(?:js|css)")
MEDIA_TYPES = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def console_file(path: str) -> Path | None:
    """The file in bot/static that `/agent/<path>` names if it is one of the console's files, else None."""
    if not FILE_PATH.fullmatch(path):
        return None
    file = (STATIC_DIR / path).resolve()
    return file if file.is_relative_to(STATIC_DIR) and file.is_file() else None


@router.get("/agent", include_in_schema=False)
async def console_page(request: Request) -> Response:
    """The console page: a login form, then the queue, the conversation and the customer's cases."""
    return await serve_asset(
        request, STATIC_DIR / "agent.html", "text/html; charset=utf-8", REVALIDATE, PAGE_HEADERS
    )


@router.get("/agent/{path:path}", include_in_schema=False)
async def console_asset(request: Request, path: str) -> Response:
    """agent.js and the modules it imports (console/*.js, shared/*.js) and the stylesheets; else 404."""
    file = await run_in_threadpool(console_file, path)
    if file is None:
        raise HTTPException(status_code=404, detail="Not Found")
    return await serve_asset(request, file, MEDIA_TYPES[file.suffix], REVALIDATE)
