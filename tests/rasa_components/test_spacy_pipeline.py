"""The spaCy pipeline Rasa's SpacyNLP loads (rasa_components/spacy_pipeline.py): the same tokens as spaCy's
blank Indonesian pipeline (its load time is in `make bench`: Rasa's start-up)."""

from __future__ import annotations

from tests.rasa_components.probes import run_probe


def test_tokens_are_spacys_own():
    seen = run_probe("spacy_pipeline_probe.py")
    assert seen["texts"] > 5000
    assert seen["differ"] == []
    assert all(n > 10 for n in seen["tricky_tokens"])  # punctuation and clitics were split off
