"""The quarterly complaint report: its rows match the tickets, from the service and the command line."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from bot.config import PROJECT_ROOT
from bot.services.complaint_report import COLUMNS, complaint_report, quarter_bounds
from bot.services.complaints import extend, file_complaint, record_step
from bot.store import db

IN_Q4 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # Monday 2 November 2026, 10:00 WIB


def _file(session, *, category: str, channel: str, now: datetime = IN_Q4):
    return file_complaint(
        session,
        customer_name="Budi",
        customer_phone="+6281234500002",
        description="keluhan",
        channel=channel,
        category=category,
        now=now,
    )


def _rows(text: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["kategori"], r["kanal"]): r for r in csv.DictReader(io.StringIO(text))}


def test_quarter_bounds():
    assert quarter_bounds("2026q4") == (date(2026, 10, 1), date(2027, 1, 1))
    assert quarter_bounds("2027Q1") == (date(2027, 1, 1), date(2027, 4, 1))
    with pytest.raises(ValueError, match="2026Q4"):
        quarter_bounds("2026-10")


def test_report_rows_match_the_tickets(database_url):
    with db.session_scope() as session:
        on_time = _file(session, category="refund", channel="whatsapp")
        record_step(session, on_time, kind="answered", actor="agent:dewi", note=None)
        on_time.resolved_at = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)  # 3 working days later
        late = _file(session, category="refund", channel="whatsapp")
        record_step(session, late, kind="answered", actor="agent:dewi", note=None)
        late.resolved_at = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)  # 10 working days, due after 5
        still_open = _file(session, category="pengiriman", channel="webchat")
        extend(session, still_open, reason="menunggu kurir", actor="agent:dewi")
        _file(session, category="refund", channel="whatsapp", now=datetime(2026, 9, 30, 3, tzinfo=UTC))
        text = complaint_report(session, "2026Q4", today=date(2026, 11, 20))
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = _rows(text)
    refund = rows[("refund", "whatsapp")]
    assert (refund["diterima"], refund["selesai"], refund["selesai_tepat_waktu"]) == ("2", "2", "1")
    assert refund["melewati_batas_waktu"] == "1"
    assert refund["rata_rata_hari_kerja_penyelesaian"] == "6.5"
    shipping = rows[("pengiriman", "webchat")]
    assert (shipping["masih_diproses"], shipping["diperpanjang"], shipping["melewati_batas_waktu"]) == (
        "1",
        "1",
        "0",
    )
    total = rows[("TOTAL", "")]
    assert total["diterima"] == "3"  # the September ticket belongs to Q3


def test_command_line_writes_the_csv(database_url, tmp_path):
    with db.session_scope() as session:
        _file(session, category="refund", channel="whatsapp")
    out = tmp_path / "q4.csv"
    subprocess.run(
        [sys.executable, "-m", "bot.reports", "complaints", "--quarter", "2026Q4", "--out", str(out)],
        cwd=PROJECT_ROOT,
        env={**__import__("os").environ, "DATABASE_URL": database_url},
        check=True,
    )
    assert _rows(out.read_text())[("TOTAL", "")]["diterima"] == "1"
    bad = subprocess.run(
        [sys.executable, "-m", "bot.reports", "complaints", "--quarter", "Q4"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "2026Q4" in bad.stderr
