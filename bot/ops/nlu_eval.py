"""NLU evaluation: `python -m bot.ops.nlu_eval [--cross-validation] [--compare-tokenizers]`.

By default a held-out split: 20% of every intent is kept out of training, one NLU model is trained on the
rest and tested on it; that costs one training instead of three and keeps `make test` inside its time
budget. --cross-validation runs 3-fold cross-validation instead. Writes Rasa's reports under
reports/nlu/heldout/ (or cross-validation/) plus reports/nlu/summary.json / summary.md with F1 per intent,
and fails when the macro F1 or any intent's F1 falls below the floors below (a regression gate for `make
test`). Our own examples flatter us (the same hands wrote both halves): bot/ops/shopper_eval.py measures
real shoppers' messages; `make eval-nlu` runs both. --compare-tokenizers runs the same cross-validation
with config.yml's spaCy Indonesian tokenizer and with Rasa's whitespace tokenizer and writes
reports/nlu/tokenizers.json; docs/adr/0002-tokenizer.md records it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT, get_settings
from bot.ops.rasa_env import RASA_BIN, RASA_VENV, rasa_environment
from bot.ops.spacy_model import ensure_spacy_model

REPORTS = PROJECT_ROOT / "reports" / "nlu"
FOLDS = 3
MIN_MACRO_F1 = 0.80  # regression floors, set a few points under the measured values (README)
MIN_INTENT_F1 = 0.55


def cross_validate(config: Path, out: Path) -> dict[str, Any]:
    """Runs rasa's cross-validation; returns its intent report (per-intent precision/recall/F1)."""
    if out.exists():
        shutil.rmtree(out)
    ensure_spacy_model()
    subprocess.run(
        [
            str(RASA_BIN),
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            str(config),
            "--cross-validation",
            "--folds",
            str(FOLDS),
            "--out",
            str(out),
            "--no-plot",
        ],
        cwd=PROJECT_ROOT,
        env=rasa_environment(get_settings()),
        check=True,
    )
    return json.loads((out / "intent_report.json").read_text())


def held_out(config: Path, out: Path) -> dict[str, Any]:
    """Train on 80% of the NLU data, test on the other 20%; returns the intent report. One .venv-rasa
    process does the split, the training and the test (bot/ops/rasa_heldout.py)."""
    if out.exists():
        shutil.rmtree(out)
    ensure_spacy_model()
    script = PROJECT_ROOT / "bot" / "ops" / "rasa_heldout.py"
    subprocess.run(
        [str(RASA_VENV / "bin" / "python"), str(script), str(config), "data/nlu", str(out)],
        cwd=PROJECT_ROOT,
        env=rasa_environment(get_settings()),
        check=True,
    )
    return json.loads((out / "intent_report.json").read_text())


def summarise(report: dict[str, Any], method: str = f"{FOLDS}-fold cross-validation") -> dict[str, Any]:
    intents = {
        name: {"f1": round(v["f1-score"], 4), "support": v["support"]}
        for name, v in sorted(report.items())
        if isinstance(v, dict) and "f1-score" in v and name not in ("macro avg", "weighted avg", "micro avg")
    }
    return {
        "method": method,
        "accuracy": round(report.get("accuracy", report.get("micro avg", {}).get("f1-score", 0.0)), 4),
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "intents": intents,
    }


def write_summary(summary: dict[str, Any]) -> None:
    (REPORTS / "summary.json").write_text(json.dumps(summary, indent=2))
    lines = [
        f"# NLU evaluation ({summary['method']})",
        "",
        f"accuracy {summary['accuracy']:.3f} · macro F1 {summary['macro_f1']:.3f} · "
        f"weighted F1 {summary['weighted_f1']:.3f}",
        "",
        "| intent | F1 | examples |",
        "|---|---|---|",
        *(f"| {n} | {v['f1']:.3f} | {v['support']} |" for n, v in summary["intents"].items()),
    ]
    (REPORTS / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _whitespace_config(tmp: Path) -> Path:
    """config.yml with spaCy's tokenizer swapped for Rasa's whitespace tokenizer."""
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())
    pipeline = [c for c in config["pipeline"] if c["name"] not in ("SpacyNLP", "SpacyTokenizer")]
    config["pipeline"] = [{"name": "WhitespaceTokenizer"}, *pipeline]
    path = tmp / "config-whitespace.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def compare_tokenizers() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        configs = {"spacy_id": PROJECT_ROOT / "config.yml", "whitespace": _whitespace_config(Path(tmp))}
        for name, config in configs.items():
            results[name] = summarise(cross_validate(config, REPORTS / f"compare-{name}"))
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "tokenizers.json").write_text(json.dumps(results, indent=2))
    for name, summary in results.items():
        print(f"{name:>10}: accuracy {summary['accuracy']:.4f} macro F1 {summary['macro_f1']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--compare-tokenizers", action="store_true")
    parser.add_argument("--cross-validation", action="store_true", help=f"{FOLDS}-fold instead of a split")
    args = parser.parse_args()
    if args.compare_tokenizers:
        compare_tokenizers()
        return
    config = PROJECT_ROOT / "config.yml"
    if args.cross_validation:
        summary = summarise(cross_validate(config, REPORTS / "cross-validation"))
    else:
        summary = summarise(held_out(config, REPORTS / "heldout"), "held-out 20% split, seed 42")
    write_summary(summary)
    weak = {n: v["f1"] for n, v in summary["intents"].items() if v["f1"] < MIN_INTENT_F1}
    if summary["macro_f1"] < MIN_MACRO_F1 or weak:
        sys.exit(f"NLU below the floor: macro F1 {summary['macro_f1']} (min {MIN_MACRO_F1}), weak: {weak}")


if __name__ == "__main__":
    main()
