"""Run a probe script of this folder in .venv-rasa (where Rasa is installed) and read the JSON it prints."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.ops.rasa_env import RASA_VENV


def run_probe(script: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), str(Path(__file__).with_name(script))],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
