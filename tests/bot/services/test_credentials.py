import pytest

from bot.services.credentials import contains_credential, redact_credentials


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("otp nya 123456 kak", "otp nya [disensor] kak"),
        ("ini kode OTP: 884213", "ini kode OTP: [disensor]"),
        ("password sy Rahasia123, tolong cek", "password sy [disensor], tolong cek"),
        ("kata sandinya = abc!2026", "kata sandinya = [disensor]"),
        ("pin saya 4321", "pin saya [disensor]"),
        ("password akun saya: Budi_2026 tolong dicek", "password akun saya: [disensor] tolong dicek"),
        ("OTP 12345678.", "OTP [disensor]."),
    ],
)
def test_a_credential_is_found_and_redacted(text, redacted):
    assert contains_credential(text)
    assert redact_credentials(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "saya lupa password, gimana resetnya",
        "kok kode otp ga masuk2 ke hp sy",
        "password terblokir gara2 salah 3x",
        "refund saya belum masuk sudah 3 minggu",
        "kalau lupa password 99% usahaku gimana",
        "kata sandi salah terus2an padahal udah bener",
        "pin atm saya keblokir",
        "kode otp 99% Usahaku ga masuk",
        "password minimal 8 karakter?",
        "",
    ],
)
def test_talking_about_passwords_is_not_a_credential(text):
    assert not contains_credential(text)
    assert redact_credentials(text) == text
