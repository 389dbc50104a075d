"""NLU alone: Rasa's `POST /model/parse` latency, one request at a time, over customer messages of the
load benchmark's mix (bench/conversations.py). Needs a running Rasa; bench/run_all.py starts one.

    .venv/bin/python -m bench.nlu_parse --rasa-url http://127.0.0.1:5005 [--messages 300]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import httpx

from bench.common import summarise
from bench.conversations import all_messages

WARMUP = 10


def measure(rasa_url: str, count: int) -> dict[str, Any]:
    texts = all_messages(seed=11)
    latencies: list[float] = []
    failed = 0
    with httpx.Client(base_url=rasa_url.rstrip("/"), timeout=30) as client:
        for i in range(count + WARMUP):
            started = time.monotonic()
            response = client.post("/model/parse", json={"text": texts[i % len(texts)]})
            elapsed = (time.monotonic() - started) * 1000
            if i < WARMUP:
                continue
            if response.status_code == 200:
                latencies.append(elapsed)
            else:
                failed += 1
    return {
        "what": "Rasa POST /model/parse, sequential, after a warm-up of 10",
        "failed": failed,
        "latency": summarise(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-url", required=True)
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    print(json.dumps(measure(args.rasa_url, args.messages), indent=2))


if __name__ == "__main__":
    main()
