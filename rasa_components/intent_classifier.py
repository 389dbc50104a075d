"""A linear intent classifier over the pipeline's sentence features, with class weights and calibrated
probabilities (docs/adr/0012).

Why not DIET: with ~2,500 help-centre examples under `faq` against 100-300 for each action intent, DIET
learnt to send any long or unusual message to `faq` with confidence 1.00, which no fallback threshold can
use. A multinomial logistic regression gives probabilities that mean something (a message unlike every
intent gets a flat distribution and falls back), trains in seconds, and is easy to inspect.

Input: every sentence-level feature block the featurizers before it added to TEXT (word and character
n-gram counts, regex matches, the e5 sentence vector). Counts become TF-IDF (1 + log count, times the
smoothed inverse document frequency learnt in training): a character n-gram every message has says
nothing. Each block is then L2-normalised and weighted (`block_weights`, by featurizer class name; 1.0 by
default), so a long story does not outweigh a short request by its length.
Classes are weighted by (largest class / class size) ** class_weight_power, so `faq` does not win every
doubt by its size alone (power 1, the default: full balancing; docs/adr/0012 compares 0.75).
Persisted as JSON + npz (no pickle).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

RANKING_LENGTH = 10


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 10.0,  # inverse L2 strength of the logistic regression
            "class_weight_power": 1.0,
            "block_weights": {},  # featurizer class name -> weight of its block
            "max_iter": 3000,
            "random_seed": 42,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "scipy"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        blocks: list[str] | None = None,
        classes: list[str] | None = None,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._blocks = blocks or []  # feature origins in the order the weights expect them
        self._classes = classes or []
        self._coef = coef
        self._intercept = intercept
        self._block_widths: list[int] = []
        self._idf: dict[str, np.ndarray] = {}  # per sparse block

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # -- features -----------------------------------------------------------------------------------

    def _weight(self, origin: str) -> float:
        weights = self._config["block_weights"] or {}
        for name, weight in weights.items():
            if name in origin:  # origins are graph node names such as "run_E5SentenceFeaturizer4"
                return float(weight)
        return 1.0

    @staticmethod
    def _sentence_blocks(message: Message) -> dict[str, Any]:
        blocks: dict[str, Any] = {}
        for features in message.features:
            if features.attribute == TEXT and features.type == FEATURE_TYPE_SENTENCE:
                origin = features.origin if isinstance(features.origin, str) else "+".join(features.origin)
                blocks[origin] = features.features
        return blocks

    @staticmethod
    def _entries(value: Any) -> tuple[np.ndarray, np.ndarray, bool]:
        """Column indices and values of one message's sentence block (one row), and whether it is sparse."""
        if scipy.sparse.issparse(value):
            row = scipy.sparse.csr_matrix(value, dtype=np.float32)
            if row.shape[0] != 1:
                row = row.reshape(1, -1).tocsr()
            row.sum_duplicates()
            return row.indices, row.data, True
        flat = np.asarray(value, dtype=np.float32).ravel()
        index = np.flatnonzero(flat)
        return index, flat[index], False

    def _row(self, message: Message) -> tuple[np.ndarray, np.ndarray]:
        """One message's columns and values over all blocks (TF-IDF for counts, each block L2-normalised
        and weighted), built with numpy on the non-zero entries: this runs for every message Rasa parses."""
        found = self._sentence_blocks(message)
        columns, values = [], []
        offset = 0
        for origin, width in zip(self._blocks, self._block_widths, strict=True):
            value = found.get(origin)
            if value is not None:
                index, data, sparse = self._entries(value)
                if sparse:
                    data = 1.0 + np.log(np.maximum(np.abs(data), 1.0))
                    if origin in self._idf:
                        data = data * self._idf[origin][index]
                norm = float(np.sqrt(np.dot(data, data)))
                if norm > 0:
                    data = data * np.float32(self._weight(origin) / norm)
                columns.append(index + offset)
                values.append(data.astype(np.float32))
            offset += width
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate(columns), np.concatenate(values)

    def _matrix(self, messages: list[Message]) -> scipy.sparse.csr_matrix:
        rows = [self._row(m) for m in messages]
        indptr = np.concatenate([[0], np.cumsum([len(c) for c, _ in rows])])
        columns = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
        values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0, dtype=np.float32)
        shape = (len(messages), sum(self._block_widths))
        return scipy.sparse.csr_matrix((values, columns, indptr), shape=shape)

    # -- training -----------------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if not examples:
            return self._resource
        widths: dict[str, int] = {}
        for message in examples:
            for origin, value in self._sentence_blocks(message).items():
                widths.setdefault(origin, int(np.prod(value.shape)))
        self._blocks = sorted(widths)
        self._block_widths = [widths[b] for b in self._blocks]
        self._idf = self._inverse_document_frequencies(examples, widths)
        features = self._matrix(examples)
        labels = np.array([m.get(INTENT) for m in examples])
        classes, counts = np.unique(labels, return_counts=True)
        power = float(self._config["class_weight_power"])
        weights = {c: float((counts.max() / n) ** power) for c, n in zip(classes, counts, strict=True)}
        model = LogisticRegression(
            C=float(self._config["C"]),
            class_weight=weights,
            max_iter=int(self._config["max_iter"]),
            random_state=int(self._config["random_seed"]),
        )
        model.fit(features, labels)
        self._classes = [str(c) for c in model.classes_]
        self._coef = model.coef_.astype(np.float32)
        self._intercept = model.intercept_.astype(np.float32)
        self._persist()
        return self._resource

    def _inverse_document_frequencies(
        self, examples: list[Message], widths: dict[str, int]
    ) -> dict[str, np.ndarray]:
        seen: dict[str, list[np.ndarray]] = {}
        for message in examples:
            for origin, value in self._sentence_blocks(message).items():
                index, _, sparse = self._entries(value)
                if sparse:
                    seen.setdefault(origin, []).append(index)
        n = len(examples)
        idf = {}
        for origin, indices in seen.items():
            df = np.bincount(np.concatenate(indices), minlength=widths[origin]).astype(np.float32)
            idf[origin] = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        return idf

    def _persist(self) -> None:
        with self._storage.write_to(self._resource) as directory:
            (directory / "layout.json").write_text(
                json.dumps({"blocks": self._blocks, "widths": self._block_widths, "classes": self._classes})
            )
            np.savez_compressed(
                directory / "weights.npz",
                coef=self._coef,
                intercept=self._intercept,
                **{f"idf:{origin}": idf for origin, idf in self._idf.items()},
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                layout = json.loads((directory / "layout.json").read_text())
                with np.load(directory / "weights.npz") as weights:
                    coef, intercept = weights["coef"], weights["intercept"]
                    idf = {k.removeprefix("idf:"): weights[k] for k in weights.files if k.startswith("idf:")}
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)  # trained without intent examples
        loaded = cls(config, model_storage, resource, layout["blocks"], layout["classes"], coef, intercept)
        loaded._block_widths = layout["widths"]
        loaded._idf = idf
        return loaded

    # -- prediction ---------------------------------------------------------------------------------

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        scores = self._matrix(messages) @ self._coef.T + self._intercept
        scores = np.asarray(scores)
        if len(self._classes) == 2:  # sklearn keeps one row of weights for two classes
            scores = np.hstack([-scores, scores])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._coef is None:
            return messages
        todo = [m for m in messages if (m.get(TEXT) or "").strip()]
        if not todo:
            return messages
        for message, probs in zip(todo, self.probabilities(todo), strict=True):
            order = np.argsort(-probs)[:RANKING_LENGTH]
            ranking = [{"name": self._classes[i], "confidence": float(probs[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
