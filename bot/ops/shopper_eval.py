"""How well NLU understands real shoppers: `python -m bot.ops.shopper_eval [--model PATH]`.

Reads ../shared/eval/real_shoppers_dev.jsonl at run time (264 messages real Indonesian shoppers wrote to or
about marketplace CS, with their public sources; `SHOPPER_EVAL_SET` points elsewhere). It is an evaluation
set: never trained on, and tests/bot/ops/test_eval_set_is_not_trained_on.py fails on any near copy of its
lines in data/. A prediction is right when it is an intent accepted for the message's label or one of its
alt_labels (the table in the set's README). Writes reports/nlu/real_shoppers.{json,md}: accuracy, per
label recall / precision / F1, what each label's misses were predicted as, and how many of each action
request ended in `faq`. Exits non-zero below the floors (a regression gate for `make test`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.ops.rasa_env import model_path_for, parse_texts, training_hash

EVAL_SET = PROJECT_ROOT.parent / "shared" / "eval" / "real_shoppers_dev.jsonl"
REPORTS = PROJECT_ROOT / "reports" / "nlu"
ACCEPTED: dict[str, frozenset[str]] = {
    "greet": frozenset({"greet"}),
    "goodbye": frozenset({"goodbye"}),
    "thanks": frozenset({"thanks"}),
    "order_status": frozenset({"check_order_status"}),
    "shipping_tracking": frozenset({"check_order_status", "faq"}),
    "payment": frozenset({"faq"}),
    "account_login": frozenset({"faq"}),
    "refund": frozenset({"faq", "file_complaint"}),
    "damaged_goods_return": frozenset({"report_damaged_goods"}),
    "complaint": frozenset({"file_complaint"}),
    "human_handoff": frozenset({"request_human"}),
    "out_of_scope": frozenset({"out_of_scope", "nlu_fallback"}),
}
# The requests the bot must act on; the issue that started this measured them all going to `faq`.
ACTION_LABELS = ("complaint", "damaged_goods_return", "order_status", "human_handoff")
# Floors: the goals of issue 15 for accuracy and for each action request (measured 0.864, and 0.82-0.92 per
# request; docs/adr/0012). `faq` precision (0.892) has not reached its goal of 0.90: its floor sits under
# the measured figure and the report names the goal (stop 26 reached it and undid it: ADR 0012). The model
# is deterministic; each action request has its own floor, so one cannot collapse behind the others' average.
FLOORS = {"accuracy": 0.85, "action_recall": 0.80, "faq_precision": 0.87, "each_action_recall": 0.80}
TARGETS = {"accuracy": 0.85, "each_action_recall": 0.80, "faq_precision": 0.90}


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    label: str
    alt_labels: tuple[str, ...]

    @property
    def accepted(self) -> frozenset[str]:
        return frozenset().union(*(ACCEPTED[label] for label in (self.label, *self.alt_labels)))


def eval_set_path() -> Path:
    return Path(os.environ.get("SHOPPER_EVAL_SET") or EVAL_SET)


def load_examples(path: Path | None = None) -> list[Example]:
    rows = [json.loads(line) for line in (path or eval_set_path()).read_text(encoding="utf-8").splitlines()]
    return [Example(r["id"], r["text"], r["label"], tuple(r.get("alt_labels") or ())) for r in rows if r]


def score(examples: list[Example], predicted: list[str]) -> dict[str, Any]:
    right = [p in e.accepted for e, p in zip(examples, predicted, strict=True)]
    # precision of an intent: of the messages NLU gave it, the share for which it is an accepted answer
    intents = {}
    for intent in sorted(set(predicted)):
        given = [ok for p, ok in zip(predicted, right, strict=True) if p == intent]
        intents[intent] = {"predicted": len(given), "precision": round(sum(given) / len(given), 3)}
    labels: dict[str, Any] = {}
    for label, accepted in ACCEPTED.items():
        mine = [(p, ok) for e, p, ok in zip(examples, predicted, right, strict=True) if e.label == label]
        if not mine:
            continue
        recall = sum(ok for _, ok in mine) / len(mine)
        given = [ok for p, ok in zip(predicted, right, strict=True) if p in accepted]
        precision = sum(given) / len(given) if given else 0.0
        labels[label] = {
            "n": len(mine),
            "recall": round(recall, 3),
            "precision": round(precision, 3),  # of its accepted intents, as predicted for any message
            "f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
            "misses": dict(Counter(p for p, ok in mine if not ok).most_common()),
        }
    action = [ok for e, ok in zip(examples, right, strict=True) if e.label in ACTION_LABELS]
    each = [labels[k]["recall"] for k in ACTION_LABELS if k in labels]
    return {
        "n": len(examples),
        "accuracy": round(sum(right) / len(right), 3),
        "action_recall": round(sum(action) / len(action), 3) if action else 0.0,
        "each_action_recall": min(each) if each else 0.0,
        "faq_precision": intents.get("faq", {}).get("precision", 0.0),
        "action_requests_to_faq": {
            k: labels[k]["misses"].get("faq", 0) for k in ACTION_LABELS if k in labels
        },
        "labels": labels,
        "intents": intents,
    }


def write_report(result: dict[str, Any], source: Path) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "real_shoppers.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# NLU on real shoppers' messages",
        "",
        f"Set: `{source.name}` ({result['n']} messages; read at run time, never trained on).",
        f"Accuracy **{result['accuracy']:.3f}** · action requests recall **{result['action_recall']:.3f}** · "
        f"precision of `faq` **{result['faq_precision']:.3f}** (floors {FLOORS}, targets {TARGETS})",
        "",
        "| label | n | recall | precision | F1 | misses predicted as |",
        "|---|---|---|---|---|---|",
        *(
            f"| {name} | {v['n']} | {v['recall']:.2f} | {v['precision']:.2f} | {v['f1']:.2f} | "
            f"{', '.join(f'{k} {c}' for k, c in v['misses'].items()) or '-'} |"
            for name, v in result["labels"].items()
        ),
        "",
        "| predicted intent | messages | precision |",
        "|---|---|---|",
        *(f"| {n} | {v['predicted']} | {v['precision']:.2f} |" for n, v in result["intents"].items()),
        "",
        "Action requests that ended in `faq`: "
        + ", ".join(
            f"{k} {v}/{result['labels'][k]['n']}" for k, v in result["action_requests_to_faq"].items()
        ),
    ]
    (REPORTS / "real_shoppers.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def below_floors(result: dict[str, Any]) -> dict[str, float]:
    return {k: result[k] for k, floor in FLOORS.items() if result[k] < floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, help="a trained model (default: the one for the current data)")
    parser.add_argument("--errors", action="store_true", help="also print every miss")
    args = parser.parse_args()
    model = args.model or model_path_for(training_hash())
    if not model.exists():
        sys.exit(f"no model at {model}: run make train")
    source = eval_set_path()
    examples = load_examples(source)
    parses = parse_texts([e.text for e in examples], model)
    predicted = [(p.get("intent") or {}).get("name") or "nlu_fallback" for p in parses]
    result = score(examples, predicted)
    write_report(result, source)
    if args.errors:
        for e, p in zip(examples, predicted, strict=True):
            if p not in e.accepted:
                print(f"{e.id} {e.label:>20} -> {p}")
    low = below_floors(result)
    if low:
        sys.exit(f"NLU on real shoppers below the floor: {low} (floors {FLOORS})")


if __name__ == "__main__":
    main()
