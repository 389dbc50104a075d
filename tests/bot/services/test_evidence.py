"""Evidence fetched from a real local media server: kept when it is a photo/video/PDF within the limit."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.services.evidence import EvidenceRejected, EvidenceUnavailable, fetch_evidence, remove_orphans
from bot.services.orders import get_order_backend
from bot.store import db
from tests.factories import a_return
from tests.fakes.media_server import EXE, JPEG, PDF, MediaServer


@pytest.fixture
def media() -> Iterator[MediaServer]:
    with MediaServer().running() as server:
        yield server


def test_a_photo_is_stored_by_its_checksum(media, tmp_path):
    url = media.add("rusak.jpg", "image/jpeg", JPEG)
    stored = fetch_evidence(url, dest_dir=tmp_path, max_bytes=1_000_000, declared_type="image/jpeg")
    assert stored.content_type == "image/jpeg"
    assert stored.size_bytes == len(JPEG)
    assert stored.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert Path(stored.stored_path).read_bytes() == JPEG
    again = fetch_evidence(url, dest_dir=tmp_path, max_bytes=1_000_000)
    assert again.stored_path == stored.stored_path
    assert sorted(p.name for p in tmp_path.iterdir()) == [Path(stored.stored_path).name]  # no .part left


def test_a_pdf_spj_is_accepted(media, tmp_path):
    stored = fetch_evidence(media.add("spj.pdf", "application/pdf", PDF), dest_dir=tmp_path, max_bytes=10_000)
    assert stored.content_type == "application/pdf"


def test_an_executable_dressed_as_a_photo_is_refused_and_not_kept(media, tmp_path):
    url = media.add("foto.jpg", "image/jpeg", EXE)
    with pytest.raises(EvidenceRejected, match="JPG/PNG"):
        fetch_evidence(url, dest_dir=tmp_path, max_bytes=10_000, declared_type="image/jpeg")
    assert list(tmp_path.iterdir()) == []


def test_a_declared_unsupported_type_is_refused_before_download(media, tmp_path):
    url = media.add("lagu.mp3", "audio/mpeg", b"ID3" + b"\x00" * 50)
    with pytest.raises(EvidenceRejected):
        fetch_evidence(url, dest_dir=tmp_path, max_bytes=10_000, declared_type="audio/mpeg")


def test_a_file_over_the_limit_is_refused(media, tmp_path):
    url = media.add("besar.jpg", "image/jpeg", JPEG + b"\x00" * 5000)
    with pytest.raises(EvidenceRejected, match="terlalu besar"):
        fetch_evidence(url, dest_dir=tmp_path, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_file_or_a_bad_url_is_unavailable_or_refused(media, tmp_path):
    with pytest.raises(EvidenceUnavailable):
        fetch_evidence(f"{media.url}/hilang.jpg", dest_dir=tmp_path, max_bytes=10_000)
    with pytest.raises(EvidenceRejected):
        fetch_evidence("file:///etc/passwd", dest_dir=tmp_path, max_bytes=10_000)


def test_files_no_return_refers_to_are_removed_once_old(database_url, tmp_path):
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    day_old = time.time() - 25 * 3600
    files = {name: evidence / name for name in ("kept.jpg", "abandoned.jpg", "fresh.jpg", "x.part")}
    for path in files.values():
        path.write_bytes(JPEG)
    for name in ("kept.jpg", "abandoned.jpg", "x.part"):
        os.utime(files[name], (day_old, day_old))
    with db.session_scope() as session:
        request = a_return(session, get_order_backend().get_order("UK-2611-002463"))
        for row in request.evidence:
            row.stored_path = str(files["kept.jpg"])
        session.flush()
        removed = remove_orphans(session, evidence, timedelta(hours=24))
    assert sorted(p.name for p in removed) == ["abandoned.jpg", "x.part"]
    assert sorted(p.name for p in evidence.iterdir()) == ["fresh.jpg", "kept.jpg"]


def test_storing_a_file_again_makes_it_fresh(media, tmp_path):
    url = media.add("rusak.jpg", "image/jpeg", JPEG)
    first = Path(fetch_evidence(url, dest_dir=tmp_path, max_bytes=100_000).stored_path)
    os.utime(first, (0, 0))
    again = Path(fetch_evidence(url, dest_dir=tmp_path, max_bytes=100_000).stored_path)
    assert again == first
    assert first.stat().st_mtime > time.time() - 60
