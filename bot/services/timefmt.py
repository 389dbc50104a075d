"""Dates and times the way an Indonesian customer reads them: "Senin, 23 Nov 2026 pukul 14.30 WIB"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def format_wib(moment: datetime) -> str:
    local = moment.astimezone(JAKARTA)
    return (
        f"{_DAYS[local.weekday()]}, {local.day} {_MONTHS[local.month - 1]} {local.year} "
        f"pukul {local.hour:02d}.{local.minute:02d} WIB"
    )


def format_date(day: date) -> str:
    return f"{_DAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")
