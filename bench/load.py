"""Load generator: N simulated customers talk to a Rasa-compatible REST webhook at once.

Each customer runs a scripted conversation (bench/conversations.py, 3-6 turns), waits a think time drawn
uniformly from 0.5-2.0 s (seeded per customer) before every message, waits for the reply, and at the end
starts a new conversation under a new sender id. A run has a warm-up (discarded) and a measured window:
latency percentiles are over the messages sent in the window; throughput is the successful replies to
those messages per second of window. Failed requests (non-200 or transport errors) are counted per status.

The same function drives the gateway (`/webhooks/rest/webhook` on the gateway) and bare Rasa
(`{rasa_base_url}/webhooks/rest/webhook`), with the same messages, metadata and think times; sender ids
name the run, the target and the customer so trackers never mix. While a run is measured, the RSS and the
CPU time of the stack's processes (with their children) are sampled from /proc.

Run by bench/run_all.py (`make bench`); `run_level` can be used alone against any running stack.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from bench.common import RssSampler, load_average, process_tree, summarise
from bench.conversations import next_script

THINK_SECONDS = (0.5, 2.0)
REQUEST_TIMEOUT = 60.0
METADATA = {"channel": "rest"}  # what the gateway itself passes to Rasa for an untrusted REST caller


@dataclass(frozen=True)
class Outcome:
    started: float  # time.monotonic() when the request was sent
    latency_ms: float
    status: int  # HTTP status; 0 for a transport error or timeout
    kind: str  # the conversation script (faq, order, complaint, handoff)


@dataclass
class RunPlan:
    url: str
    target: str  # "gateway" or "bare"
    concurrency: int
    warmup: float
    duration: float
    seed: int
    run_tag: str
    pids: dict[str, int] = field(default_factory=dict)  # processes to sample (name -> root pid)
    think: tuple[float, float] = THINK_SECONDS  # (0, 0): a closed loop, each reply answered at once


def _cpu_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat)


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time used so far by each named process tree, in seconds."""
    hertz = os.sysconf("SC_CLK_TCK")
    return {name: sum(_cpu_ticks(p) for p in process_tree(pid)) / hertz for name, pid in pids.items()}


async def _customer(
    client: httpx.AsyncClient, plan: RunPlan, worker: int, stop_at: float, outcomes: list[Outcome]
) -> None:
    rng = random.Random(plan.seed * 100_003 + worker)  # noqa: S311 - a simulation, not a secret
    conversation = 0
    while time.monotonic() < stop_at:
        script = next_script(rng)
        sender = f"bench-{plan.run_tag}-{plan.target}-c{plan.concurrency}-w{worker}-{conversation}"
        conversation += 1
        for text in script.turns:
            await asyncio.sleep(rng.uniform(*plan.think))
            if time.monotonic() >= stop_at:
                return
            body = {"sender": sender, "message": text, "metadata": METADATA}
            started = time.monotonic()
            try:
                status = (await client.post(plan.url, json=body)).status_code
            except httpx.HTTPError:
                status = 0
            outcomes.append(Outcome(started, (time.monotonic() - started) * 1000, status, script.kind))


async def _monitor(plan: RunPlan, measure_from: float, stop_at: float) -> dict[str, Any]:
    """RSS every second and CPU time over the measured window of the plan's processes."""
    if not plan.pids:
        return {}
    await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
    sampler = RssSampler(plan.pids)
    cpu_before, at_before = cpu_seconds(plan.pids), time.monotonic()
    while time.monotonic() < stop_at:
        sampler.sample()
        await asyncio.sleep(1.0)
    cpu_after, at_after = cpu_seconds(plan.pids), time.monotonic()
    elapsed = at_after - at_before
    return {
        "rss": sampler.summary(),
        "cpu_cores_used": {n: round((cpu_after[n] - cpu_before[n]) / elapsed, 3) for n in plan.pids},
        "cpu_seconds": {n: round(cpu_after[n] - cpu_before[n], 2) for n in plan.pids},
    }


async def _measure(plan: RunPlan) -> tuple[list[Outcome], float, float, dict[str, Any]]:
    """One run: `concurrency` customers for warmup + duration seconds against plan.url; the outcomes, the
    measured window, and the processes' resources over it."""
    limits = httpx.Limits(
        max_connections=plan.concurrency + 5, max_keepalive_connections=plan.concurrency + 5
    )
    outcomes: list[Outcome] = []
    started = time.monotonic()
    measure_from = started + plan.warmup
    stop_at = measure_from + plan.duration
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits) as client:
        monitor = asyncio.create_task(_monitor(plan, measure_from, stop_at))
        await asyncio.gather(
            *(_customer(client, plan, w, stop_at, outcomes) for w in range(plan.concurrency))
        )
        resources = await monitor
    return outcomes, measure_from, stop_at, resources


async def run_level(plan: RunPlan) -> dict[str, Any]:
    outcomes, measure_from, stop_at, resources = await _measure(plan)
    return summarise_run(plan, outcomes, measure_from, stop_at) | resources


