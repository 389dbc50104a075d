"""How .venv code runs Rasa in .venv-rasa: paths, environment and the model cache key."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings

RASA_VENV = PROJECT_ROOT / ".venv-rasa"
RASA_BIN = RASA_VENV / "bin" / "rasa"
MODELS_DIR = PROJECT_ROOT / "models"
# Everything `rasa train` reads. A change to any of these files changes the model's name.
TRAINING_INPUTS = ("config.yml", "domain", "data")


def training_hash(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path_for(hash_: str) -> Path:
    return MODELS_DIR / f"rasa-{hash_}.tar.gz"


def rasa_environment(settings: Settings) -> dict[str, str]:
    """Environment for any rasa command: quiet, offline, and endpoints.yml's variables filled in."""
    env = dict(os.environ)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",  # no network beyond the package registries here
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONWARNINGS": "ignore",
            "ACTION_SERVER_URL": f"{settings.action_server_base_url}/webhook",
            "TRACKER_STORE_URL": settings.tracker_store_url,
            "MPLCONFIGDIR": str(PROJECT_ROOT / "var" / "matplotlib"),
        }
    )
    # Rasa must not pick up the .venv interpreter's packages.
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env
