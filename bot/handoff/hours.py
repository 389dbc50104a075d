"""CS opening hours: Asia/Jakarta, on Indonesian working days (weekends and national holidays closed)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Settings
from bot.services.timefmt import JAKARTA
from bot.services.workdays import is_working_day


def is_open(now: datetime, settings: Settings) -> bool:
    local = now.astimezone(JAKARTA)
    return (
        is_working_day(local.date(), skip_joint_leave=settings.complaint_skip_joint_leave)
        and settings.cs_hours_start <= local.time().replace(tzinfo=None) < settings.cs_hours_end
    )


def next_opening(now: datetime, settings: Settings) -> datetime:
    """When CS is next open (now, if it is open)."""
    if is_open(now, settings):
        return now
    local = now.astimezone(JAKARTA)
    day = local.date()
    if local.time().replace(tzinfo=None) >= settings.cs_hours_start:
        day += timedelta(days=1)
    while not is_working_day(day, skip_joint_leave=settings.complaint_skip_joint_leave):
        day += timedelta(days=1)
    return datetime.combine(day, settings.cs_hours_start, tzinfo=JAKARTA)


def hours_text(settings: Settings) -> str:
    start, end = settings.cs_hours_start, settings.cs_hours_end
    return f"{start:%H.%M}–{end:%H.%M} WIB, Senin–Jumat kecuali hari libur nasional"
