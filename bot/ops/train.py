"""Train the Rasa model only when its inputs changed: `python -m bot.ops.train [--test-core]`.

The model is named after a hash of config.yml, domain/ and data/, so an unchanged project reuses
models/rasa-<hash>.tar.gz and a changed one trains exactly once.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bot.config import PROJECT_ROOT, get_settings
from bot.ops.rasa_env import MODELS_DIR, RASA_BIN, model_path_for, rasa_environment, training_hash
from bot.ops.spacy_model import ensure_spacy_model
from knowledge.encoders import batch_threads

KEEP_MODELS = 3


def ensure_model() -> Path:
    """The model for the current training inputs, training it first if it is not cached."""
    path = model_path_for(training_hash())
    if path.exists():
        print(f"model up to date: {path.relative_to(PROJECT_ROOT)}")
        return path
    MODELS_DIR.mkdir(exist_ok=True)
    ensure_spacy_model()
    print(f"training {path.name} (inputs changed) ...", flush=True)
    started = time.monotonic()
    subprocess.run(
        [
            str(RASA_BIN),
            "train",
            # `rasa data validate` is a check of its own in `make test` (make validate); inside training the
            # same validation loaded all the NLU data once more (~10 s idle, ~40 s beside other work)
            "--skip-validation",
            "--config",
            "config.yml",
            "--domain",
            "domain",
            "--data",
            "data",
            "--out",
            str(MODELS_DIR),
            "--fixed-model-name",
            path.name.removesuffix(".tar.gz"),
        ],
        cwd=PROJECT_ROOT,
        # a batch job: the e5 featurizer may use every core (it serves on one)
        env={**rasa_environment(get_settings()), **batch_threads()},
        check=True,
    )
    print(f"trained in {time.monotonic() - started:.0f} s: {path.relative_to(PROJECT_ROOT)}")
    _prune(keep=path)
    return path


def _prune(keep: Path) -> None:
    models = sorted(MODELS_DIR.glob("rasa-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [m for m in models if m != keep][KEEP_MODELS - 1 :]:
        old.unlink()


def test_core(model: Path) -> int:
    """`rasa test core` on the test stories; non-zero when any action is mispredicted."""
    return subprocess.run(
        [
            str(RASA_BIN),
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            "tests/test_stories.yml",
            "--out",
            "reports/core",
            "--fail-on-prediction-errors",
        ],
        cwd=PROJECT_ROOT,
        env=rasa_environment(get_settings()),
        check=False,
    ).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--test-core", action="store_true", help="then run rasa test core")
    args = parser.parse_args()
    model = ensure_model()
    if args.test_core:
        sys.exit(test_core(model))


if __name__ == "__main__":
    main()
