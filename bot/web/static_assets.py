"""Files from bot/static served with an ETag and Last-Modified, answering 304 on revalidation.

Used by the widget (`/widget.js`, `/demo`) and the agent console (`/agent`, its modules and stylesheet).
A file is read once and kept in memory until its modification time or size changes. An asset may also be
built from several files (the widget with the helpers it shares with the console): validated over the built
bytes, dated by the newest part, rebuilt when any part changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@dataclass(frozen=True)
class Asset:
    body: bytes
    etag: str
    modified: int  # seconds since the epoch (HTTP dates have no fractions)


_assets: dict[Hashable, tuple[tuple[tuple[int, int], ...], Asset]] = {}


def load_asset(path: Path) -> Asset:
    """The file's bytes and validators (blocking: call it in a thread from async code)."""
    return load_built(path, [path], b"".join)


def load_built(key: Hashable, parts: Sequence[Path], build: Callable[[list[bytes]], bytes]) -> Asset:
    """`build(bytes of each part)` and its validators, kept under `key` until a part's modification time or
    size changes (blocking). The ETag is over the built bytes; Last-Modified is the newest part's time."""
    stats = [part.stat() for part in parts]
    stamp = tuple((stat.st_mtime_ns, stat.st_size) for stat in stats)
    cached = _assets.get(key)
    if cached is None or cached[0] != stamp:
        body = build([part.read_bytes() for part in parts])
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        cached = (stamp, Asset(body, etag, int(max(stat.st_mtime for stat in stats))))
        _assets[key] = cached
    return cached[1]


def not_modified(request: Request, asset: Asset) -> bool:
    """True when the client's copy is current (If-None-Match first, else If-Modified-Since)."""
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


async def serve_asset(
    request: Request,
    path: Path,
    media_type: str,
    cache_control: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """200 with the file, or 304 when the client's copy is current; `headers` are added to both."""
    asset = await run_in_threadpool(load_asset, path)
    return asset_response(request, asset, media_type, cache_control, headers)


def asset_response(
    request: Request,
    asset: Asset,
    media_type: str,
    cache_control: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """200 with the asset, or 304 when the client's copy is current; `headers` are added to both."""
    all_headers = {
        "Cache-Control": cache_control,
        "ETag": asset.etag,
        "Last-Modified": formatdate(asset.modified, usegmt=True),
        "X-Content-Type-Options": "nosniff",
        **(headers or {}),
    }
    if not_modified(request, asset):
        return Response(status_code=304, headers=all_headers)
    return Response(asset.body, media_type=media_type, headers=all_headers)
