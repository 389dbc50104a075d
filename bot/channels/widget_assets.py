"""`GET /widget.js` (the one file a shop embeds, cached with ETag/Last-Modified) and `GET /demo` (a mock shop
page with the widget on it).

The widget shares its element builder, author kinds and reconnect backoff with the agent console, written
once in bot/static/shared/common.js, an ES module. A shop embeds one classic script, so the widget served is
bot/static/widget.js with that module pasted in at the line `// @inline shared/common.js`, without the
module's opening comment and `export` keywords (the module is written to stay valid that way: no imports,
only `export function` and `export var`). Its ETag is over the assembled bytes and its Last-Modified is the
newer file's time.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from bot.web.static_assets import STATIC_DIR, Asset, asset_response, load_asset, load_built

router = APIRouter(tags=["widget"])

WIDGET = STATIC_DIR / "widget.js"
SHARED = "shared/common.js"
SHARED_FILE = STATIC_DIR / SHARED
_MARKER = re.compile(rb"^([ \t]*)// @inline (\S+)[ \t]*\r?\n", re.MULTILINE)
_HEADER = re.compile(rb"\A\s*/\*.*?\*/\s*", re.DOTALL)  # the module's opening comment, about itself
_EXPORT = re.compile(rb"^export (?=function |var )", re.MULTILINE)
_MODULE_SYNTAX = re.compile(rb"^\s*(?:import|export)\b", re.MULTILINE)


def inline_shared(widget: bytes, shared: bytes) -> bytes:
    """The widget with the shared module pasted at its marker line: one classic script, no import or export.

    Raises ValueError when the widget does not have exactly one marker naming shared/common.js, or when the
    module has an import or an export other than `export function` / `export var` at the start of a line.
    """
    markers = list(_MARKER.finditer(widget))
    if len(markers) != 1 or markers[0].group(2) != SHARED.encode():
        raise ValueError(f"widget.js must have exactly one line `// @inline {SHARED}`")
    code = _EXPORT.sub(b"", _HEADER.sub(b"", shared, count=1))
    if _MODULE_SYNTAX.search(code):
        raise ValueError(f"{SHARED} may only use `export function` and `export var` to be inlined")
    marker = markers[0]
    indent = marker.group(1)
    lines = [indent + line if line.strip() else line for line in code.splitlines(keepends=True)]
    pasted = b"".join(lines).rstrip() + b"\n"
    return widget[: marker.start()] + pasted + widget[marker.end() :]


def load_widget() -> Asset:
    """The assembled widget and its validators, rebuilt when either file changes (blocking)."""
    parts = [WIDGET, SHARED_FILE]
    return load_built(tuple(parts), parts, lambda bodies: inline_shared(*bodies))


@router.get("/widget.js", include_in_schema=False)
async def widget_js(request: Request) -> Response:
    asset = await run_in_threadpool(load_widget)
    return asset_response(request, asset, "application/javascript; charset=utf-8", "public, max-age=300")


@router.get("/demo", include_in_schema=False)
async def demo_page() -> HTMLResponse:
    """A mock shop page ("Toko Contoh") with the widget embedded as a shop would embed it."""
    asset = await run_in_threadpool(load_asset, STATIC_DIR / "demo.html")
    return HTMLResponse(asset.body, headers={"Cache-Control": "no-cache"})
