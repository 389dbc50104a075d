"""The scaled layout under the single stack's load (issue 17): `python -m bench.scaled [--quick]`.

nginx in front of 2 gateways, 2 Rasa servers and 2 action servers (bot/ops/scaled.py, what `make run-scaled`
starts), on a throwaway database of the local PostgreSQL server and the local Redis under a throwaway key
prefix. The same loads as the single stack, with the same scripts and seeds: 50 customers with think time
and 50 in a closed loop, through nginx to the gateways ("gateway") and through nginx straight to the Rasa
servers ("bare"). Writes reports/bench/scaled.json; `make bench` runs it after the single stack.
PostgreSQL: BENCH_POSTGRES_URL, else TEST_POSTGRES_URL, else the local server with trust auth.
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import load
from bench.common import write_report
from bot.ops.spacy_model import ensure_spacy_model
from tests.e2e.stack import throwaway_scaled_stack
from tests.fakes.twilio_api import FakeTwilio
from tests.postgres import throwaway_database

LEVEL = 50
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


def measure(warmup: float, duration: float) -> dict[str, Any]:
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL") or SERVER
    with (
        throwaway_database(server, prefix="bench_scaled") as database_url,
        tempfile.TemporaryDirectory() as tmp,
        FakeTwilio().running() as twilio,
    ):
        return _measure(Path(tmp), twilio, database_url, (warmup, duration))


def _measure(tmp: Path, twilio: FakeTwilio, database_url: str, window: tuple[float, float]) -> dict[str, Any]:
    warmup, duration = window
    stack = throwaway_scaled_stack(
        tmp,
        twilio,
        database_url=database_url,
        redis_url=os.environ.get("BENCH_REDIS_URL", REDIS),
        redis_prefix=f"bench-{secrets.token_hex(4)}:",
    )
    ensure_spacy_model()
    started = time.monotonic()
    stack.start(timeout=400)
    healthy_s = round(time.monotonic() - started, 1)
    try:
        pids = {name: s.process.pid for name, s in stack.services.items() if s.process}
        urls = {
            "gateway": f"{stack.public_url}/webhooks/rest/webhook",
            "bare": f"{stack.settings.rasa_base_url}/webhooks/rest/webhook",
        }
        print(f"scaled layout healthy after {healthy_s} s; {LEVEL} customers, think time ...", flush=True)
        think = load.load_levels(urls, pids, [LEVEL], warmup, duration)
        print(f"scaled layout: {LEVEL} customers in a closed loop ...", flush=True)
        closed = load.load_levels(urls, pids, [LEVEL], warmup, duration, think=(0.0, 0.0))
    finally:
        stack.stop()
    return {
        "what": "nginx + 2 gateways + 2 Rasa + 2 action servers on PostgreSQL and Redis (make run-scaled)",
        "healthy_after_s": healthy_s,
        "think": {"think_time_s": list(load.THINK_SECONDS), "runs": think},
        "closed_loop": {"think_time_s": [0.0, 0.0], "runs": closed},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short windows (a smoke run)")
    args = parser.parse_args()
    warmup, duration = (2.0, 8.0) if args.quick else (5.0, 40.0)
    write_report("scaled", measure(warmup, duration))


if __name__ == "__main__":
    main()
