"""The time calendar decisions reason with: the real clock, or CLOCK_OVERRIDE in tests (see bot/config.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import Settings, get_settings


def now(settings: Settings | None = None) -> datetime:
    return (settings or get_settings()).clock_override or datetime.now(UTC)
