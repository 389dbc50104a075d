import pytest

from knowledge.phrasing import is_question, is_story


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
