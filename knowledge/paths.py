"""Where the knowledge package finds the project's files outside itself, without asking the gateway:
bot/config.py derives the same root the same way (the checkout, one level above the package), and no
setting moves models/, reports/ or data/."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
