"""Hybrid search over FAQ topics and passages: dense (faiss) and lexical (BM25) scores fused.

A topic's dense score fuses its best-matching question (canonical or example) with its question+answer
vector; passages use their own vector. BM25 adds what embeddings blur: exact product and menu names,
numbers, abbreviations. The lexical part saturates (s / (s + K)) so that a score keeps a meaning across
queries and can be thresholded for abstention.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from knowledge.encoders import Encoder
from knowledge.faq import FaqTopic
from knowledge.index import KnowledgeIndex, passage_text
from knowledge.lexical import BM25


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


class KnowledgeBase:
    def __init__(self, index: KnowledgeIndex, encoder: Encoder, fusion: Fusion | None = None) -> None:
        self.index = index
        self.encoder = encoder
        self.fusion = fusion or Fusion()
        self._topic_lexical = BM25([" ".join((t.question, *t.examples, t.answer)) for t in index.topics])
        self._passage_lexical = BM25([passage_text(p) for p in index.passages])

    def _lexical(self, bm25: BM25, query: str) -> np.ndarray:
        scores = bm25.scores(query)
        return scores / (scores + self.fusion.lexical_saturation)

    def _topic_scores(self, query_vector: np.ndarray, query: str) -> np.ndarray:
        idx = self.index
        n_topics = len(idx.topics)
        q_scores, q_ids = idx.faq_questions.search(query_vector, idx.faq_questions.ntotal)
        best_question = np.full(n_topics, -1.0, dtype=np.float32)
        np.maximum.at(best_question, idx.question_owner[q_ids[0]], q_scores[0])
        qa_scores, qa_ids = idx.faq_qa.search(query_vector, n_topics)
        qa = np.empty(n_topics, dtype=np.float32)
        qa[qa_ids[0]] = qa_scores[0]
        w = self.fusion.question_weight
        dense = w * best_question + (1 - w) * qa
        lexical = self._lexical(self._topic_lexical, query)
        return (1 - self.fusion.lexical_weight) * dense + self.fusion.lexical_weight * lexical

    def _passage_scores(self, query_vector: np.ndarray, query: str) -> np.ndarray:
        idx = self.index
        scores, ids = idx.passage_index.search(query_vector, idx.passage_index.ntotal)
        dense = np.empty(idx.passage_index.ntotal, dtype=np.float32)
        dense[ids[0]] = scores[0]
        lexical = self._lexical(self._passage_lexical, query)
        fused = (1 - self.fusion.lexical_weight) * dense + self.fusion.lexical_weight * lexical
        return fused - self.fusion.passage_penalty

    def search(self, query: str, k: int = 5, brand: str | None = None) -> list[SearchHit]:
        """The k best FAQ answers and passages for the query, best first (optionally one brand only)."""
        query = query.strip()
        if not query:
            return []
        vector = self.encoder.encode_queries([query])
        hits: list[SearchHit] = []
        topics: list[FaqTopic] = self.index.topics
        for i, score in enumerate(self._topic_scores(vector, query)):
            topic = topics[i]
            if brand is None or topic.brand == brand:
                hits.append(
                    SearchHit(
                        "faq",
                        topic.topic,
                        topic.document,
                        topic.brand,
                        topic.section,
                        float(score),
                        topic.reply,
                        topic.topic,
                    )
                )
        for i, score in enumerate(self._passage_scores(vector, query)):
            passage = self.index.passages[i]
            if brand is None or passage.brand == brand:
                hits.append(
                    SearchHit(
                        "passage",
                        passage.id,
                        passage.document,
                        passage.brand,
                        passage.section,
                        float(score),
                        passage.text,
                    )
                )
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]
