"""WhatsApp reply latency: from the signed webhook POST to the outbound call reaching Twilio's API.

Starts the real stack (Rasa, action server, gateway) on free ports with a throwaway database, a local server
playing Twilio's API, and sends N messages (default 200) one at a time, each waiting for its reply like a
person would. The messages are the knowledge dev set's questions and order-status, greeting and complaint
openers, each from a new customer, so that no message depends on an earlier one's state: with 20 customers
taking turns, a run once waited 60 s for a reply that did not come (the router stays silent, by design,
to a customer waiting for an agent who has had the queue's acknowledgement; an earlier message of the
same customer may have put them there).
Timing uses one monotonic clock: the fake Twilio runs in this process.

    .venv/bin/python -m bench.whatsapp_latency [--messages 200]   → reports/bench/whatsapp.json
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from bench.common import REPORT_DIR, machine, measured_at, summarise, write_report
from bot.config import PROJECT_ROOT, Settings
from tests.e2e.stack import WHATSAPP_NUMBER, NoModel, throwaway_stack
from tests.fakes.twilio_api import FakeTwilio

OPENERS = [
    "halo kak",
    "kak paket UK-2611-008170 udh dmn ya",
    "cek pesanan saya dong",
    "mau komplain kak barang ga sampe2",
    "makasih kak",
]


def messages(count: int, seed: int = 42) -> list[str]:
    dev = yaml.safe_load((PROJECT_ROOT / "tests/knowledge/data/dev_set.yml").read_text())
    pool = [q["question"] for q in dev["answerable"]] + OPENERS * 10
    return random.Random(seed).choices(pool, k=count)  # noqa: S311 - a sample, not a secret


def run(count: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, FakeTwilio().running() as twilio:
        try:
            stack = throwaway_stack(Path(tmp), twilio)
        except NoModel as exc:
            raise SystemExit(str(exc)) from exc
        stack.start()
        try:
            return measure(stack.settings, twilio, count)
        finally:
            stack.stop()


def measure(settings: Settings, twilio: FakeTwilio, count: int) -> dict[str, object]:
    """`count` messages through a running stack whose Twilio API is `twilio`."""
    texts = messages(count)
    url = f"{settings.public_base_url}/webhooks/whatsapp"
    latencies: list[float] = []
    with httpx.Client(timeout=60) as client:
        for i, text in enumerate(texts):
            params = {
                "MessageSid": "SM" + secrets.token_hex(16),
                "AccountSid": twilio.account_sid,
                "From": f"whatsapp:+62812{i:07d}",  # a new customer each time
                "To": f"whatsapp:{WHATSAPP_NUMBER}",
                "Body": text,
                "NumMedia": "0",
            }
            already = len(twilio.sent)
            started = time.monotonic()
            response = client.post(url, data=params, headers={"X-Twilio-Signature": twilio.sign(url, params)})
            response.raise_for_status()
            first = twilio.wait_for(already + 1, timeout=60)[already]
            latencies.append((first.at - started) * 1000)
            time.sleep(0.3)  # let the rest of this turn's replies go out before the next message
    stats = summarise(latencies)
    return {
        "what": "WhatsApp webhook POST → first outbound Messages API call (fake Twilio, same process clock)",
        "messages": stats.pop("n"),
        **stats,
        "machine": machine(),
        "measured_at": measured_at(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--out", type=Path, default=REPORT_DIR / "whatsapp.json")
    args = parser.parse_args()
    result = run(args.messages)
    write_report(args.out.stem, result, args.out.parent)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
