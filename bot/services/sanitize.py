"""Customer text made safe to store and to pass on, whatever a channel delivered.

PostgreSQL refuses NUL in text and JSON, and no database driver encodes a lone UTF-16 surrogate (JSON may
carry one as "\\ud800"). Other control characters are invisible noise to every reader, human or NLU. Tabs and
newlines stay: customers write lists.
"""

from __future__ import annotations

import math
import re
from typing import Any

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_JSON_DEPTH = 8  # channel metadata is flat; anything deeper is not ours to keep


def clean_text(text: str) -> str:
    return _UNSAFE.sub("", text)


def clean_json(value: Any, depth: int = 0) -> Any:
    """`value` with every string (keys included) cleaned, infinities and NaN as null, and containers deeper
    than MAX_JSON_DEPTH dropped."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        if depth >= MAX_JSON_DEPTH:
            return None
        return {clean_text(str(k)): clean_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        if depth >= MAX_JSON_DEPTH:
            return None
        return [clean_json(v, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):  # Python reads "Infinity"; JSON has none
        return None
    return value
