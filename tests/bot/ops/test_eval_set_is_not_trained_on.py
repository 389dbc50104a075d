"""The real shoppers' set is for evaluation only: no line of it, nor a near copy (character 4-gram Jaccard
>= 0.8), may be among the NLU training examples in data/.

One exception, by decision (docs/adr/0012): stock phrases of greeting, thanks and parting of at most four
words ("halo", "terimakasih", "sampai jumpa"). Every source writes them the same way; a greet intent that
may not contain "halo" would be absurd, and they say nothing about understanding shoppers' requests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.ops.shopper_eval import eval_set_path, load_examples

NEAR = 0.8
STOCK_LABELS = ("greet", "goodbye", "thanks")
ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def training_examples(root: Path = PROJECT_ROOT / "data") -> list[str]:
    examples = []
    for path in sorted(root.rglob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                text = line.strip().removeprefix("- ")
                examples.append(ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", text))
    return [e for e in examples if e]


def grams(text: str) -> frozenset[str]:
    text = " ".join(text.lower().split())
    return frozenset(text[i : i + 4] for i in range(max(1, len(text) - 3)))


def near_copies(evaluation: list[str], training: list[str]) -> list[tuple[str, str, float]]:
    train = [(t, grams(t)) for t in training]
    found = []
    for text in evaluation:
        mine = grams(text)
        for other, theirs in train:
            # Jaccard >= NEAR needs the smaller set to be at least NEAR of the larger: skip the rest cheaply
            if min(len(mine), len(theirs)) < NEAR * max(len(mine), len(theirs)):
                continue
            jaccard = len(mine & theirs) / len(mine | theirs)
            if jaccard >= NEAR:
                found.append((text, other, round(jaccard, 3)))
    return found


@pytest.fixture(scope="module")
def evaluation() -> list[str]:
    if not eval_set_path().exists():
        pytest.skip(f"no evaluation set at {eval_set_path()}")
    return [e.text for e in load_examples() if not is_stock_phrase(e.label, e.text)]


def is_stock_phrase(label: str, text: str) -> bool:
    return label in STOCK_LABELS and len(text.split()) <= 4


def test_no_evaluation_line_is_in_the_training_data(evaluation):
    training = training_examples()
    assert len(training) > 3000
    copies = near_copies(evaluation, training)
    assert copies == [], f"{len(copies)} evaluation lines are (near) copies of training examples"


def test_the_check_finds_a_near_copy(evaluation):
    """The detector itself: a reworded line (two characters changed) is caught, an unrelated one is not."""
    line = max(evaluation, key=len)
    reworded = line[:10] + line[11:-1] + "!"
    assert near_copies([line], [reworded, "cara daftar akun gimana kak"])[0][1] == reworded
