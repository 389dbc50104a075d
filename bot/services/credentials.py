"""OTP codes and passwords typed by customers: recognised, and redacted before anything is stored.

The help centre is explicit (FAQ 99% Usahaku — Keamanan Akun): nobody, the platform's own staff
included, may ask for a password or an OTP. The bot never asks, warns when a customer offers one, and
keeps only the redacted text.
"""

from __future__ import annotations

import re

_KEYWORD = (
    r"(?:kode\s+)?(?:otp|one[\s-]?time[\s-]?password|kode\s+verifikasi|kode\s+aktivasi"
    r"|password|passwd|pass|kata\s*sandi|sandi|pin)"
)
# "otp 123456", "OTP nya: 123456", "password sy Rahasia123", "kata sandinya = abc!123"; the secret must hold a
# digit or a symbol, so "password terblokir" stays a sentence about a password, not a password.
_SECRET_AFTER_KEYWORD = re.compile(
    rf"\b({_KEYWORD})(\s*(?:nya|ku|saya|sy|aku|ny)?\s*(?:adalah|yaitu|itu|:|=|-)?\s*)([^\s,.;]*[\d!@#$%^&*_+=?][^\s,.;]*)",
    re.IGNORECASE,
)
REDACTED = "[disensor]"


def contains_credential(text: str | None) -> bool:
    return bool(text) and _SECRET_AFTER_KEYWORD.search(text) is not None


def redact_credentials(text: str) -> str:
    return _SECRET_AFTER_KEYWORD.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
