"""Reference numbers customers read out over the phone: PGD-2612-7KQ4M, RTR-2612-M3X9T.

Prefix, year and month of issue (WIB), then five symbols from 32 that cannot be confused aloud (no 0/O,
1/I). The database's unique constraint makes a number unique across processes and restarts; a clash is
drawn again inside a savepoint.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import Base

READABLE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SUFFIX_LENGTH = 5
ATTEMPTS = 5

_Row = TypeVar("_Row", bound=Base)


class NoFreeNumber(Exception):
    """Several draws in a row were taken: the space for this month is (nearly) exhausted."""


def number_pattern(prefix: str) -> re.Pattern[str]:
    """Finds a number of this prefix in a customer's message, in any case."""
    return re.compile(rf"\b{prefix}-\d{{4}}-[{READABLE_ALPHABET}]{{{SUFFIX_LENGTH}}}\b", re.IGNORECASE)


def readable_number(prefix: str, issued: date) -> str:
    suffix = "".join(secrets.choice(READABLE_ALPHABET) for _ in range(SUFFIX_LENGTH))
    return f"{prefix}-{issued:%y%m}-{suffix}"


def insert_numbered(session: Session, build: Callable[[], _Row]) -> _Row:
    """Adds the row `build()` makes (it draws its number) and flushes; draws again on a taken number."""
    for _ in range(ATTEMPTS):
        row = build()
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            continue
        return row
    raise NoFreeNumber("no free number after several draws")
