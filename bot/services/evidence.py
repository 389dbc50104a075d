"""Evidence files for returns: fetched from the channel's media URL, checked, stored with a checksum.

Only images, videos and PDFs are kept, and only up to EVIDENCE_MAX_BYTES. The declared content type must
match the file's first bytes, so a renamed executable is not stored as a "photo". Files are stored under
EVIDENCE_DIR by their SHA-256, so a photo sent twice is stored once.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.store.models import ReturnEvidence

log = logging.getLogger(__name__)

ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "application/pdf": ".pdf",
}


class EvidenceRejected(Exception):
    """The file is not evidence we accept (type or size); the message is the Indonesian reason."""


class EvidenceUnavailable(Exception):
    """The media URL could not be fetched (network, 4xx/5xx): the customer may send it again."""


@dataclass(frozen=True)
class StoredEvidence:
    source_url: str
    stored_path: str
    content_type: str
    size_bytes: int
    sha256: str


# How many first bytes `sniff_type` needs.
SNIFF_BYTES = 16


def sniff_type(head: bytes) -> str | None:
    """The content type a file's first bytes say it has (one of ALLOWED_TYPES), or None.

    Shared by every way a file comes in (fetched evidence, the widget's uploads): what a client declares is
    never trusted alone.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"%PDF"):
        return "application/pdf"
    return None


def fetch_evidence(
    url: str,
    *,
    dest_dir: Path,
    max_bytes: int,
    declared_type: str | None = None,
    auth: tuple[str, str] | None = None,
    timeout_seconds: float = 15.0,
) -> StoredEvidence:
    if not url.startswith(("https://", "http://")):
        raise EvidenceRejected("Maaf Kak, tautan berkasnya tidak bisa kami buka.")
    if declared_type and declared_type.split(";")[0].strip().lower() not in ALLOWED_TYPES:
        raise EvidenceRejected(_type_reason())
    dest_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.NamedTemporaryFile(dir=dest_dir, delete=False, suffix=".part") as tmp:
        tmp_path = Path(tmp.name)
        try:
            with httpx.stream(
                "GET", url, auth=auth, timeout=timeout_seconds, follow_redirects=True
            ) as response:
                if response.status_code != 200:
                    raise EvidenceUnavailable(f"media URL answered {response.status_code}")
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise EvidenceRejected(_size_reason(max_bytes))
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise EvidenceRejected(_size_reason(max_bytes))
                    if len(head) < SNIFF_BYTES:
                        head = (head + chunk)[:SNIFF_BYTES]
                    digest.update(chunk)
                    tmp.write(chunk)
        except httpx.HTTPError as exc:
            tmp_path.unlink(missing_ok=True)
            raise EvidenceUnavailable(f"media URL failed: {type(exc).__name__}") from exc
        except BaseException:
            tmp_path.unlink(missing_ok=True)
            raise
    content_type = sniff_type(head)
    if content_type is None:
        tmp_path.unlink(missing_ok=True)
        raise EvidenceRejected(_type_reason())
    sha = digest.hexdigest()
    final = dest_dir / f"{sha}{ALLOWED_TYPES[content_type]}"
    if final.exists():  # the same file again: fresh for remove_orphans, which goes by age
        tmp_path.unlink()
        final.touch()
    else:
        tmp_path.replace(final)
    return StoredEvidence(url, str(final), content_type, size, sha)


def media_auth(url: str, settings: Settings) -> tuple[str, str] | None:
    """Twilio serves WhatsApp media behind the account's credentials; nobody else gets them."""
    base = settings.twilio_api_base_url.rstrip("/") + "/"
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if sid and token and url.startswith(base):
        return sid, token.get_secret_value()
    return None


def _type_reason() -> str:
    return "Maaf Kak, berkas itu tidak bisa kami terima. Kirimkan foto (JPG/PNG), video (MP4) atau PDF ya."


def _size_reason(max_bytes: int) -> str:
    limit = max_bytes // 1_000_000
    return f"Maaf Kak, berkasnya terlalu besar (maksimal {limit} MB). Boleh dikirim ulang yang lebih kecil?"


def remove_orphans(session: Session, evidence_dir: Path, older_than: timedelta) -> list[Path]:
    """Delete stored files no return refers to (the customer abandoned the form) and interrupted downloads,
    once they are older than `older_than`: photos of goods and delivery notes are personal data and are kept
    only for a return. Returns what was deleted."""
    if not evidence_dir.is_dir():
        return []
    kept = {Path(p).resolve() for p in session.scalars(select(ReturnEvidence.stored_path))}
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    for path in evidence_dir.iterdir():
        if path.is_file() and path.resolve() not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
