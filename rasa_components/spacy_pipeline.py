"""spaCy's blank Indonesian pipeline (tokenizer rules only), saved so that it loads in ~5 s instead of ~15.

config.yml's SpacyNLP loads it from models/spacy-id (bot/ops/spacy_model.py writes it with `save`). The
Indonesian tokenizer has ~16,000 special cases (reduplications such as "masing-masing", abbreviations such
as "dll."), and spaCy re-adds all of them whenever a tokenizer setting changes. Loading the plain
`spacy.blank("id").to_disk()` output built them three times: once for the default tokenizer spaCy creates
before reading the saved one, and once each for the saved rules and the saved `faster_heuristics` flag.
Every Rasa start and every training paid ~10 s for that (more on a busy machine). Here the tokenizer spaCy
creates first is empty (registered below) and the saved one leaves out `faster_heuristics` (its default is
the value saved), so the rules are built once. The tokens are the same, token for token
(tests/rasa_components/test_spacy_pipeline.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

TOKENIZER = "cs_assistant.tokenizer_from_disk.v1"


@spacy.registry.tokenizers(TOKENIZER)
def tokenizer_from_disk() -> Callable[[Language], Tokenizer]:
    """An empty tokenizer, for a pipeline whose prefixes, suffixes, infixes and rules come from disk."""

    def create(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return create


def save(path: Path) -> None:
    """Write spaCy's blank Indonesian pipeline to `path`, to be loaded with this module imported."""
    nlp = spacy.blank("id")
    config = nlp.config
    config["nlp"]["tokenizer"] = {"@tokenizers": TOKENIZER}
    nlp._config = config
    nlp.to_disk(path, exclude=["tokenizer"])
    nlp.tokenizer.to_disk(path / "tokenizer", exclude=["faster_heuristics"])