def summarise_run(
    plan: RunPlan, outcomes: list[Outcome], measure_from: float, stop_at: float
) -> dict[str, Any]:
    window = [o for o in outcomes if measure_from <= o.started < stop_at]
    ok = [o for o in window if o.status == 200]
    failed = Counter(str(o.status) for o in window if o.status != 200)
    by_kind = {
        kind: summarise([o.latency_ms for o in ok if o.kind == kind]) for kind in sorted({o.kind for o in ok})
    }
    return {
        "target": plan.target,
        "url": plan.url,
        "concurrency": plan.concurrency,
        "think_time_s": list(plan.think),
        "warmup_s": plan.warmup,
        "window_s": plan.duration,
        "sent": len(window),
        "ok": len(ok),
        "failed": sum(failed.values()),
        "failed_by_status": dict(failed),  # "0" = transport error or timeout
        "throughput_msg_s": round(len(ok) / plan.duration, 2),
        "latency": summarise([o.latency_ms for o in ok]),
        "latency_by_conversation": by_kind,
        "load_average_at_end": load_average(),  # other work on the machine shows here
    }


def run(plan: RunPlan) -> dict[str, Any]:
    return asyncio.run(run_level(plan))


def load_levels(
    settings_urls: dict[str, str],
    pids: dict[str, int],
    levels: list[int],
    warmup: float,
    duration: float,
    think: tuple[float, float] = THINK_SECONDS,
) -> list[dict[str, Any]]:
    run_tag = uuid.uuid4().hex[:6]
    runs = []
    for level in levels:
        for target, url in settings_urls.items():
            plan = RunPlan(
                url, target, level, warmup, duration, seed=level, run_tag=run_tag, pids=pids, think=think
            )
            result = run(plan)
            lat = result["latency"]
            print(
                f"  {target:7} c={level:<3} ok={result['ok']:<5} failed={result['failed']:<3} "
                f"{result['throughput_msg_s']:6.1f} msg/s  p50={lat.get('p50_ms')} p95={lat.get('p95_ms')} "
                f"p99={lat.get('p99_ms')} ms",
                flush=True,
            )
            runs.append(result)
            time.sleep(2)  # let the last replies of this run drain
    return runs


def interleaved_rounds(
    settings_urls: dict[str, str],
    pids: dict[str, int],
    level: int,
    warmup: float,
    duration: float,
    rounds: int,
    think: tuple[float, float] = THINK_SECONDS,
) -> list[dict[str, Any]]:
    """`rounds` runs per target, the targets taking turns (gateway, bare, gateway, bare, ...), pooled into
    one result per target: on a shared 2-core machine one run of each can differ by 15% in throughput
    from one minute to the next, and running them in turns puts both targets under the same drift.
    Latency percentiles are over every reply of every round, throughput over all the rounds' windows, CPU
    cores the mean of the rounds; `rounds` keeps each round's throughput and p95."""
    run_tag = uuid.uuid4().hex[:6]
    measured: dict[str, list[tuple[RunPlan, list[Outcome], float, float, dict[str, Any]]]] = {}
    for round_ in range(rounds):
        for target, url in settings_urls.items():
            plan = RunPlan(
                url,
                target,
                level,
                warmup,
                duration,
                seed=level,
                run_tag=f"{run_tag}r{round_}",
                pids=pids,
                think=think,
            )
            outcomes, measure_from, stop_at, resources = asyncio.run(_measure(plan))
            measured.setdefault(target, []).append((plan, outcomes, measure_from, stop_at, resources))
            one = summarise_run(plan, outcomes, measure_from, stop_at)
            print(
                f"  {target:7} c={level:<3} round {round_ + 1}/{rounds} ok={one['ok']:<5} "
                f"failed={one['failed']:<3} {one['throughput_msg_s']:6.1f} msg/s  "
                f"p95={one['latency'].get('p95_ms')} ms",
                flush=True,
            )
            time.sleep(2)  # let the last replies of this run drain
    return [_pooled(runs) for runs in measured.values()]


def _pooled(runs: list[tuple[RunPlan, list[Outcome], float, float, dict[str, Any]]]) -> dict[str, Any]:
    plan = runs[0][0]
    window: list[Outcome] = []
    rounds = []
    for round_plan, outcomes, measure_from, stop_at, _ in runs:
        in_window = [o for o in outcomes if measure_from <= o.started < stop_at]
        window += in_window
        one = summarise_run(round_plan, outcomes, measure_from, stop_at)
        rounds.append({"throughput_msg_s": one["throughput_msg_s"], "p95_ms": one["latency"].get("p95_ms")})
    pooled_plan = replace(plan, duration=plan.duration * len(runs))
    result = summarise_run(pooled_plan, window, -math.inf, math.inf)
    result["window_s"] = plan.duration
    result["rounds"] = rounds
    resources = [r for *_, r in runs if r]
    if resources:
        names = resources[0]["cpu_cores_used"]
        result["cpu_cores_used"] = {
            n: round(statistics.fmean(r["cpu_cores_used"][n] for r in resources), 3) for n in names
        }
        result["cpu_seconds"] = {n: round(sum(r["cpu_seconds"][n] for r in resources), 2) for n in names}
        result["rss"] = resources[-1]["rss"]
    return result
