"""What NLU says about each dev question: from a running Rasa server (--rasa URL), or from the model trained
for the current data, cached per model and dev set.

Which model the current data trains, and how .venv-rasa runs it, is the gateway's operations code: the
command `python -m bot.ops.knowledge_eval` hands it in (`cached_parses`); the knowledge package imports
nothing of the gateway's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from knowledge.evaluate.dataset import DEV_SET, REPORTS, DevQuestion

PARSE_CACHE = REPORTS / "nlu_parses.json"


@dataclass(frozen=True)
class Parse:
    intent: str | None = None
    confidence: float = 0.0


def parse_of(data: dict[str, Any]) -> Parse:
    """The intent of one Rasa parse result (POST /model/parse, or bot/ops/rasa_parse.py)."""
    intent = data.get("intent") or {}
    return Parse(intent.get("name"), float(intent.get("confidence") or 0))


def parses_from(questions: list[DevQuestion], results: list[dict[str, Any]]) -> dict[str, Parse]:
    """Each question's Parse, from Rasa's parse results in the questions' order."""
    return {q.question: parse_of(data) for q, data in zip(questions, results, strict=True)}


class RasaParser:
    """NLU of a running Rasa server (POST /model/parse); close() when done."""

    def __init__(self, url: str) -> None:
        self._client = httpx.Client(base_url=url, timeout=30)

    def __call__(self, text: str) -> Parse:
        response = self._client.post("/model/parse", json={"text": text})
        response.raise_for_status()
        return parse_of(response.json())

    def parse_all(self, questions: list[DevQuestion]) -> dict[str, Parse]:
        with self._client:
            return {q.question: self(q.question) for q in questions}


def cached_parses(
    questions: list[DevQuestion], model_key: str, parse: Callable[[list[str]], list[dict[str, Any]]]
) -> dict[str, Parse]:
    """NLU of every dev question by the model `model_key` names (`parse` runs it on a list of texts), cached
    per model and dev set in reports/eval/nlu_parses.json."""
    key = f"{model_key}-{hashlib.sha256(DEV_SET.read_bytes()).hexdigest()[:16]}"
    if PARSE_CACHE.exists() and (saved := json.loads(PARSE_CACHE.read_text())).get("key") == key:
        return {text: Parse(p["intent"], p["confidence"]) for text, p in saved["parses"].items()}
    parses = parses_from(questions, parse([q.question for q in questions]))
    REPORTS.mkdir(parents=True, exist_ok=True)
    PARSE_CACHE.write_text(json.dumps({"key": key, "parses": {t: asdict(p) for t, p in parses.items()}}))
    return parses
