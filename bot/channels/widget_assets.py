"""`GET /widget.js` (the one file a shop embeds, cached with ETag/Last-Modified) and `GET /demo` (a mock shop
page with the widget on it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

router = APIRouter(tags=["widget"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@dataclass(frozen=True)
class _Asset:
    body: bytes
    etag: str
    modified: float


_assets: dict[Path, tuple[tuple[int, int], _Asset]] = {}


def _asset(path: Path) -> _Asset:
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _assets.get(path)
    if cached is None or cached[0] != stamp:
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        cached = (stamp, _Asset(body, etag, int(stat.st_mtime)))
        _assets[path] = cached
    return cached[1]


def _not_modified(request: Request, asset: _Asset) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or asset.etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            return parsedate_to_datetime(if_modified_since).timestamp() >= asset.modified
        except (TypeError, ValueError):
            return False
    return False


@router.get("/widget.js", include_in_schema=False)
async def widget_js(request: Request) -> Response:
    asset = await run_in_threadpool(_asset, STATIC_DIR / "widget.js")
    headers = {
        "Cache-Control": "public, max-age=300",
        "ETag": asset.etag,
        "Last-Modified": formatdate(asset.modified, usegmt=True),
        "X-Content-Type-Options": "nosniff",
    }
    if _not_modified(request, asset):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type="application/javascript; charset=utf-8", headers=headers)


@router.get("/demo", include_in_schema=False)
async def demo_page() -> HTMLResponse:
    """A mock shop page ("Toko Contoh") with the widget embedded as a shop would embed it."""
    asset = await run_in_threadpool(_asset, STATIC_DIR / "demo.html")
    return HTMLResponse(asset.body, headers={"Cache-Control": "no-cache"})
