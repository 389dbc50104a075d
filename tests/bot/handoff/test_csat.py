import pytest

from bot.handoff.csat import BUTTONS, parse_rating


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", (5, "")),
        ("4 - Puas", (4, "")),
        ("3/5", (3, "")),
        ("5 bintang mantap", (5, "mantap")),
        ("2, balasnya lama banget", (2, "balasnya lama banget")),
        ("⭐⭐⭐⭐", (4, "")),
        ("nilai 1. kecewa", (1, "kecewa")),
    ],
)
def test_a_rating_with_or_without_a_comment(text, expected):
    assert parse_rating(text) == expected


@pytest.mark.parametrize("text", ["45 menit nunggu", "6", "0", "makasih kak", "INV/20261104/MPL/7712093", ""])
def test_other_messages_are_not_ratings(text):
    assert parse_rating(text) is None


def test_every_button_reads_as_its_own_rating():
    assert [parse_rating(b["title"]) for b in BUTTONS] == [(n, "") for n in range(1, 6)]
    assert [parse_rating(b["payload"]) for b in BUTTONS] == [(n, "") for n in range(1, 6)]
