"""The thresholds fitted on the dev set (`--calibrate`), their 2-fold cross-calibrated figures, and
knowledge/calibration.json where they are kept."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from knowledge.answering import CALIBRATION_FILE, Thresholds
from knowledge.evaluate.simulation import CachedSearch, Observation, score

# Calibration's price of one "did you mean …?" turn, in fact accuracy: offering suggestions to 4 questions
# must turn at least one of them into a right answer.
SUGGESTION_COST = 0.25
COMMAND = "python -m knowledge.evaluate --calibrate --backend all"


def _grid(values: np.ndarray, size: int) -> list[float]:
    """Candidate thresholds: just under the observed scores' quantiles (plus 'never' and 'always')."""
    if not len(values):
        return [0.0]
    qs = np.quantile(values, np.linspace(0, 1, size))
    return sorted({round(float(v) - 1e-4, 4) for v in qs} | {0.0, 1.01})


def calibrate(observations: list[Observation], kb: CachedSearch) -> Thresholds:
    """Abstain on all out-of-corpus questions if at all possible, then maximise fact accuracy; ties go to
    fewer platform questions and then to the stricter thresholds."""
    top = np.array([o.top3[0].score for o in observations if o.top3])
    retrieval = _grid(top, 24)
    best: tuple[tuple[float, ...], Thresholds] | None = None
    base = Thresholds()
    grid = itertools.product(retrieval, retrieval[::3], retrieval[::3], [*retrieval[::3], 1.01])
    for bar, out_of_scope, suggest, chit_chat_suggest in grid:
        if out_of_scope < bar or suggest > bar or chit_chat_suggest < suggest:
            continue
        thresholds = replace(
            base,
            retrieval=bar,
            out_of_scope=out_of_scope,
            suggest=suggest,
            out_of_scope_suggest=chit_chat_suggest,
        )
        result = score(observations, kb, thresholds)
        key = (
            round(result["abstention_recall"], 4),
            # a "did you mean" turn costs the customer a click: worth it only when it often leads somewhere
            round(result["fact_accuracy"] - SUGGESTION_COST * result["suggested"], 4),
            -round(result["clarified"], 4),
            bar,
        )
        if best is None or key > best[0]:
            best = (key, thresholds)
    assert best is not None
    return best[1]


def halves(observations: list[Observation]) -> tuple[list[Observation], list[Observation]]:
    """A fixed split of the dev set into two halves (by a hash of the question, stratified by document)."""
    ordered = sorted(
        observations,
        key=lambda o: (o.question.doc or "", hashlib.sha256(o.question.question.encode()).hexdigest()),
    )
    return ordered[0::2], ordered[1::2]


def cross_calibrated(observations: list[Observation], kb: CachedSearch) -> dict[str, float]:
    """Fit thresholds on one half, measure on the other, both ways; pooled figures."""
    a, b = halves(observations)
    counts = {"correct": 0, "answerable": 0, "invented": 0, "unanswerable": 0}
    for fit, held in ((a, b), (b, a)):
        result = score(held, kb, calibrate(fit, kb))
        n_ans = sum(1 for o in held if o.question.doc)
        n_un = len(held) - n_ans
        counts["correct"] += len(result["correct_ids"])
        counts["answerable"] += n_ans
        counts["invented"] += round((1 - result["abstention_recall"]) * n_un)
        counts["unanswerable"] += n_un
    return {
        "fact_accuracy": round(counts["correct"] / counts["answerable"], 4),
        "abstention_recall": round(1 - counts["invented"] / counts["unanswerable"], 4),
    }


def load_calibration() -> dict[str, Any]:
    return json.loads(CALIBRATION_FILE.read_text()) if CALIBRATION_FILE.exists() else {"backends": {}}


def saved_thresholds(calibration: dict[str, Any], backend: str) -> Thresholds:
    """The thresholds calibrated for a backend, or the defaults when it has none."""
    saved = calibration["backends"].get(backend)
    return Thresholds(**saved["thresholds"]) if saved else Thresholds()


def record(calibration: dict[str, Any], thresholds: Thresholds, result: dict[str, Any]) -> None:
    """Put a backend's fitted thresholds and the figures they reach into the calibration."""
    calibration["backends"][result["backend"]] = {
        "thresholds": asdict(thresholds),
        "with_nlu": result["with_nlu"],
        "result": {k: result[k] for k in ("fact_accuracy", "abstention_recall", "abstention_precision")},
        "cross_calibrated": result["cross_calibrated"],
    }


def save_calibration(calibration: dict[str, Any]) -> None:
    calibration["command"] = COMMAND
    CALIBRATION_FILE.write_text(json.dumps(calibration, indent=2) + "\n")
