"""Hybrid search over FAQ topics and passages: dense (faiss) and lexical (BM25) scores fused.

A topic's dense score fuses its best-matching question (canonical or example) with its question+answer
vector; passages use their own vector. BM25 adds what embeddings blur: exact product and menu names,
numbers, abbreviations. The lexical part saturates (s / (s + K)) so that a score keeps a meaning across
queries and can be thresholded for abstention. Without an encoder (`lexical`) the ranking is BM25 alone:
the baseline the dense backends are measured against.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import faiss
import numpy as np

from knowledge.encoders import Encoder
from knowledge.faq import FaqTopic, load_topics
from knowledge.index import KnowledgeIndex, flat_index, passage_text
from knowledge.ingest import Passage, passages
from knowledge.lexical import BM25

LEXICAL = "lexical"


@dataclass(frozen=True)
class SearchHit:
    kind: Literal["faq", "passage"]
    id: str  # topic name or passage id
    doc: str
    brand: str
    section: str
    score: float
    text: str  # the FAQ answer with its source line, or the passage text
    topic: str | None = None


@dataclass(frozen=True)
class Fusion:
    question_weight: float = 0.6  # of the dense topic score; the rest goes to the question+answer vector
    lexical_weight: float = 0.25
    lexical_saturation: float = 8.0  # K in s / (s + K)
    passage_penalty: float = 0.03  # prefer a written FAQ answer over a raw passage at equal similarity


def _stored_vectors(index: faiss.Index) -> np.ndarray:
    """The vectors of a flat index as an (n, dim) float32 array: a view of the index's own memory."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    xb = index.get_xb()  # type: ignore[attr-defined]  # a flat index's own storage (SWIG, untyped)
    return faiss.rev_swig_ptr(xb, index.ntotal * index.d).reshape(index.ntotal, index.d)


