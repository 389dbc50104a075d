"""Run by .venv-rasa's Python (tests/rasa_components/test_neighbour_featurizer.py): IntentNeighbourFeaturizer
trained on a few examples with hand-made sentence vectors (as the e5 featurizer would add them), then asked
about new messages and about its own training examples; prints JSON."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(1, os.getcwd())

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_components.neighbour_featurizer import IntentNeighbourFeaturizer

SOURCE = "run_E5SentenceFeaturizer3"


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def message(text: str, vector: np.ndarray, intent: str | None = None) -> Message:
    data = {TEXT: text, **({INTENT: intent} if intent else {})}
    found = Message(data=data)
    found.add_features(Features(vector[None, :], FEATURE_TYPE_SENTENCE, TEXT, SOURCE))
    return found


def own_features(found: Message, origin: str) -> list[float]:
    for features in found.features:
        if features.origin == origin:
            return np.asarray(features.features).ravel().round(4).tolist()
    return []


examples = [
    message("bayar 1", unit(1, 0.05, 0), "faq"),
    message("bayar 2", unit(1, -0.05, 0), "faq"),
    message("bayar 3", unit(1, 0, 0.05), "faq"),
    message("komplain 1", unit(0, 1, 0.05), "file_complaint"),
    message("komplain 2", unit(0, 1, -0.05), "file_complaint"),
    message("komplain 3", unit(0.05, 1, 0), "file_complaint"),
    message("komplain 3 lagi", unit(0.05, 1, 0), "file_complaint"),  # the same vector twice
]
config = {**IntentNeighbourFeaturizer.get_default_config(), "top_k": 2, "temperature": 0.05}
with tempfile.TemporaryDirectory() as directory:
    storage = LocalModelStorage(Path(directory))
    resource = Resource("neighbours")
    context = ExecutionContext(node_name="run_IntentNeighbourFeaturizer4", graph_schema=None)
    trained = IntentNeighbourFeaturizer.create(config, storage, resource, context)
    trained.train(TrainingData(examples))
    trained.process_training_data(TrainingData(examples))
    loaded = IntentNeighbourFeaturizer.load(config, storage, resource, context)
    near_faq = message("bayar lagi", unit(1, 0.02, 0.01))
    nowhere = message("apa kabar presiden", unit(0, 0, 1))
    copy = message("komplain 3", unit(0.05, 1, 0))
    loaded.process([near_faq, nowhere, copy])
    again = message("bayar lagi", unit(1, 0.02, 0.01))
    trained.process([again])

origin = "run_IntentNeighbourFeaturizer4"
print(
    json.dumps(
        {
            "near_faq": own_features(near_faq, origin),
            "nowhere": own_features(nowhere, origin),
            "copy_served": own_features(copy, origin),
            "copy_in_training": own_features(examples[5], origin),
            "before_saving": own_features(again, origin),
        }
    )
)
