"""Errors of the knowledge package."""


class KnowledgeError(Exception):
    """Base of the knowledge package's errors."""


class IndexMismatch(KnowledgeError):
    """The index on disk was built from another corpus or by another encoder: rebuild it with `make index`."""
