"""Answering a help-centre question: Rasa's FAQ pick when it is sure, retrieval when it is not, and an honest
"I have not found it" below the calibrated thresholds. Pure logic, shared by the action and `make eval`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from knowledge.documents import BY_FILE, DOCUMENTS
from knowledge.search import KnowledgeBase, SearchHit

CALIBRATION_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "calibration.json"
MAX_PASSAGE_ANSWER_CHARS = 600

# How customers name the platforms; a named platform narrows the search to its documents.
_PLATFORM_NAMES = {
    "usahaku99": r"99\s*%?\s*usahaku|usahaku",
    "aksestoko": r"akses\s*toko",
    "perhutani": r"perhutani|gondorukem|terpentin|getah pinus",
    "cankul": r"cankul",
    "seller_center": r"seller\s*cent(?:er|re)",
}


@dataclass(frozen=True)
class Thresholds:
    selector: float = 0.6  # ResponseSelector confidence above which its topic is answered as is
    retrieval: float = 0.85  # fused retrieval score below which the bot abstains
    out_of_scope: float = 0.9  # the same when NLU called the message out of scope: stricter
    brand_margin: float = 0.02  # top answers of two platforms this close: ask which platform is meant

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Thresholds:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls(**{k: float(v) for k, v in data["thresholds"].items()})


@dataclass(frozen=True)
class SelectorPick:
    topic: str
    confidence: float


@dataclass(frozen=True)
class Answer:
    kind: Literal["faq", "passage", "abstain", "ask_brand"]
    text: str | None = None
    doc: str | None = None
    section: str | None = None
    score: float = 0.0
    brands: tuple[str, ...] = ()


def named_brand(question: str) -> str | None:
    for brand, pattern in _PLATFORM_NAMES.items():
        if re.search(pattern, question, re.IGNORECASE):
            return brand
    return None


def _passage_answer(hit: SearchHit) -> str:
    document = BY_FILE[hit.doc]
    text = hit.text
    if len(text) > MAX_PASSAGE_ANSWER_CHARS:
        cut = text[:MAX_PASSAGE_ANSWER_CHARS]
        end = max(cut.rfind(". "), cut.rfind("\n"))
        text = (cut[: end + 1] if end > 200 else cut).rstrip() + " …"
    section = re.sub(r"^(?:\d+|[a-z])\.\s+", "", hit.section)
    return (
        f"Ini informasi dari {document.platform} yang paling sesuai, Kak:\n{text}\n\n"
        f"Sumber: {document.title} — {section}"
    )


def _from_hit(hit: SearchHit) -> Answer:
    text = hit.text if hit.kind == "faq" else _passage_answer(hit)
    return Answer(hit.kind, text, hit.doc, hit.section, hit.score)


def decide(
    question: str,
    kb: KnowledgeBase,
    *,
    selector: SelectorPick | None = None,
    intent: str | None = None,
    brand: str | None = None,
    thresholds: Thresholds | None = None,
) -> Answer:
    """The answer to give, or the reason not to give one. brand: the channel's pinned platform;
    intent: what NLU called the message (out_of_scope raises the bar for retrieval)."""
    limits = thresholds or Thresholds()
    brand = brand or named_brand(question)
    topics = {t.topic: t for t in kb.index.topics}
    if selector and selector.confidence >= limits.selector and selector.topic in topics:
        topic = topics[selector.topic]
        if brand is None or topic.brand == brand:
            return Answer("faq", topic.reply, topic.document, topic.section, selector.confidence)
    hits = kb.search(question, k=5, brand=brand)
    bar = limits.out_of_scope if intent == "out_of_scope" else limits.retrieval
    if not hits or hits[0].score < bar:
        return Answer("abstain", score=hits[0].score if hits else 0.0)
    best = hits[0]
    if brand is None:
        rivals = [
            h for h in hits[1:] if h.brand != best.brand and best.score - h.score <= limits.brand_margin
        ]
        if rivals:
            brands = tuple(dict.fromkeys([best.brand, *(h.brand for h in rivals)]))
            return Answer("ask_brand", score=best.score, brands=brands)
    return _from_hit(best)


def platform_name(brand: str) -> str:
    return next(d.platform for d in DOCUMENTS if d.brand == brand)
