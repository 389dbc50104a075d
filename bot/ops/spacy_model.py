"""spaCy's blank Indonesian pipeline (tokenizer rules only) saved where config.yml's SpacyNLP loads it.

It is derived from the installed spaCy alone, so it is rebuilt when missing rather than committed.
"""

from __future__ import annotations

import subprocess

from bot.config import PROJECT_ROOT
from bot.ops.rasa_env import MODELS_DIR, RASA_VENV

SPACY_ID_MODEL = MODELS_DIR / "spacy-id"
SPACY_DEFAULT_TOKENIZER = '"spacy.Tokenizer.v1"'


def ensure_spacy_model() -> None:
    """Write models/spacy-id with rasa_components/spacy_pipeline.py when it is missing or was saved by
    plain spaCy (whose default tokenizer factory makes it load three times slower)."""
    config = SPACY_ID_MODEL / "config.cfg"
    if config.exists() and SPACY_DEFAULT_TOKENIZER not in config.read_text(encoding="utf-8"):
        return
    script = "import sys; from pathlib import Path; from rasa_components import spacy_pipeline as s; "
    script += "s.save(Path(sys.argv[1]))"
    SPACY_ID_MODEL.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(RASA_VENV / "bin" / "python"), "-c", script, str(SPACY_ID_MODEL)],
        cwd=PROJECT_ROOT,
        check=True,
    )
