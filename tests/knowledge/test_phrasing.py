import pytest

from bot.conversations.texts import MEDIA_ONLY_TEXT
from knowledge.phrasing import is_question, is_story, only_hands_over


@pytest.mark.parametrize(
    "text",
    [
        "gimana cara bayar pakai gopay?",
        "berapa lama refund masuk",
        "kalau lupa password bisa reset sendiri",
        "ongkirnya ditanggung siapa",
        "jam buka cs kpn",
    ],
)
def test_questions(text: str) -> None:
    assert is_question(text)


@pytest.mark.parametrize(
    "text", ["Siti Rahmawati", "0813-2274-0915", "UK-2611-008170", "halo kak", "tidak ada"]
)
def test_answers_to_a_form_are_not_questions(text: str) -> None:
    assert not is_question(text)


def test_a_story_is_a_long_message_not_a_button() -> None:
    assert is_story("dana refund saya sudah 2 minggu belum masuk padahal pesanan dibatalkan")
    assert not is_story("mau komplain")
    assert not is_story("/file_complaint" + " x" * 10)


@pytest.mark.parametrize(
    "caption",
    ["", MEDIA_ONLY_TEXT, "ini kak", "fotonya min 🙏", "berikut buktinya ya", "ss nya kak", "Ini, Kak!"],
)
def test_a_caption_that_only_hands_the_file_over(caption: str) -> None:
    assert only_hands_over(caption)


@pytest.mark.parametrize(
    "caption",
    ["paketnya pecah kak", "ini barangnya rusak", "mau retur", "ini resinya kak", "kak ini kenapa ya?"],
)
def test_a_caption_that_says_something_is_read_by_nlu(caption: str) -> None:
    assert not only_hands_over(caption)
