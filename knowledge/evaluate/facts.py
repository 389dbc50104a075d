"""Whether an answer states the facts a dev question expects."""

from __future__ import annotations

import re

# Function words and forms of address that a chat answer legitimately rewords ("Anda" → "Kakak").
_FILLER = frozenset(
    [
        "di",
        "ke",
        "dari",
        "pada",
        "yang",
        "dan",
        "atau",
        "untuk",
        "dengan",
        "dalam",
        "akan",
        "ini",
        "itu",
        "anda",
        "saya",
        "kakak",
        "kak",
        "kami",
        "kita",
        "ada",
        "adalah",
        "juga",
        "sudah",
        "telah",
        "bisa",
        "dapat",
        "agar",
        "jika",
        "maka",
        "oleh",
        "sebagai",
        "per",
        "tersebut",
    ]
)
_WORD = re.compile(r"\w+")
FACT_WORD_SHARE = 0.75


def _numbers(text: str) -> set[str]:
    """Numbers with their thousands separators removed: "Rp 230.000,-" and "Rp230000" are one amount."""
    return {m.replace(".", "") for m in re.findall(r"\d[\d.]*\d|\d", text)}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if not w.isdigit() and w not in _FILLER}


def _has_word(word: str, body: set[str]) -> bool:
    # an Indonesian affix may differ between document and answer ("meminta"/"minta", "dikirim"/"kirim")
    return word in body or (len(word) >= 4 and any(word in w or (len(w) >= 4 and w in word) for w in body))


def contains_fact(text: str, fact: str) -> bool:
    """Whether an answer states a fact: verbatim, or with every number of the fact and at least three quarters
    of its content words (answers are rewritten for chat, so "Pengajuan Anda akan ditolak" may read
    "Pengajuan KreditUsaha Kakak akan ditolak")."""
    squashed = re.sub(r"[\W_]+", "", text.lower())
    if re.sub(r"[\W_]+", "", fact.lower()) in squashed:
        return True
    if not _numbers(fact) <= _numbers(text):
        return False
    words, body = _words(fact), _words(text)
    if not words:
        return True
    return sum(_has_word(w, body) for w in words) / len(words) >= FACT_WORD_SHARE


def contains_facts(text: str, facts: list[str] | tuple[str, ...]) -> bool:
    return all(contains_fact(text, f) for f in facts)
