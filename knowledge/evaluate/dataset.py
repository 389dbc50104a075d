"""The dev set (questions shoppers might ask, with the document and facts that answer them, or none) and
where the evaluation writes its reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.paths import PROJECT_ROOT

DEV_SET = PROJECT_ROOT / "tests" / "knowledge" / "data" / "dev_set.yml"
REPORTS = PROJECT_ROOT / "reports" / "eval"


@dataclass(frozen=True)
class DevQuestion:
    question: str
    doc: str | None  # None: the corpus cannot answer it
    facts: tuple[str, ...]


def load_dev_set(path: Path = DEV_SET) -> list[DevQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    answerable = [DevQuestion(q["question"], q["doc"], tuple(q["facts"])) for q in data["answerable"]]
    return answerable + [DevQuestion(q["question"], None, ()) for q in data["unanswerable"]]
