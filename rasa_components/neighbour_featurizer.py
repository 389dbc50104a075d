"""How close a message is to each intent's training examples, as a dense sentence feature (docs/adr/0012).

The linear intent classifier weighs every e5 dimension on its own; it cannot ask "is there a training example
that says nearly this?". That question separates what a linear boundary mixes up: a how-to question about a
service the help centres do not cover ("cara berhenti berlangganan", "proses KTP saya") lies in the same
region as `faq` but near none of its ~2,800 examples, and a complaint told as a story lies near complaints
it shares no words with. So, for each intent, the mean cosine of the message's `top_k` nearest examples of
that intent (e5 vectors, the same the classifier reads), given relative to the best intent
(exp((s - max) / temperature)), plus how near the nearest example of any intent is, one-hot over bins cut at
quantiles of the training examples' own nearest-neighbour similarity (so no threshold is tuned by hand).

In training, each example is compared with the others only (itself and exact duplicates left out): its
features look like those of a message never seen, which is what the classifier will meet. The examples'
vectors are stored with the model (float16).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

DUPLICATE = 0.9999  # cosine at which two examples are the same text
CHUNK = 512  # rows of the similarity matrix computed at once in training


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class IntentNeighbourFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "source": "E5SentenceFeaturizer",  # the featurizer whose sentence vectors are compared
            "top_k": 3,
            "temperature": 0.02,
            "quantiles": [0.05, 0.25, 0.5, 0.75],
        }

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
        vectors: np.ndarray | None = None,
        owners: np.ndarray | None = None,
        intents: list[str] | None = None,
        edges: np.ndarray | None = None,
    ) -> None:
        super().__init__(name, config)
        self._storage = model_storage
        self._resource = resource
        self._vectors = vectors  # (n, dim) float32, normalised
        self._owners = owners  # intent index of each row
        self._intents = intents or []
        self._edges = edges  # bin edges of the nearest-example similarity

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentNeighbourFeaturizer:
        return cls(config, execution_context.node_name, model_storage, resource)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config["top_k"]) < 1 or float(config["temperature"]) <= 0:
            raise ValueError("top_k must be at least 1 and temperature positive")

    # -- the source vectors -------------------------------------------------------------------------

    def _vector(self, message: Message) -> np.ndarray | None:
        for features in message.features:
            origin = features.origin if isinstance(features.origin, str) else "+".join(features.origin)
            if (
                features.attribute == TEXT
                and features.type == FEATURE_TYPE_SENTENCE
                and self._config["source"] in origin
            ):
                vector = np.asarray(features.features, dtype=np.float32).ravel()
                norm = float(np.linalg.norm(vector))
                return vector / norm if norm > 0 else vector
        return None

    # -- the features ------------------------------------------------------------------------------

    def _per_intent(self, similarities: np.ndarray) -> np.ndarray:
        """(rows, n) similarities -> (rows, intents): mean of each intent's top_k (fewer if it has fewer)."""
        assert self._owners is not None
        out = np.full((similarities.shape[0], len(self._intents)), -1.0, dtype=np.float32)
        k = int(self._config["top_k"])
        for index in range(len(self._intents)):
            columns = similarities[:, self._owners == index]
            kk = min(k, columns.shape[1])
            if kk == 0:
                continue
            top = -np.partition(-columns, kk - 1, axis=1)[:, :kk]
            top = np.where(np.isfinite(top), top, np.nan)
            out[:, index] = np.nan_to_num(np.nanmean(top, axis=1), nan=-1.0)
        return out

    def _features(self, per_intent: np.ndarray, nearest: np.ndarray) -> np.ndarray:
        assert self._edges is not None
        relative = np.exp(
            (per_intent - per_intent.max(axis=1, keepdims=True)) / float(self._config["temperature"])
        )
        bins = np.zeros((len(nearest), len(self._edges) + 1), dtype=np.float32)
        bins[np.arange(len(nearest)), np.searchsorted(self._edges, nearest)] = 1.0
        return np.hstack([relative, bins]).astype(np.float32)

    def _compare(self, vectors: np.ndarray, *, leave_out_copies: bool) -> tuple[np.ndarray, np.ndarray]:
        """Per-intent and nearest-example similarities of `vectors` to the stored examples; with
        leave_out_copies (training examples) an example's own copies do not count."""
        assert self._vectors is not None
        per_intent, nearest = [], []
        for start in range(0, len(vectors), CHUNK):
            block = vectors[start : start + CHUNK] @ self._vectors.T
            if leave_out_copies:
                block[block >= DUPLICATE] = -np.inf
            per_intent.append(self._per_intent(block))
            nearest.append(block.max(axis=1))
        return np.vstack(per_intent), np.concatenate(nearest)

    def _add(self, messages: list[Message], features: np.ndarray) -> None:
        for message, row in zip(messages, features, strict=True):
            message.add_features(Features(row[None, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier))

    # -- training and use ---------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and self._vector(m) is not None]
        if not examples:
            return self._resource
        self._intents = sorted({m.get(INTENT) for m in examples})
        self._owners = np.array([self._intents.index(m.get(INTENT)) for m in examples], dtype=np.int32)
        self._vectors = np.vstack([self._vector(m) for m in examples]).astype(np.float32)
        _, nearest = self._compare(self._vectors, leave_out_copies=True)
        finite = nearest[np.isfinite(nearest)]
        self._edges = np.quantile(finite, self._config["quantiles"]).astype(np.float32)
        with self._storage.write_to(self._resource) as directory:
            np.savez_compressed(
                directory / "neighbours.npz",
                vectors=self._vectors.astype(np.float16),
                owners=self._owners,
                edges=self._edges,
                intents=np.array(self._intents),
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentNeighbourFeaturizer:
        try:
            with (
                model_storage.read_from(resource) as directory,
                np.load(directory / "neighbours.npz") as data,
            ):
                vectors = data["vectors"].astype(np.float32)
                owners, edges, intents = data["owners"], data["edges"], [str(i) for i in data["intents"]]
        except (ValueError, FileNotFoundError):
            return cls(config, execution_context.node_name, model_storage, resource)
        return cls(
            config, execution_context.node_name, model_storage, resource, vectors, owners, intents, edges
        )

    def _featurize(self, messages: list[Message], *, leave_out_copies: bool) -> None:
        if self._vectors is None:
            return
        todo = [(m, v) for m in messages if (v := self._vector(m)) is not None]
        if todo:
            vectors = np.vstack([v for _, v in todo]).astype(np.float32)
            per_intent, nearest = self._compare(vectors, leave_out_copies=leave_out_copies)
            self._add([m for m, _ in todo], self._features(per_intent, nearest))

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages, leave_out_copies=False)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples, leave_out_copies=True)
        return training_data
