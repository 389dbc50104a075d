"""The evaluation's figures for one backend (reports/eval/<backend>.json) and the summary of all backends
(reports/eval/summary.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import numpy as np

from knowledge.answering import OUTRIGHT_KINDS, Thresholds
from knowledge.evaluate.calibration import cross_calibrated
from knowledge.evaluate.dataset import REPORTS
from knowledge.evaluate.simulation import CachedSearch, Observation, score


def _rate(values: Iterable[Any]) -> float:
    values = list(values)
    return round(sum(bool(v) for v in values) / len(values), 4) if values else 0.0


def _intent_ok(obs: Observation) -> bool:
    if obs.question.doc:
        return obs.parse.intent == "faq"
    return obs.parse.intent != "faq"


def report(
    observations: list[Observation], kb: CachedSearch, thresholds: Thresholds, backend: str
) -> dict[str, Any]:
    result = score(observations, kb, thresholds)
    with_nlu = any(o.parse.intent for o in observations)

    def figures(group: list[Observation]) -> dict[str, Any]:
        answerable = [o for o in group if o.question.doc]
        return {
            "questions": len(group),
            "intent_accuracy": _rate(_intent_ok(o) for o in group) if with_nlu else None,
            "top1": _rate(bool(o.top3) and o.correct(o.top3[0].text, o.top3[0].doc) for o in answerable),
            "top3": _rate(any(o.correct(h.text, h.doc) for h in o.top3) for o in answerable),
            "fact_accuracy": _rate(id(o) in result["correct_ids"] for o in answerable),
            "abstained": _rate(
                (a := result["outcomes"][id(o)].answer) is None or a.kind not in OUTRIGHT_KINDS
                for o in answerable
            ),
        }

    answerable = [o for o in observations if o.question.doc]
    per_doc = {
        doc: figures([o for o in answerable if o.question.doc == doc])
        for doc in sorted({o.question.doc for o in answerable if o.question.doc})
    }
    overall = figures(observations)
    return {
        "backend": backend,
        "with_nlu": with_nlu,
        "thresholds": asdict(thresholds),
        "questions": {"answerable": len(answerable), "unanswerable": len(observations) - len(answerable)},
        "intent_accuracy": overall["intent_accuracy"],
        "top1": overall["top1"],
        "top3": overall["top3"],
        "fact_accuracy": round(result["fact_accuracy"], 4),
        "abstention_recall": round(result["abstention_recall"], 4),
        "abstention_precision": round(result["abstention_precision"], 4),
        "asked_platform": round(result["clarified"], 4),
        "suggested": round(result["suggested"], 4),
        "direct_accuracy": round(result["direct_accuracy"], 4),
        "cross_calibrated": cross_calibrated(observations, kb),
        "per_document": per_doc,
        "retrieval_latency_ms": {
            "p50": round(float(np.percentile(kb.latencies_ms, 50)), 2),
            "p95": round(float(np.percentile(kb.latencies_ms, 95)), 2),
        },
        "index_build_seconds": kb.kb.build_seconds,
        "failures": [
            {
                "question": o.question.question,
                "doc": o.question.doc,
                "intent": o.parse.intent,
                "answer": (a.kind, a.doc, a.section) if (a := result["outcomes"][id(o)].answer) else None,
            }
            for o in observations
            if (o.question.doc and id(o) not in result["correct_ids"])
            or (
                not o.question.doc
                and (a := result["outcomes"][id(o)].answer) is not None
                and a.kind in OUTRIGHT_KINDS
            )
        ],
    }


def write_report(result: dict[str, Any]) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", result["backend"])
    (REPORTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


def summary_markdown(reports: list[dict[str, Any]]) -> str:
    lines = [
        "# Knowledge evaluation (`make eval`)",
        "",
        f"Dev set: {reports[0]['questions']['answerable']} answerable questions, "
        f"{reports[0]['questions']['unanswerable']} the corpus cannot answer. NLU: "
        + ("the trained Rasa model." if reports[0]["with_nlu"] else "none (retrieval alone)."),
        "",
        '| backend | fact acc. | answered outright | after "did you mean" | fact acc. (2-fold) '
        "| abstention recall | (2-fold) | abstention precision | intent acc. | top-1 | top-3 "
        "| asked platform | p50 ms | p95 ms | index build s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        cc = r["cross_calibrated"]
        cells = [
            r["backend"],
            f"{r['fact_accuracy']:.3f}",
            f"{r['direct_accuracy']:.3f}",
            f"{r['fact_accuracy'] - r['direct_accuracy']:.3f} (offered to {r['suggested']:.0%})",
            f"{cc['fact_accuracy']:.3f}",
            f"{r['abstention_recall']:.3f}",
            f"{cc['abstention_recall']:.3f}",
            f"{r['abstention_precision']:.3f}",
            f"{r['intent_accuracy']}" if r["intent_accuracy"] is not None else "-",
            f"{r['top1']:.3f}",
            f"{r['top3']:.3f}",
            f"{r['asked_platform']:.3f}",
            str(r["retrieval_latency_ms"]["p50"]),
            str(r["retrieval_latency_ms"]["p95"]),
            str(r["index_build_seconds"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Fact accuracy per document",
        "",
        "| document | " + " | ".join(r["backend"] for r in reports) + " |",
    ]
    lines.append("|---|" + "---|" * len(reports))
    for doc in reports[0]["per_document"]:
        cells = [
            f"{r['per_document'][doc]['fact_accuracy']:.3f} (top-1 {r['per_document'][doc]['top1']:.2f})"
            for r in reports
        ]
        lines.append(f"| {doc} | " + " | ".join(cells) + " |")
    lines += ["", "## Thresholds", ""]
    lines += [f"- {r['backend']}: {r['thresholds']}" for r in reports]
    return "\n".join(lines) + "\n"
