"""Inputs for the fuzz and property tests, and a count of how many each test tried (printed at the end of
the run and written to var/fuzz-counts.json)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

TRIED: Counter[str] = Counter()
COUNTS_FILE = Path("var") / "fuzz-counts.json"


def tried(name: str, n: int = 1) -> None:
    TRIED[name] += n


def write_counts() -> None:
    if TRIED:
        COUNTS_FILE.parent.mkdir(exist_ok=True)
        COUNTS_FILE.write_text(json.dumps(dict(sorted(TRIED.items())), indent=2) + "\n")


# What customers and attackers actually send: blanks, walls of text, other scripts, control characters, markup
# and injection strings, and order/ticket ids of every absurd shape.
NASTY_TEXTS = [
    "",
    " ",
    "\t\n \r\n ",
    "\x00",
    "halo\x00kak",
    "\x1b[31mmerah\x1b[0m",
    "\ud800",  # a lone surrogate: JSON can carry it, no database can store it
    "cek \udfff pesanan",
    "\u202ekak pesanan saya\u202c",
    "مرحبا، أين طلبي؟",
    "שלום, איפה ההזמנה שלי",
    "😀" * 300,
    "👨‍👩‍👧‍👦🇮🇩🏳️‍🌈",
    "Z̷̧̛a̸͎͝l̵̰͐g̶̣̈o̵͚͗",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "'; DROP TABLE messages; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)",
    "{{7*7}} ${7*7} <%= 7*7 %> #{7*7}",
    "{% for x in range(9999999) %}x{% endfor %}",
    "%s%s%s%s%n",
    "../../../../etc/passwd",
    "UK-" + "9" * 500,
    "UK-2611-008170\x00",
    "cek pesanan UK-2611-008170' OR 1=1 --",
    "status tiket PGD-" + "A" * 300,
    "status tiket PGD-../../x",
    "cek pesanan " + "-" * 200,
    "pesanan 0x7fffffffffffffff",
    "pesanan -1",
    "kak " * 1000,  # 4,000 characters: the longest message accepted
    "k" * 10_001,  # longer than any channel accepts
    "otp saya 123456",
]


def messages() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_TEXTS),
        st.text(max_size=300),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=60).map(lambda s: "cek pesanan " + s),
    )


def form_text() -> st.SearchStrategy[str]:
    """Text a form field can carry (no lone surrogates: they cannot be URL-encoded)."""
    return st.one_of(
        st.sampled_from([t for t in NASTY_TEXTS if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]),
        st.text(st.characters(codec="utf-8"), max_size=200),
    )


def json_values(max_leaves: int = 20) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=50)
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5)
        ),
        max_leaves=max_leaves,
    )
