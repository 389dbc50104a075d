"""One long conversation: does a turn get dearer as the session grows?

One customer sends TURNS messages, one at a time with no think time, in one conversation (one sender id):
help-centre questions from the knowledge dev set with a greeting or a thanks now and then, the way a chatty
WhatsApp customer stays in one Rasa session for hours. No request for a human and no complaint or return, so
every turn goes through NLU, the policies and an answer; a question NLU reads as an order question opens the
order form, and the questions after it are answered inside it (digressions), as a real customer's are. The
same messages go through the gateway and then straight to Rasa (a new sender id each). Reported: median
latency per block of 20 turns, the ratio of turns 101-120 to turns 1-20 (issue 17: ≤ 1.3), and the CPU time
per message of each process of the stack.

A third run of the same conversation straight to Rasa is sampled by py-spy (bench/profile.py), so the
report also says where Rasa's CPU per turn goes (the frames of rasa/ and rasa_sdk/, not ours).
"""

from __future__ import annotations

import random
import signal
import statistics
import time
from typing import Any

import httpx

from bench import profile
from bench.common import summarise
from bench.conversations import GREETINGS, THANKS, faq_questions
from bench.load import METADATA, REQUEST_TIMEOUT, cpu_seconds
from bot.config import PROJECT_ROOT

TURNS = 200
BLOCK = 20
SMALL_TALK_EVERY = 7  # every 7th turn is a greeting or a thanks


def turn_texts(turns: int = TURNS, seed: int = 5) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    questions = list(faq_questions())
    rng.shuffle(questions)
    texts = []
    for i in range(turns):
        if i % SMALL_TALK_EVERY == SMALL_TALK_EVERY - 1:
            texts.append(rng.choice(GREETINGS + THANKS))
        else:
            texts.append(questions[i % len(questions)])
    return texts


def converse(url: str, sender: str, texts: list[str], pids: dict[str, int]) -> dict[str, Any]:
    """Send the texts one after another as one conversation; latency per turn and CPU per message."""
    latencies: list[float] = []
    failed = 0
    cpu_before = cpu_seconds(pids)
    with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
        for text in texts:
            started = time.monotonic()
            try:
                body = {"sender": sender, "message": text, "metadata": METADATA}
                ok = client.post(url, json=body).is_success
            except httpx.HTTPError:
                ok = False
            latencies.append((time.monotonic() - started) * 1000)
            failed += not ok
    cpu_after = cpu_seconds(pids)
    blocks = [latencies[i : i + BLOCK] for i in range(0, len(latencies), BLOCK)]
    medians = [round(statistics.median(b), 1) for b in blocks]
    return {
        "turns": len(texts),
        "failed": failed,
        "latency": summarise(latencies),
        "block_medians_ms": {
            f"{i * BLOCK + 1}-{i * BLOCK + len(b)}": m
            for i, (b, m) in enumerate(zip(blocks, medians, strict=True))
        },
        "ratio_101_120_vs_1_20": round(medians[5] / medians[0], 2) if len(medians) > 5 else None,
        "cpu_ms_per_msg": {n: round((cpu_after[n] - cpu_before[n]) * 1000 / len(texts), 1) for n in pids},
    }


def run(urls: dict[str, str], pids: dict[str, int], turns: int = TURNS) -> dict[str, Any]:
    """The conversation through the gateway, then straight to Rasa, then straight to Rasa again with Rasa
    profiled (a separate run: the profiler's own cost would skew the first two)."""
    texts = turn_texts(turns)
    tag = int(time.time())
    result: dict[str, Any] = {
        "what": f"one conversation of {turns} messages, no think time, help-centre questions and small talk",
        "gateway": converse(urls["gateway"], f"long-{tag}-gateway", texts, pids),
        "bare": converse(urls["bare"], f"long-{tag}-bare", texts, pids),
    }
    out = PROJECT_ROOT / "var" / "bench" / "rasa-pyspy.txt"
    spy = profile.record(pids["rasa"], 3600, out)
    try:
        converse(urls["bare"], f"long-{tag}-profiled", texts, pids)
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes what it has sampled and exits
        _, err = spy.communicate(timeout=60)
    if out.exists():
        result["rasa_profile"] = profile.hot_spots(out.read_text(), packages=("rasa", "rasa_sdk"))
    else:
        result["rasa_profile"] = {"error": f"py-spy failed: {err.decode(errors='replace')[-500:]}"}
    return result
