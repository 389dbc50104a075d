"""Held-out NLU evaluation in one Rasa process: run by .venv-rasa's Python, not imported by .venv code.

    .venv-rasa/bin/python bot/ops/rasa_heldout.py CONFIG NLU_DIR OUT_DIR

Splits NLU_DIR 80/20 per intent (seed 42, as `rasa data split nlu`), trains an NLU model on the 80% and
tests it on the 20% (as `rasa test nlu`), writing Rasa's reports (intent_report.json, errors) to OUT_DIR.
One process instead of three CLI runs: each start of the Rasa CLI costs ~15 s of imports on 2 cores, time
`make test` pays on every run. The test messages are training examples of the full model, whose e5 vectors
training left in the cache: the e5 featurizer reads them instead of encoding each message again
(`cache_when_processing`, the one difference from CONFIG; same vectors). Imports nothing from this project
(it runs in the Rasa environment).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time

TRAINING_FRACTION = 0.8
SEED = 42


def main() -> None:
    config, nlu_dir, out = sys.argv[1:4]
    sys.path.insert(1, os.getcwd())  # the custom components (rasa_components/), as the rasa CLI does
    started = time.monotonic()

    import rasa.shared.data
    import rasa.shared.utils.io
    from rasa.model_testing import test_nlu
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)  # else every test message is logged at debug level
    data = load_data(rasa.shared.data.get_nlu_directory(nlu_dir))
    train, test = data.train_test_split(TRAINING_FRACTION, SEED)
    with tempfile.TemporaryDirectory() as tmp:
        train.persist(tmp, filename="training_data.yml")
        test.persist(tmp, filename="test_data.yml")
        rasa.shared.utils.io.write_yaml(_reading_cached_vectors(config), f"{tmp}/config.yml")
        loaded = time.monotonic()
        model = train_nlu(f"{tmp}/config.yml", f"{tmp}/training_data.yml", tmp, fixed_model_name="heldout")
        if model is None:
            sys.exit("training the held-out NLU model failed")
        trained = time.monotonic()
        options = {"disable_plotting": True, "errors": True, "successes": False}
        asyncio.run(test_nlu(model, f"{tmp}/test_data.yml", out, additional_arguments=options))
    print(
        f"held-out NLU: imports and split {loaded - started:.0f} s, training {trained - loaded:.0f} s, "
        f"test {time.monotonic() - trained:.0f} s"
    )


def _reading_cached_vectors(config_path: str) -> dict:
    import rasa.shared.utils.io

    config = rasa.shared.utils.io.read_config_file(config_path)
    featurizers = [c for c in config["pipeline"] if c["name"].endswith(".E5SentenceFeaturizer")]
    if len(featurizers) != 1:
        sys.exit(f"expected one E5SentenceFeaturizer in {config_path}, found {len(featurizers)}")
    featurizers[0]["cache_when_processing"] = True
    return config


if __name__ == "__main__":
    main()
