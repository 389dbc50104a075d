"""`make bench`: every benchmark in one go, then reports/bench/README.md and latency.png.

1. retrieval alone, in this process before the stack starts (bench/retrieval.py);
2. the preparation `make run` does before it starts the stack (`make setup train index seed`, all present,
   against a throwaway database);
3. a throwaway stack (Rasa, action server, gateway; seeded SQLite; fake Twilio) started with each
   process timed from launch to healthy;
4. on that stack: idle RSS, NLU parse alone (bench/nlu_parse.py), WhatsApp webhook → outbound API
   (bench/whatsapp_latency.py), then the load levels, each against the gateway and then bare Rasa
   (bench/load.py, RSS and CPU sampled throughout), then 50 customers in a closed loop (no think time)
   against each, in three interleaved rounds pooled per target, then one long conversation through each
   with Rasa profiled (bench/long_conversation.py), then a py-spy profile of the gateway under the
   50-conversation load (bench/profile.py), a separate run so the profiler does not skew the numbers;
5. the scaled layout (nginx, 2 gateways, 2 Rasa, 2 action servers on PostgreSQL and Redis) under the same
   50-customer loads, with and without think time (bench/scaled.py);
6. bench/report.py renders the JSON reports.

    .venv/bin/python -m bench.run_all [--quick] [--duration 40] [--levels 1 10 50 100]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import load, long_conversation, nlu_parse, profile, report, retrieval, scaled, whatsapp_latency
from bench.common import REPORT_DIR, RssSampler, load_average, machine, measured_at, write_report
from bot.config import PROJECT_ROOT
from bot.ops.spacy_model import ensure_spacy_model
from bot.ops.stack import Stack, StackError
from tests.e2e.stack import NoModel, throwaway_stack
from tests.fakes.twilio_api import FakeTwilio

PROFILE_LEVEL = 50
CLOSED_LOOP_LEVEL = 50  # issue 17: the gateway's p95 within 1.15x of bare Rasa's at equal throughput
CLOSED_LOOP_ROUNDS = 3  # gateway, bare, gateway, bare, ...: both targets under the same drift of the machine


def start_timed(stack: Stack, timeout: float = 240.0) -> dict[str, float]:
    """Start every process of the stack at once, as Stack.start() does; seconds until each is healthy."""
    started = time.monotonic()
    ensure_spacy_model()
    stack.log_dir.mkdir(parents=True, exist_ok=True)
    for service in stack.services.values():
        service.start(stack.log_dir)
    healthy: dict[str, float] = {}
    while len(healthy) < len(stack.services):
        for name, service in stack.services.items():
            if name in healthy:
                continue
            if service.process and service.process.poll() is not None:
                raise StackError(f"{name} exited early; see {stack.log_dir / (name + '.log')}")
            if service.healthy():
                healthy[name] = round(time.monotonic() - started, 1)
        if time.monotonic() - started > timeout:
            raise StackError(f"not healthy after {timeout:.0f} s (logs in {stack.log_dir})")
        time.sleep(0.2)
    return healthy | {"all": max(healthy.values())}


def make_prep_seconds(tmp: Path) -> float | None:
    """How long `make setup train index seed` takes when everything is present (None if it failed)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'make-prep.db'}"}
    started = time.monotonic()
    done = subprocess.run(
        ["make", "--no-print-directory", "setup", "train", "index", "seed"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        check=False,
    )
    return round(time.monotonic() - started, 1) if done.returncode == 0 else None


def idle_rss(pids: dict[str, int], seconds: int = 5) -> dict[str, Any]:
    sampler = RssSampler(pids)
    for _ in range(seconds):
        sampler.sample()
        time.sleep(1)
    return sampler.summary()


def profiled_run(gateway_url: str, pids: dict[str, int], seconds: int, level: int) -> dict[str, Any]:
    out = PROJECT_ROOT / "var" / "bench" / "gateway-pyspy.txt"
    warmup = 3.0
    spy = profile.record(pids["gateway"], seconds + int(warmup), out)
    plan = load.RunPlan(gateway_url, "gateway", level, warmup, seconds, seed=999, run_tag="prof")
    result = load.run(plan)
    _, err = spy.communicate(timeout=seconds + 60)
    if spy.returncode != 0 or not out.exists():
        return {"error": f"py-spy failed: {err.decode(errors='replace')[-500:]}"}
    return {
        "what": f"py-spy record (100 Hz, idle excluded) of the gateway during {level} conversations",
        "concurrency": level,
        "seconds": seconds + warmup,
        "throughput_msg_s_while_profiled": result["throughput_msg_s"],
        **profile.hot_spots(out.read_text()),
    }


def _memory(
    runs: list[dict[str, Any]],
    idle: dict[str, Any],
    startup: dict[str, float],
    prep_s: float | None,
    migrate_seed_s: float,
) -> dict[str, Any]:
    loaded = next(
        (r for r in runs if r["target"] == "gateway" and r["concurrency"] == PROFILE_LEVEL), runs[-1]
    )
    return {
        "what": "VmRSS of each process with its children (MiB), /proc",
        "idle": idle,
        "under_load": {"concurrency": loaded["concurrency"], **loaded.get("rss", {})},
        "cpu_cores_used_under_load": loaded.get("cpu_cores_used", {}),
        "startup_s": {
            "make_prep": prep_s,
            "migrate_and_seed_throwaway_db": migrate_seed_s,
            "launch_to_healthy": startup,
            "model_load_rasa": startup["rasa"],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run (~6 min)")
    parser.add_argument("--levels", type=int, nargs="+")
    parser.add_argument("--duration", type=float, help="measured seconds per level and target")
    parser.add_argument("--warmup", type=float, help="discarded seconds before each measured window")
    args = parser.parse_args()
    quick = args.quick
    levels = args.levels or ([1, 10, 50] if quick else [1, 10, 50, 100])
    duration = args.duration or (8.0 if quick else 40.0)
    warmup = args.warmup or (2.0 if quick else 5.0)
    wall = time.monotonic()
    run_info: dict[str, Any] = {
        "quick": quick,
        "levels": levels,
        "window_s": duration,
        "warmup_s": warmup,
        "think_time_s": list(load.THINK_SECONDS),
        "load_average_before": load_average(),
    }
    print("retrieval ...", flush=True)
    sizes = [1000] if quick else [1000, 10_000]
    questions = retrieval.dev_questions()[: 40 if quick else None]
    write_report("retrieval", retrieval.run(sizes, questions))

    with tempfile.TemporaryDirectory() as tmp_name, FakeTwilio().running() as twilio:
        tmp = Path(tmp_name)
        print("make setup train index seed (everything present) ...", flush=True)
        prep_s = make_prep_seconds(tmp)
        try:
            started = time.monotonic()
            stack = throwaway_stack(tmp, twilio)
            migrate_seed_s = round(time.monotonic() - started, 1)
        except NoModel as exc:
            raise SystemExit(str(exc)) from exc
        print("starting the stack ...", flush=True)
        try:
            startup = start_timed(stack)
            print(f"  healthy after {startup}", flush=True)
            pids = {name: s.process.pid for name, s in stack.services.items() if s.process}
            time.sleep(3)
            idle = idle_rss(pids)
            print("NLU parse ...", flush=True)
            write_report("nlu_parse", nlu_parse.measure(stack.settings.rasa_base_url, 40 if quick else 300))
            print("WhatsApp ...", flush=True)
            write_report("whatsapp", whatsapp_latency.measure(stack.settings, twilio, 20 if quick else 200))
            urls = {
                "gateway": f"http://127.0.0.1:{stack.settings.gateway_port}/webhooks/rest/webhook",
                "bare": f"{stack.settings.rasa_base_url}/webhooks/rest/webhook",
            }
            print(f"load: levels {levels}, {warmup:.0f} s warm-up + {duration:.0f} s each ...", flush=True)
            runs = load.load_levels(urls, pids, levels, warmup, duration)
            write_report(
                "load",
                {
                    "what": "simulated customers: the gateway REST channel vs the same messages to bare Rasa",
                    "think_time_s": list(load.THINK_SECONDS),
                    "runs": runs,
                    "machine": machine(),
                    "measured_at": measured_at(),
                },
            )
            print(f"closed loop: {CLOSED_LOOP_LEVEL} customers, no think time ...", flush=True)
            closed = load.interleaved_rounds(
                urls,
                pids,
                CLOSED_LOOP_LEVEL,
                warmup,
                duration,
                rounds=1 if quick else CLOSED_LOOP_ROUNDS,
                think=(0.0, 0.0),
            )
            write_report(
                "closed_loop",
                {
                    "what": f"{CLOSED_LOOP_LEVEL} customers sending without pause (no think time)",
                    "rounds": 1 if quick else CLOSED_LOOP_ROUNDS,
                    "runs": closed,
                },
            )
            write_report("memory", _memory(runs, idle, startup, prep_s, migrate_seed_s))
            turns = 120 if quick else long_conversation.TURNS
            print(f"one conversation of {turns} turns, gateway then bare Rasa (profiled) ...", flush=True)
            write_report("long_conversation", long_conversation.run(urls, pids, turns))
            profile_level = PROFILE_LEVEL if PROFILE_LEVEL in levels else max(levels)
            print(f"profiling the gateway at {profile_level} conversations ...", flush=True)
            try:
                profiled = profiled_run(urls["gateway"], pids, 8 if quick else 20, profile_level)
            except Exception as exc:  # the measurements so far are still worth a report
                profiled = {"error": repr(exc)}
            write_report("profile", profiled)
        finally:
            stack.stop()

    print("the scaled layout ...", flush=True)
    try:
        write_report("scaled", scaled.measure(warmup, duration))
    except Exception as exc:  # no PostgreSQL, Redis or nginx here: the rest still stands, without it
        print(f"  scaled layout not measured: {exc!r}", flush=True)
        (REPORT_DIR / "scaled.json").unlink(missing_ok=True)
    run_info |= {
        "load_average_after": load_average(),
        "wall_s": round(time.monotonic() - wall, 1),
        "measured_at": measured_at(),
        "machine": machine(),
    }
    write_report("run", run_info)
    report.write(REPORT_DIR)
    print(
        f"done in {run_info['wall_s']:.0f} s → {REPORT_DIR.relative_to(PROJECT_ROOT)}/README.md", flush=True
    )


if __name__ == "__main__":
    main()
