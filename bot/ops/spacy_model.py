"""spaCy's blank Indonesian pipeline (tokenizer rules only) saved where config.yml's SpacyNLP loads it.

It is derived from the installed spaCy alone, so it is rebuilt when missing rather than committed.
"""

from __future__ import annotations

import subprocess

from bot.ops.rasa_env import MODELS_DIR, RASA_VENV

SPACY_ID_MODEL = MODELS_DIR / "spacy-id"


def ensure_spacy_model() -> None:
    if (SPACY_ID_MODEL / "config.cfg").exists():
        return
    SPACY_ID_MODEL.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(RASA_VENV / "bin" / "python"),
            "-c",
            f"import spacy; spacy.blank('id').to_disk({str(SPACY_ID_MODEL)!r})",
        ],
        check=True,
    )
