"""Probe (run in .venv-rasa by test_spacy_pipeline.py): the pipeline rasa_components.spacy_pipeline saves
tokenizes every NLU training example and every tricky form as spaCy's own blank Indonesian pipeline does.
Prints JSON. Load times are measured by `make bench` (Rasa's start-up)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))  # the project root: rasa_components

import spacy
import yaml

from rasa_components import spacy_pipeline

TRICKY = [
    "kak, pesanan (INV/20261126/0042) blm sampai?? cek https://uk.id/x?a=1 ya!",
    "barang-barang & masing-masing e-wallet dll. a.n. Budi: Rp1.500.000,- jam 08:00 :)",
    "email saya dewi.l@mail.co.id , no 0812-3450-0099 / +62 812 3450 0099",
]


def training_texts() -> list[str]:
    texts = []
    for path in sorted(Path("data/nlu").rglob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            examples = item.get("examples") or ""
            texts += [line[2:] for line in examples.splitlines() if line.startswith("- ")]
    return texts


def tokens(nlp: spacy.language.Language, text: str) -> list[tuple[str, int, str]]:
    return [(t.text, t.idx, t.whitespace_) for t in nlp(text)]


def main() -> None:
    # the reference is spaCy's blank pipeline itself: saving and loading it the plain way gives the same
    # tokenizer and cost ~18 s more of building its special cases (most of this test's time)
    reference = spacy.blank("id")
    with tempfile.TemporaryDirectory() as tmp:
        spacy_pipeline.save(Path(tmp))
        loaded = spacy.load(tmp)
    texts = training_texts() + TRICKY
    differ = [t for t in texts if tokens(loaded, t) != tokens(reference, t)]
    print(
        json.dumps(
            {
                "texts": len(texts),
                "differ": differ[:5],
                "tricky_tokens": [len(tokens(loaded, t)) for t in TRICKY],
            }
        )
    )


if __name__ == "__main__":
    main()
