"""The time the actions reason with: the real clock, or CLOCK_OVERRIDE in tests (see bot/config.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import get_settings


def now() -> datetime:
    return get_settings().clock_override or datetime.now(UTC)
