import pytest

from bot.services.identity import check_contact, extract_email, is_owner_phone, mask_phone, normalize_phone
from bot.services.orders import get_order_backend


@pytest.mark.parametrize(
    "text",
    [
        "081322740915",
        "0813-2274-0915",
        "+62 813 2274 0915",
        "6281322740915",
        "no hp sy 0813 2274 0915 kak",
        "+6281322740915",
    ],
)
def test_normalize_phone_accepts_the_forms_people_type(text):
    assert normalize_phone(text) == "+6281322740915"


@pytest.mark.parametrize("text", ["12345", "halo", "", None, "0812"])
def test_normalize_phone_rejects_non_numbers(text):
    assert normalize_phone(text) is None


def test_extract_email_lowercases():
    assert extract_email("email sy Siti.Rahmawati@Gmail.com ya") == "siti.rahmawati@gmail.com"
    assert extract_email("tidak ada") is None


def test_check_contact_by_phone_or_email(database_url):
    order = get_order_backend().get_order("UK-2611-008170")
    assert check_contact(order, "0813 2274 0915").matches
    assert check_contact(order, "SITI.RAHMAWATI@gmail.com").matches
    wrong = check_contact(order, "081234567890")
    assert wrong.given
    assert not wrong.matches
    nothing = check_contact(order, "saya lupa")
    assert not nothing.given
    assert not nothing.matches


def test_owner_phone_from_channel(database_url):
    order = get_order_backend().get_order("UK-2611-008170")
    assert is_owner_phone(order, "whatsapp:+6281322740915".removeprefix("whatsapp:"))
    assert is_owner_phone(order, "081322740915")
    assert not is_owner_phone(order, "+6281265438807")
    assert not is_owner_phone(order, None)


def test_mask_phone():
    assert mask_phone("+6281322740915") == "+62813****0915"
    assert mask_phone(None) == "-"
