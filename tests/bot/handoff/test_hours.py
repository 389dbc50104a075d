"""CS hours: Asia/Jakarta, working days only, and the honest "when" in the queue message."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.config import Settings
from bot.handoff.desk import QueueInfo, queue_text
from bot.handoff.hours import is_open, next_opening
from bot.services.timefmt import JAKARTA

SETTINGS = Settings(cs_hours_start=time(8, 0), cs_hours_end=time(17, 0))


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=JAKARTA)


def test_open_on_a_working_day_within_hours_only() -> None:
    assert is_open(wib(2026, 12, 2, 9, 0), SETTINGS)  # Wednesday
    assert not is_open(wib(2026, 12, 2, 17, 0), SETTINGS)  # "maksimal jam 5 sore"
    assert not is_open(wib(2026, 12, 2, 7, 59), SETTINGS)
    assert not is_open(wib(2026, 12, 5, 10, 0), SETTINGS)  # Saturday
    assert not is_open(wib(2026, 12, 25, 10, 0), SETTINGS)  # Christmas, a national holiday


def test_the_clock_is_jakarta_whatever_the_server_zone() -> None:
    assert is_open(datetime(2026, 12, 2, 2, 0, tzinfo=UTC), SETTINGS)  # 09:00 WIB
    assert not is_open(datetime(2026, 12, 2, 11, 0, tzinfo=UTC), SETTINGS)  # 18:00 WIB


def test_next_opening_skips_evenings_weekends_and_holidays() -> None:
    assert next_opening(wib(2026, 12, 2, 18, 0), SETTINGS) == wib(2026, 12, 3, 8, 0)
    assert next_opening(wib(2026, 12, 4, 17, 30), SETTINGS) == wib(2026, 12, 7, 8, 0)  # Fri -> Mon
    assert next_opening(wib(2026, 12, 24, 18, 0), SETTINGS) > wib(2026, 12, 25, 23, 0)  # not on Christmas
    assert next_opening(wib(2026, 12, 2, 6, 0), SETTINGS) == wib(2026, 12, 2, 8, 0)


def test_the_queue_message_is_honest_about_when() -> None:
    soon = QueueInfo(
        position=2, online_agents=1, open_now=True, next_open=wib(2026, 12, 2, 9), estimate_minutes=10
    )
    assert "urutan ke-2" in queue_text(soon, SETTINGS)
    assert "sekitar 10 menit" in queue_text(soon, SETTINGS)
    closed = QueueInfo(
        position=1, online_agents=0, open_now=False, next_open=wib(2026, 12, 3, 8), estimate_minutes=None
    )
    text = queue_text(closed, SETTINGS)
    assert "di luar jam layanan" in text
    assert "Kamis, 3 Des 2026 pukul 08.00 WIB" in text
    assert '"komplain"' in text  # a ticket is offered instead of silence
    nobody = QueueInfo(
        position=3, online_agents=0, open_now=True, next_open=wib(2026, 12, 2, 9), estimate_minutes=None
    )
    assert "sedang tidak tersedia" in queue_text(nobody, SETTINGS)