def _inner_products(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """The query's inner product with every row, in row order, with faiss's SIMD kernel on one thread.

    Fusion needs every score, and a flat index search with k = all vectors heap-sorts them and runs OpenMP
    threads: at 10k passages ~3 ms alone and 10-20 ms beside a busy Rasa, against ~1.5 ms here
    (bench/retrieval.py).
    """
    out = np.empty(len(vectors), dtype=np.float32)
    if len(vectors):
        faiss.fvec_inner_products_ny(  # type: ignore[attr-defined]  # SWIG, untyped
            faiss.swig_ptr(out),
            faiss.swig_ptr(query),
            faiss.swig_ptr(vectors),
            vectors.shape[1],
            len(vectors),
        )
    return out


class KnowledgeBase:
    """Ranked FAQ answers and passages for a question. Build with `dense_hybrid(...)` or `lexical_only()`."""

    def __init__(
        self,
        topics: list[FaqTopic],
        passages: list[Passage],
        *,
        build_seconds: float,
        dense: tuple[KnowledgeIndex, Encoder] | None = None,
        fusion: Fusion | None = None,
    ) -> None:
        self.topics = topics
        self.by_topic = {t.topic: t for t in topics}
        self.passages = passages
        self.build_seconds = build_seconds
        self.fusion = fusion or Fusion()
        self._dense = dense
        self._vectors: tuple[np.ndarray, ...] = (
            tuple(
                _stored_vectors(i) for i in (dense[0].faq_questions, dense[0].faq_qa, dense[0].passage_index)
            )
            if dense
            else ()
        )
        self._topic_lexical = BM25([" ".join((t.question, *t.examples, t.answer)) for t in topics])
        self._passage_lexical = BM25([passage_text(p) for p in passages])
        self._brands = np.array([t.brand for t in topics] + [p.brand for p in passages])

    @classmethod
    def dense_hybrid(
        cls, index: KnowledgeIndex, encoder: Encoder, fusion: Fusion | None = None
    ) -> KnowledgeBase:
        return cls(
            index.topics,
            index.passages,
            build_seconds=index.manifest.build_seconds,
            dense=(index, encoder),
            fusion=fusion,
        )

    def with_topics(self, topics: Sequence[FaqTopic]) -> KnowledgeBase:
        """The same passages with these FAQ topics (the files with the console's edits applied): vectors of
        questions and answers already in the index are reused, only new or changed texts are encoded."""
        if self._dense is None:
            return KnowledgeBase(list(topics), self.passages, build_seconds=0.0, fusion=self.fusion)
        started = time.monotonic()
        index, encoder = self._dense
        question_vectors, qa_vectors, _ = self._vectors
        rows = [text for t in self.topics for text in (t.question, *t.examples)]
        assert len(rows) == len(question_vectors)
        known = dict(zip(rows, question_vectors, strict=True))
        known_qa = {(t.question, t.answer): qa_vectors[i] for i, t in enumerate(self.topics)}
        texts = [text for t in topics for text in (t.question, *t.examples)]
        owners = [i for i, t in enumerate(topics) for _ in (t.question, *t.examples)]
        new_texts = list(dict.fromkeys(t for t in texts if t not in known))
        if new_texts:
            known.update(zip(new_texts, encoder.encode_queries(new_texts), strict=True))
        new_qa = [(t.question, t.answer) for t in topics if (t.question, t.answer) not in known_qa]
        if new_qa:
            vectors = encoder.encode_passages([f"{q}\n{a}" for q, a in new_qa])
            known_qa.update(zip(new_qa, vectors, strict=True))
        edited = KnowledgeIndex(
            replace(index.manifest, topics=len(topics), question_vectors=len(texts)),
            list(topics),
            self.passages,
            np.array(owners, dtype=np.int32),
            flat_index(np.stack([known[t] for t in texts])),
            flat_index(np.stack([known_qa[(t.question, t.answer)] for t in topics])),
            index.passage_index,
        )
        kb = KnowledgeBase.dense_hybrid(edited, encoder, self.fusion)
        kb.build_seconds = round(time.monotonic() - started, 2)
        return kb

    @classmethod
    def lexical_only(cls) -> KnowledgeBase:
        started = time.monotonic()
        topics = list(load_topics())
        chunks = passages(known_headings=[t.section for t in topics])
        kb = cls(topics, chunks, build_seconds=0.0)
        kb.build_seconds = round(time.monotonic() - started, 2)
        return kb

    def _lexical(self, bm25: BM25, query: str) -> np.ndarray:
        scores = bm25.scores(query)
        return scores / (scores + self.fusion.lexical_saturation)

    def _dense_scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Dense similarity of every topic and every passage to the query."""
        assert self._dense is not None
        idx, encoder = self._dense
        vector = np.ascontiguousarray(encoder.encode_queries([query])[0], dtype=np.float32)
        question_vectors, qa_vectors, passage_vectors = self._vectors
        best_question = np.full(len(self.topics), -1.0, dtype=np.float32)
        np.maximum.at(best_question, idx.question_owner, _inner_products(question_vectors, vector))
        qa = _inner_products(qa_vectors, vector)  # faq_qa holds one vector per topic, in topic order
        passage = _inner_products(passage_vectors, vector)
        w = self.fusion.question_weight
        return w * best_question + (1 - w) * qa, passage

    def scores(self, query: str) -> np.ndarray:
        """One fused score per topic, then per passage (the order of self.topics + self.passages)."""
        topic = self._lexical(self._topic_lexical, query)
        passage = self._lexical(self._passage_lexical, query)
        if self._dense is not None:
            dense_topic, dense_passage = self._dense_scores(query)
            lw = self.fusion.lexical_weight
            topic = (1 - lw) * dense_topic + lw * topic
            passage = (1 - lw) * dense_passage + lw * passage
        return np.concatenate([topic, passage - self.fusion.passage_penalty])

    def search(self, query: str, k: int = 5, brand: str | None = None) -> list[SearchHit]:
        """The k best FAQ answers and passages for the query, best first (optionally one brand only)."""
        query = query.strip()
        if not query or k <= 0:
            return []
        scores = self.scores(query)
        if brand is not None:
            scores = np.where(self._brands == brand, scores, -np.inf)
        k = min(k, int(np.isfinite(scores).sum()))
        if k == 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        return [self._hit(int(i), float(scores[i])) for i in best[np.argsort(-scores[best], kind="stable")]]

    def _hit(self, i: int, score: float) -> SearchHit:
        if i < len(self.topics):
            t = self.topics[i]
            return SearchHit("faq", t.topic, t.document, t.brand, t.section, score, t.reply, t.topic)
        p = self.passages[i - len(self.topics)]
        return SearchHit("passage", p.id, p.document, p.brand, p.section, score, p.text)
