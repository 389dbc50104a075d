"""Unanswered questions grouped by similarity, so a supervisor sees "12× cara bayar pakai QRIS" once.

Similarity is the cosine of TF-IDF weighted words and character 4-grams (knowledge.lexical.tokens, the same
terms the lexical search uses), with the IDF taken over the questions being grouped: it joins the spellings
of one question ("bayar pakai qris gmn", "cara bayar pake QRIS?") while words every question shares ("cara",
"bayar", "bisa") weigh little, so "bayar pakai QRIS" and "bayar pakai GoPay" stay apart. It needs no model.
Groups form greedily, most frequent wording first; a question joins the first group whose leading wording
is similar enough.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from knowledge.lexical import tokens

SIMILAR = 0.5
_SPACE = re.compile(r"\s+")


@dataclass
class QuestionGroup:
    example: str  # the most frequent wording
    count: int = 0
    variants: list[str] = field(default_factory=list)  # other wordings, most frequent first
    members: list[int] = field(default_factory=list)  # positions of its questions in the input list
    _terms: dict[str, float] = field(default_factory=dict, repr=False)
    _norm: float = field(default=0.0, repr=False)


def _weighted(text: str, idf: dict[str, float]) -> tuple[dict[str, float], float]:
    weights = {term: count * idf[term] for term, count in Counter(tokens(text)).items()}
    return weights, math.sqrt(sum(v * v for v in weights.values()))


def _cosine(a: dict[str, float], a_norm: float, b: dict[str, float], b_norm: float) -> float:
    if not a_norm or not b_norm:
        return 0.0
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return sum(v * large.get(k, 0) for k, v in small.items()) / (a_norm * b_norm)


def group_questions(questions: list[str], *, similar: float = SIMILAR) -> list[QuestionGroup]:
    """Groups of similar questions, largest first (ties: the order the wordings were first seen)."""
    wordings: Counter[str] = Counter()
    shown: dict[str, str] = {}
    positions: dict[str, list[int]] = {}
    for position, question in enumerate(questions):
        key = _SPACE.sub(" ", question.strip().lower())
        if key:
            wordings[key] += 1
            shown.setdefault(key, _SPACE.sub(" ", question.strip()))
            positions.setdefault(key, []).append(position)
    documents = Counter(term for key in wordings for term in set(tokens(key)))
    idf = {term: math.log((1 + len(wordings)) / (1 + df)) + 1 for term, df in documents.items()}
    groups: list[QuestionGroup] = []
    for key, count in wordings.most_common():
        terms, norm = _weighted(key, idf)
        home = next((g for g in groups if _cosine(terms, norm, g._terms, g._norm) >= similar), None)
        if home is None:
            home = QuestionGroup(example=shown[key], _terms=terms, _norm=norm)
            groups.append(home)
        else:
            home.variants.append(shown[key])
        home.count += count
        home.members += positions[key]
    return sorted(groups, key=lambda g: -g.count)
