"""`make eval` / `make calibrate`: the knowledge evaluation (knowledge/evaluate/cli.py) with the NLU of the
model trained for the current data, parsed in .venv-rasa (bot/ops/rasa_env.py) and cached per model.

    python -m bot.ops.knowledge_eval [--backend B|all] [--rasa URL | --no-nlu] [--calibrate]
"""

from __future__ import annotations

import sys

from bot.ops.rasa_env import model_path_for, parse_texts, training_hash
from knowledge.evaluate.cli import main as evaluate
from knowledge.evaluate.dataset import DevQuestion
from knowledge.evaluate.nlu import Parse, cached_parses


def trained_model_parses(questions: list[DevQuestion]) -> dict[str, Parse]:
    hash_ = training_hash()
    model = model_path_for(hash_)

    def parse(texts: list[str]) -> list[dict[str, object]]:
        if not model.exists():
            sys.exit(f"no trained model at {model}: run `make train` first")
        return parse_texts(texts, model)

    return cached_parses(questions, hash_, parse)


if __name__ == "__main__":
    evaluate(trained_model_parses)
