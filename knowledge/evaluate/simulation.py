"""What the bot ends up saying to each dev question (the same `decide` the action uses, for the intents
whose rules run that action, with a simulated customer answering its questions), and how often it is right:
from the expected document and stating every expected fact."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from knowledge.answering import (
    ANSWERED_BEFORE_FORM,
    OUTRIGHT_KINDS,
    Answer,
    Thresholds,
    decide,
    outright_answer,
)
from knowledge.documents import BY_FILE
from knowledge.evaluate.dataset import DevQuestion
from knowledge.evaluate.facts import contains_facts
from knowledge.evaluate.nlu import Parse
from knowledge.faq import FaqTopic
from knowledge.search import KnowledgeBase, SearchHit

# The intents whose rules run action_answer_question; any other intent starts another flow, which
# neither answers a help-centre question nor invents a fact.
ANSWERING_INTENTS = frozenset({"faq", "nlu_fallback", "out_of_scope"})


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


def observe(
    kb: CachedSearch, questions: list[DevQuestion], parses: dict[str, Parse] | None = None
) -> list[Observation]:
    parses = parses or {}
    return [
        Observation(q, parses.get(q.question, Parse()), kb.search(q.question, k=5)[:3]) for q in questions
    ]


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
        return a if a is not None and a.kind in OUTRIGHT_KINDS else None

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
