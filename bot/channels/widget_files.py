"""Files a customer attaches in the widget: `POST /api/widget/upload`, and `GET /media/uploads/{name}` where
the action server fetches them as return evidence (loopback only).

One JPEG, PNG, WebP or PDF per upload (declared type and first bytes must both say so), at most
EVIDENCE_MAX_BYTES. The file name carries the uploading session's key prefix and 32 random characters: a
message may only refer to files its own session uploaded (`own_media`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import secrets
import shutil
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from bot.config import Settings
from bot.infra.ratelimit import MessageLimits
from bot.services.evidence import ALLOWED_TYPES, SNIFF_BYTES, sniff_type

if TYPE_CHECKING:
    from bot.channels.webchat import WidgetChannel

log = logging.getLogger(__name__)

router = APIRouter(tags=["widget"])

MAX_MEDIA = 5
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,128}")
# {the session's sha256[:16]}-{random}.{ext}: tells which session uploaded a file, unguessable.
UPLOAD_NAME = re.compile(r"([0-9a-f]{16})-([A-Za-z0-9_-]{32})(\.jpg|\.png|\.webp|\.pdf)")
UPLOAD_TYPES = {t: ALLOWED_TYPES[t] for t in ("image/jpeg", "image/png", "image/webp", "application/pdf")}
TYPE_BY_SUFFIX = {suffix: content_type for content_type, suffix in UPLOAD_TYPES.items()}
MULTIPART_OVERHEAD = 16_384  # boundaries and part headers around the file
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",  # the widget runs on the shops' pages; the token is a header
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, X-Widget-Token",
    "Access-Control-Max-Age": "600",
}


def session_key(token: str) -> str:
    """What the database knows of a widget session: sha256 of its token (hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def upload_url(settings: Settings, name: str) -> str:
    return f"http://127.0.0.1:{settings.gateway_port}/media/uploads/{name}"


def own_media(items: Any, key: str, settings: Settings) -> list[dict[str, str]]:
    """The media of a message that this session uploaded here; anything else is dropped (the action
    server fetches these URLs, so a URL from the browser must not send it anywhere else)."""
    if not isinstance(items, list):
        return []
    kept: list[dict[str, str]] = []
    prefix = upload_url(settings, "")
    for item in items[:MAX_MEDIA]:
        url = item.get("url") if isinstance(item, dict) else None
        match = UPLOAD_NAME.fullmatch(url.removeprefix(prefix)) if isinstance(url, str) else None
        if not isinstance(url, str) or not url.startswith(prefix) or match is None:
            log.warning("widget media dropped: not an upload URL")
            continue
        if match.group(1) != key[:16] or not (settings.upload_dir / match.group(0)).is_file():
            log.warning("widget media dropped: not uploaded by this session")
            continue
        kept.append({"url": url, "content_type": TYPE_BY_SUFFIX[match.group(3)]})
    return kept


class _TooLarge(Exception):
    pass


def _fail(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=CORS_HEADERS)


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        yield chunk


def _keep(upload: UploadFile, dest_dir: Path, name: str) -> None:
    dest_dir.mkdir(parents=True, exist_ok=True)
    upload.file.seek(0)
    with tempfile.NamedTemporaryFile(dir=dest_dir, delete=False, suffix=".part") as tmp:
        shutil.copyfileobj(upload.file, tmp)
    Path(tmp.name).replace(dest_dir / name)


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/api/widget/upload",
    status_code=201,
    openapi_extra=_UPLOAD_BODY,
    responses={
        201: {"description": '`{"url", "content_type"}`: pass it in the next message\'s `media`.'},
        400: {"description": "Not a multipart body with one `file`."},
        401: {"description": "No or unknown `X-Widget-Token` (open the chat first)."},
        413: {"description": "Larger than EVIDENCE_MAX_BYTES."},
        415: {"description": "Not a JPEG, PNG, WebP or PDF (by declared type and by content)."},
        429: {
            "description": "Too many uploads from this session or address (RATE_LIMIT_*); see Retry-After."
        },
    },
)
async def upload(request: Request, x_widget_token: Annotated[str | None, Header()] = None) -> JSONResponse:
    """A file the customer attaches in the widget: one JPEG, PNG, WebP or PDF."""
    state = request.app.state
    settings: Settings = state.settings
    channel: WidgetChannel = state.widget
    max_bytes = settings.evidence_max_bytes
    key = session_key(x_widget_token) if x_widget_token and TOKEN.fullmatch(x_widget_token) else None
    if key is None or not await channel.known(key):
        return _fail(401, "missing or unknown X-Widget-Token: connect to /ws/chat first")
    # Every upload takes disk: counted like a message, per session and per address (RATE_LIMIT_*).
    limits: MessageLimits = state.limits
    verdict = await limits.check(
        sender=f"upload:{key}", address=request.client.host if request.client else None
    )
    if not verdict.allowed:
        refused = _fail(429, f"too many uploads: try again in {verdict.retry_after} s")
        refused.headers["Retry-After"] = str(verdict.retry_after)
        return refused
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return _fail(415, "send multipart/form-data with one field named `file`")
    length = request.headers.get("content-length")
    if length is not None and not length.isdigit():
        return _fail(400, "bad Content-Length")
    if length is not None and int(length) > max_bytes + MULTIPART_OVERHEAD:
        return _fail(413, f"file too large: at most {max_bytes} bytes")
    parser = MultiPartParser(
        request.headers, _limited(request, max_bytes + MULTIPART_OVERHEAD), max_files=1, max_fields=5
    )
    try:
        form = await parser.parse()
    except _TooLarge:
        return _fail(413, f"file too large: at most {max_bytes} bytes")
    except MultiPartException as exc:
        return _fail(400, f"bad multipart body: {exc.message}")
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            return _fail(400, "missing the `file` field")
        if file.size is not None and file.size > max_bytes:
            return _fail(413, f"file too large: at most {max_bytes} bytes")
        declared = (file.content_type or "").split(";")[0].strip().lower()
        await file.seek(0)
        sniffed = sniff_type(await file.read(SNIFF_BYTES))
        if declared not in UPLOAD_TYPES or sniffed not in UPLOAD_TYPES:
            return _fail(415, "only JPEG, PNG or WebP images and PDF files are accepted")
        name = f"{key[:16]}-{secrets.token_urlsafe(24)}{UPLOAD_TYPES[sniffed]}"
        await run_in_threadpool(_keep, file, settings.upload_dir, name)
    finally:
        await form.close()
    return JSONResponse(
        {"url": upload_url(settings, name), "content_type": sniffed}, status_code=201, headers=CORS_HEADERS
    )


@router.options("/api/widget/upload", include_in_schema=False)
async def upload_preflight() -> Response:
    return Response(status_code=204, headers=CORS_HEADERS)


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/media/uploads/{name}", include_in_schema=False)
async def uploaded_file(name: str, request: Request) -> Response:
    """An uploaded file, for the action server (loopback only; the name is unguessable)."""
    settings: Settings = request.app.state.settings
    match = UPLOAD_NAME.fullmatch(name)
    path = settings.upload_dir / name
    if match is None or not _is_loopback(request.client.host if request.client else None):
        return JSONResponse({"detail": "not found"}, status_code=404)
    if not await run_in_threadpool(path.is_file):
        return JSONResponse({"detail": "not found"}, status_code=404)
    return FileResponse(
        path,
        media_type=TYPE_BY_SUFFIX[match.group(3)],
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )
