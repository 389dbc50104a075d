"""Indonesian working days: weekends, national holidays and (by default) cuti bersama are skipped.

Holidays come from the `holidays` package (Indonesia, `public` category, plus the `government`
category that holds the joint-leave days, cuti bersama, that the government designates each year).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=4)
def _calendar(include_joint_leave: bool) -> holidays.HolidayBase:
    categories = ("public", "government") if include_joint_leave else ("public",)
    return holidays.country_holidays("ID", categories=categories)


def is_working_day(day: date, *, skip_joint_leave: bool = True) -> bool:
    return day.weekday() < 5 and day not in _calendar(skip_joint_leave)


def holiday_name(day: date, *, skip_joint_leave: bool = True) -> str | None:
    return _calendar(skip_joint_leave).get(day)


def add_working_days(start: date, days: int, *, skip_joint_leave: bool = True) -> date:
    """The date `days` working days after `start`; the day of receipt itself does not count."""
    if days < 0:
        raise ValueError("days must be >= 0")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, skip_joint_leave=skip_joint_leave):
            remaining -= 1
    return current


def working_days_between(start: date, end: date, *, skip_joint_leave: bool = True) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current, skip_joint_leave=skip_joint_leave):
            count += 1
    return count
