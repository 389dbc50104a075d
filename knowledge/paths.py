"""The project root (the checkout, one level above this package): where the knowledge package finds the
project's files outside itself. The one definition: bot/config.py takes it from here, and no setting
moves models/, reports/ or data/."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
