"""The quarterly complaint report a PUJK sends to OJK (due on the 10th after the quarter ends), as CSV.

`python -m bot.reports complaints --quarter 2026Q4 [--out FILE]` and GET /api/agent/reports/complaints.
One row per (category, channel) of complaints received in the quarter, then a TOTAL row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from statistics import mean

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.complaints import local_date
from bot.services.timefmt import JAKARTA
from bot.services.workdays import working_days_between
from bot.store.models import Complaint

COLUMNS = (
    "kategori",
    "kanal",
    "diterima",
    "masih_diproses",
    "selesai",
    "selesai_tepat_waktu",
    "melewati_batas_waktu",
    "diperpanjang",
    "rata_rata_hari_kerja_penyelesaian",
)
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """'2026Q4' -> (2026-10-01, 2027-01-01): the first day and the day after the last."""
    match = _QUARTER.match(quarter.strip().upper())
    if not match:
        raise ValueError(f"quarter must look like 2026Q4, not {quarter!r}")
    year, q = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end


@dataclass
class _Group:
    received: int = 0
    open: int = 0
    resolved: int = 0
    on_time: int = 0
    breached: int = 0
    extended: int = 0
    days_to_resolve: list[int] = field(default_factory=list)

    def add(self, c: Complaint, today: date) -> None:
        self.received += 1
        self.extended += c.extended_at is not None
        if c.resolved_at is None:
            self.open += 1
            self.breached += c.due_date < today
            return
        resolved_on = local_date(c.resolved_at)
        self.resolved += 1
        self.days_to_resolve.append(working_days_between(local_date(c.received_at), resolved_on))
        if resolved_on <= c.due_date:
            self.on_time += 1
        else:
            self.breached += 1

    def row(self, category: str, channel: str) -> list[str | int]:
        average = f"{mean(self.days_to_resolve):.1f}" if self.days_to_resolve else ""
        return [
            category,
            channel,
            self.received,
            self.open,
            self.resolved,
            self.on_time,
            self.breached,
            self.extended,
            average,
        ]


def complaint_report(session: Session, quarter: str, *, today: date | None = None) -> str:
    start, end = quarter_bounds(quarter)
    since = datetime.combine(start, time.min, JAKARTA)
    until = datetime.combine(end, time.min, JAKARTA)
    today = today or local_date(datetime.now(JAKARTA))
    complaints = session.scalars(
        select(Complaint).where(Complaint.received_at >= since, Complaint.received_at < until)
    )
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)
    total = _Group()
    for complaint in complaints:
        groups[(complaint.category, complaint.channel)].add(complaint, today)
        total.add(complaint, today)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for (category, channel), group in sorted(groups.items()):
        writer.writerow(group.row(category, channel))
    writer.writerow(total.row("TOTAL", ""))
    return out.getvalue()
