"""Parse texts with a trained Rasa model, in-process: run by .venv-rasa's Python, not imported by .venv code.

    .venv-rasa/bin/python bot/ops/rasa_parse.py MODEL.tar.gz OUT.json < texts.json

stdin: a JSON list of texts; OUT.json: a JSON list of {"intent": {...}, "intent_ranking": [...]} in the same
order. Loading the model once and parsing in-process takes seconds where a Rasa server takes a minute to
start. Imports nothing from this project (it runs in the Rasa environment).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys


async def _parse_all(model: str, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    parses = []
    for text in texts:
        data = await agent.parse_message(text)
        parses.append({"intent": data.get("intent"), "intent_ranking": data.get("intent_ranking", [])[:5]})
    return parses


def main() -> None:
    logging.disable(logging.WARNING)
    sys.path.insert(1, os.getcwd())  # the custom components (rasa_components/), as the rasa CLI does
    texts = json.load(sys.stdin)
    parses = asyncio.run(_parse_all(sys.argv[1], texts))
    with open(sys.argv[2], "w", encoding="utf-8") as out:  # not stdout: Rasa and TensorFlow print there
        json.dump(parses, out, ensure_ascii=False)


if __name__ == "__main__":
    main()
