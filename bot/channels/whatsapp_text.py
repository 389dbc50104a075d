"""Shaping replies for WhatsApp: buttons as a numbered list, long texts split at natural boundaries."""

from __future__ import annotations

import re
from typing import Any

WHATSAPP_MAX_CHARS = 1600
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def with_numbered_buttons(text: str | None, buttons: list[dict[str, Any]] | None) -> str:
    """Buttons become "1. Title" lines the customer answers with the number or the title."""
    if not buttons:
        return text or ""
    lines = [f"{i}. {button.get('title', '')}" for i, button in enumerate(buttons, start=1)]
    hint = "Balas dengan angka atau tulis pilihannya ya, Kak."
    return "\n\n".join(part for part in (text, "\n".join(lines), hint) if part)


def split_message(text: str, limit: int = WHATSAPP_MAX_CHARS) -> list[str]:
    """Parts of at most `limit` characters, cut between paragraphs, else lines, else sentences, else
    words; only a single word longer than the limit is cut inside. Joining the parts gives the text back
    up to whitespace at the cuts."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    _pack(_units(text, limit), limit, parts)
    return parts


def _units(text: str, limit: int) -> list[tuple[str, str]]:
    """(piece, separator that followed it): the finest split needed for every piece to fit."""
    out: list[tuple[str, str]] = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= limit:
            out.append((paragraph, "\n\n"))
            continue
        for line in paragraph.split("\n"):
            if len(line) <= limit:
                out.append((line, "\n"))
                continue
            for sentence in _SENTENCE_END.split(line):
                if len(sentence) <= limit:
                    out.append((sentence, " "))
                    continue
                for word in sentence.split(" "):
                    while len(word) > limit:
                        out.append((word[:limit], ""))
                        word = word[limit:]
                    out.append((word, " "))
            out[-1] = (out[-1][0], "\n")
        out[-1] = (out[-1][0], "\n\n")
    return out


def _pack(units: list[tuple[str, str]], limit: int, parts: list[str]) -> None:
    current = ""
    pending_separator = ""
    for piece, separator in units:
        candidate = f"{current}{pending_separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            if current.strip():
                parts.append(current.strip())
            current = piece
        pending_separator = separator
    if current.strip():
        parts.append(current.strip())
