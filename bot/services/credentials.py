"""OTP codes and passwords typed by customers: recognised, and redacted before anything is stored.

The help centre is explicit (FAQ 99% Usahaku — Keamanan Akun): nobody, the platform's own staff
included, may ask for a password or an OTP. The bot never asks, warns when a customer offers one, and
keeps only the redacted text.

Only a value that looks like a secret is one: a code of 4-8 digits after an OTP/PIN word, a token mixing
letters with digits or symbols (6+ characters) after a password word. Questions about passwords ("kalau lupa
password 99% Usahaku gimana", "sandi salah terus2an") are sentences to answer, not secrets to censor.
"""

from __future__ import annotations

import re

# "nya", "saya", "baru", "=" ... between the word and the value: "password akun saya: X", "otp nya 123456"
_FILLER = r"(?:\s*(?:nya|ku|saya|sy|aku|ny|akun|baru|lama|yg|yang)\b)*\s*(?:adalah|yaitu|itu|:|=|-)?\s*"
_CODE_WORD = r"(?:kode\s+)?(?:otp|one[\s-]?time[\s-]?password|kode\s+verifikasi|kode\s+aktivasi|pin)"
_PASSWORD_WORD = r"(?:password|passwd|pass|kata\s*sandi|sandi)"  # noqa: S105 - the words, not a secret

_CODE = re.compile(rf"\b({_CODE_WORD})({_FILLER})(\d{{4,8}})(?![\w%])", re.IGNORECASE)
_PASSWORD = re.compile(rf"\b({_PASSWORD_WORD})({_FILLER})([^\s,.;]{{6,}})", re.IGNORECASE)
# Indonesian writes reduplication with a 2 ("terus2an", "masuk2", "kali2nya"): a word, not a password.
_REDUPLICATION = re.compile(r"^[a-z]+2(?:an|nya|lah|kan)?[!?]*$", re.IGNORECASE)
REDACTED = "[disensor]"


def _is_password(token: str) -> bool:
    has_letter = re.search(r"[A-Za-z]", token) is not None
    has_other = re.search(r"[\d!@#$%^&*_+=?]", token) is not None
    return has_letter and has_other and not _REDUPLICATION.match(token) and not token.endswith("?")


def _redact(match: re.Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)}{REDACTED}"


def redact_credentials(text: str) -> str:
    text = _CODE.sub(_redact, text)
    return _PASSWORD.sub(lambda m: _redact(m) if _is_password(m.group(3)) else m.group(0), text)


def contains_credential(text: str | None) -> bool:
    return bool(text) and redact_credentials(text or "") != text
