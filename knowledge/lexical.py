"""BM25 over word tokens plus character n-grams, for the typos and abbreviations of chat Indonesian.

Small enough to keep in memory and rebuild at load time (no artefact to go stale).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    grams = [f"#{w[i : i + 4]}" for w in words if len(w) > 4 for i in range(len(w) - 3)]
    return words + grams


class BM25:
    """Okapi BM25 with the per-document term weights precomputed: a query is one numpy add per term."""

    def __init__(self, documents: Sequence[str], k1: float = 1.4, b: float = 0.75) -> None:
        counts = [Counter(tokens(d)) for d in documents]
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.float32)
        avg = float(lengths.mean()) if len(counts) else 0.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc_counts in enumerate(counts):
            for term, tf in doc_counts.items():
                postings.setdefault(term, []).append((i, tf))
        n = len(counts)
        self._size = n
        self._weights: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, entries in postings.items():
            idf = math.log(1 + (n - len(entries) + 0.5) / (len(entries) + 0.5))
            ids = np.array([i for i, _ in entries], dtype=np.int32)
            tfs = np.array([tf for _, tf in entries], dtype=np.float32)
            self._weights[term] = (ids, idf * tfs * (k1 + 1) / (tfs + norm[ids]))

    def scores(self, query: str) -> np.ndarray:
        result = np.zeros(self._size, dtype=np.float32)
        for term in set(tokens(query)):
            posting = self._weights.get(term)
            if posting is not None:
                np.add.at(result, posting[0], posting[1])
        return result
