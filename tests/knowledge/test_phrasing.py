import pytest

from bot.conversations.texts import MEDIA_ONLY_TEXT
from knowledge.phrasing import is_question, is_story, only_hands_over, without_preamble


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


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("halo kak, mau tanya cara bayar pakai VA BCA gimana", "cara bayar pakai VA BCA gimana"),
        ("permisi min, mau nanya kalau lupa password gimana", "kalau lupa password gimana"),
        ("selamat siang kak, saya mau tanya berapa lama refund masuk", "berapa lama refund masuk"),
        ("kak mau nanya dong, ongkir ditanggung siapa", "ongkir ditanggung siapa"),
        ("mau tanya kak, kapan refund masuk", "kapan refund masuk"),
        ("pagi min ongkir ke medan brp", "ongkir ke medan brp"),
    ],
)
def test_the_greeting_and_mau_tanya_before_a_question_are_not_searched_for(text: str, question: str) -> None:
    assert without_preamble(text) == question


@pytest.mark.parametrize(
    "text",
    [
        "halo kak",  # nothing would be left to search for
        "mau tanya dong",
        "mau nanya stok ke penjualnya lewat mana",  # asking the seller is the topic here
        "cs nya kemana ya",
        "saya tidak bisa login",
        "minimal bayar pake virtual account",
    ],
)
def test_what_is_not_a_preamble_is_kept(text: str) -> None:
    assert without_preamble(text) == text
