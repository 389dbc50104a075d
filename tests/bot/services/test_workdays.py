from datetime import date

import pytest

from bot.services.workdays import add_working_days, holiday_name, is_working_day, working_days_between


def test_weekends_are_not_working_days():
    assert is_working_day(date(2026, 12, 1))  # a Tuesday
    assert not is_working_day(date(2026, 12, 5))  # Saturday
    assert not is_working_day(date(2026, 12, 6))  # Sunday


def test_christmas_and_its_joint_leave_day_are_skipped():
    assert holiday_name(date(2026, 12, 25)) is not None
    assert not is_working_day(date(2026, 12, 24))  # cuti bersama
    assert is_working_day(date(2026, 12, 24), skip_joint_leave=False)
    # Monday 21 Dec + 5 working days: 22, 23, (24-27 off), 28, 29, 30
    assert add_working_days(date(2026, 12, 21), 5) == date(2026, 12, 30)
    assert add_working_days(date(2026, 12, 21), 5, skip_joint_leave=False) == date(2026, 12, 29)


def test_eid_al_fitr_week_is_skipped():
    # Wednesday 18 March 2026 (Nyepi joint leave) .. Tuesday 24 March are all off
    assert add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 12, 4), 1, date(2026, 12, 7)),  # Friday -> Monday
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # received on Saturday
        (date(2026, 12, 1), 0, date(2026, 12, 1)),
    ],
)
def test_counting_starts_the_day_after_receipt(start, days, expected):
    assert add_working_days(start, days) == expected


def test_working_days_between_is_the_inverse_of_adding():
    start = date(2026, 11, 20)
    for days in range(0, 30):
        assert working_days_between(start, add_working_days(start, days)) == days


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match=">= 0"):
        add_working_days(date(2026, 12, 1), -1)
