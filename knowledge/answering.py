"""Answering a help-centre question from retrieval: the best answer when it clears the calibrated threshold
(or the question which platform is meant, when two platforms' answers compete), "did you mean …?" a little
below it, and an honest "I have not found it" further down. Pure logic, shared by the action and `make eval`.
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from knowledge.documents import BY_FILE, DOCUMENTS
from knowledge.faq import FaqTopic
from knowledge.phrasing import is_question, without_preamble
from knowledge.search import KnowledgeBase, SearchHit

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"
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
    retrieval: float = 0.85  # fused retrieval score below which the bot does not answer outright
    suggest: float = 0.8  # between this and `retrieval`: "did you mean …?" with FAQ questions as buttons
    out_of_scope: float = 0.9  # the answer bar when NLU called the message out of scope
    # ... and its "did you mean" bar: NLU does mistake a terse help-centre question for chit-chat, but a
    # "did you mean" offered to real chit-chat is noise, so this bar is its own (calibrated, default never)
    out_of_scope_suggest: float = 1.01
    brand_margin: float = 0.02  # top answers of two platforms this close: ask which platform is meant

    @classmethod
    def load(cls, backend: str) -> Thresholds:
        """The thresholds calibrated for this retrieval backend (`make calibrate`); defaults if none."""
        if not CALIBRATION_FILE.exists():
            return cls()
        saved = json.loads(CALIBRATION_FILE.read_text())["backends"].get(backend)
        return cls(**{k: float(v) for k, v in saved["thresholds"].items()}) if saved else cls()


MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Suggestion:
    """A FAQ topic offered as "did you mean …?"; the button's payload asks its canonical question with the
    platform named, which the bot then answers outright."""

    topic: str
    title: str
    payload: str


# An answer given outright: a FAQ entry or a corpus passage (the other kinds ask, suggest or abstain).
OUTRIGHT_KINDS = frozenset({"faq", "passage"})
# The requests whose form starts by answering a help-centre question asked in the same message
# (actions/forms.py: FormWithDigressions); knowledge/evaluate/simulation.py scores them the same way.
ANSWERED_BEFORE_FORM = frozenset({"check_order_status", "report_damaged_goods", "file_complaint"})


@dataclass(frozen=True)
class Answer:
    kind: Literal["faq", "passage", "abstain", "ask_brand", "suggest"]
    text: str | None = None
    doc: str | None = None
    section: str | None = None
    score: float = 0.0
    brands: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()


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
    intent: str | None = None,
    brand: str | None = None,
    context_brand: str | None = None,
    thresholds: Thresholds | None = None,
) -> Answer:
    """The answer to give, or the reason not to give one. brand: the channel's pinned platform;
    intent: what NLU called the message (out_of_scope raises the bar for retrieval).

    Unpinned and with no platform named, an answer whose platform has a close rival from another platform
    (within brand_margin of retrieval score) is not given: the customer is asked which platform they mean.
    context_brand, the platform the conversation was about, settles what the question leaves open: which of
    the rivals is meant, and whose topics to offer when none is sure. It never overrides a sure answer, a
    platform named in the question or a pinned one.
    """
    brand = brand or named_brand(question)
    limits = thresholds or Thresholds()
    answer = _decide(question, kb, intent=intent, brand=brand, limits=limits)
    unsure = answer.kind == "suggest" or (answer.kind == "ask_brand" and context_brand in answer.brands)
    if brand is None and context_brand is not None and unsure:
        within = _decide(question, kb, intent=intent, brand=context_brand, limits=limits)
        if within.kind != "abstain":
            return within
    return answer


def _decide(
    question: str, kb: KnowledgeBase, *, intent: str | None, brand: str | None, limits: Thresholds
) -> Answer:
    picked = _suggested_topics(kb).get(_plain(question))
    if picked is not None:  # a "did you mean" button pressed (or its question typed word for word)
        return Answer("faq", picked.reply, picked.document, picked.section, 1.0)
    hits = kb.search(without_preamble(question), k=5, brand=brand)  # "halo kak, mau tanya" is no topic
    chit_chat = intent == "out_of_scope"
    bar = limits.out_of_scope if chit_chat else limits.retrieval
    if not hits or hits[0].score < bar:
        top = hits[0].score if hits else 0.0
        offers = _suggestions(kb, hits, limits.out_of_scope_suggest if chit_chat else limits.suggest)
        if offers:
            return Answer("suggest", score=top, suggestions=offers)
        return Answer("abstain", score=top)
    chosen, chosen_brand = _from_hit(hits[0]), hits[0].brand
    if brand is None:
        own = max((h.score for h in hits if h.brand == chosen_brand), default=hits[0].score)
        rivals = [h.brand for h in hits if h.brand != chosen_brand and h.score >= own - limits.brand_margin]
        if rivals:
            brands = tuple(dict.fromkeys([chosen_brand, *rivals]))
            return Answer("ask_brand", score=chosen.score, brands=brands)
    return chosen


def suggestion(topic: FaqTopic) -> Suggestion:
    platform = platform_name(topic.brand)
    named = named_brand(topic.question) == topic.brand
    return Suggestion(
        topic.topic,
        topic.question if named else f"{topic.question} ({platform})",
        topic.question if named else f"{topic.question} di {platform}",
    )


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


_suggested: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, FaqTopic]] = weakref.WeakKeyDictionary()


def _suggested_topics(kb: KnowledgeBase) -> dict[str, FaqTopic]:
    """The "did you mean" payloads of this knowledge base's topics (kept as long as the knowledge base is:
    an edited one replaces it)."""
    if kb not in _suggested:
        _suggested[kb] = {_plain(suggestion(t).payload): t for t in kb.topics}
    return _suggested[kb]


def _suggestions(kb: KnowledgeBase, hits: list[SearchHit], bar: float) -> tuple[Suggestion, ...]:
    topics = [h.topic for h in hits if h.kind == "faq" and h.topic and h.score >= bar]
    return tuple(suggestion(kb.by_topic[t]) for t in dict.fromkeys(topics))[:MAX_SUGGESTIONS]


def platform_name(brand: str) -> str:
    return next(d.platform for d in DOCUMENTS if d.brand == brand)


def outright_answer(
    question: str,
    kb: KnowledgeBase,
    *,
    intent: str | None,
    brand: str | None = None,
    context_brand: str | None = None,
    thresholds: Thresholds | None = None,
) -> Answer | None:
    """The answer to a question the help centre answers outright (no "did you mean", no platform to ask),
    or None: what a request's form says before its first question."""
    if not is_question(question):
        return None
    answer = decide(
        question, kb, intent=intent, brand=brand, context_brand=context_brand, thresholds=thresholds
    )
    return answer if answer.kind in OUTRIGHT_KINDS else None
