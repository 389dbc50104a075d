"""The benchmark's pure helpers (no stack): percentiles, scripted conversations, profile parsing, report."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bench import load, report
from bench.common import percentile, summarise
from bench.conversations import COMPLAINT_OPENERS, GREETINGS, HANDOFF, THANKS, faq_questions, next_script
from bench.long_conversation import turn_texts
from bench.profile import hot_spots


def test_percentile_interpolates_between_ranks():
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert percentile(values, 0) == 10.0
    assert percentile(values, 50) == 30.0
    assert percentile(values, 100) == 50.0
    assert percentile(values, 95) == pytest.approx(48.0)
    assert percentile([7.0], 99) == 7.0
    assert percentile(list(reversed(values)), 25) == 20.0


def test_summarise_reports_count_percentiles_and_nothing_for_no_data():
    stats = summarise([float(v) for v in range(1, 101)])
    assert stats["n"] == 100
    assert stats["p50_ms"] == 50.5
    assert stats["p99_ms"] == 99.0
    assert stats["max_ms"] == 100.0
    assert summarise([]) == {"n": 0}


def test_scripts_are_seeded_and_three_to_six_turns():
    first = [next_script(random.Random(3)) for _ in range(1)]
    again = [next_script(random.Random(3)) for _ in range(1)]
    assert first == again
    rng = random.Random(1)
    scripts = [next_script(rng) for _ in range(300)]
    assert {s.kind for s in scripts} == {"faq", "order", "complaint", "handoff"}
    assert all(3 <= len(s.turns) <= 6 for s in scripts)
    handoffs = [s.turns[-1] for s in scripts if s.kind == "handoff"]
    assert all(" cs" in turn.lower() or "admin" in turn for turn in handoffs)


def test_hot_spots_attribute_samples_to_the_deepest_frame_of_our_code():
    raw = "\n".join(
        [
            "<module> (uvicorn/main.py);rest_webhook (bot/channels/rest.py);execute (sqlalchemy/base.py) 6",
            "<module> (uvicorn/main.py);rest_webhook (bot/channels/rest.py);_turn (bot/router.py);g (x.py) 3",
            "<module> (/venv/uvicorn/main.py);run (asyncio/events.py:12) 1",
        ]
    )
    spots = hot_spots(raw)
    assert spots["samples"] == 10
    assert spots["attributed"][0] == {
        "where": "bot/channels/rest.py:rest_webhook",
        "samples": 6,
        "share": 0.6,
    }
    assert {"where": "bot/router.py:_turn", "samples": 3, "share": 0.3} in spots["attributed"]
    assert spots["inclusive"][0]["where"] == "bot/channels/rest.py:rest_webhook"
    assert spots["inclusive"][0]["samples"] == 9


def test_hot_spots_of_an_installed_package_such_as_rasa():
    site = "/p/.venv-rasa/lib/python3.10/site-packages"
    raw = "\n".join(
        [
            f"run (asyncio/events.py);handle_message ({site}/rasa/core/processor.py:120);"
            f"retrieve ({site}/rasa/core/tracker_store.py:900);execute ({site}/sqlalchemy/engine/base.py) 7",
            f"run (asyncio/events.py);handle_message ({site}/rasa/core/processor.py:130);dot (numpy.py) 3",
        ]
    )
    spots = hot_spots(raw, packages=("rasa", "rasa_sdk"))
    assert spots["attributed"][0] == {
        "where": "rasa/core/tracker_store.py:retrieve",
        "samples": 7,
        "share": 0.7,
    }
    assert spots["inclusive"][0]["where"] == "rasa/core/processor.py:handle_message"
    assert spots["inclusive"][0]["samples"] == 10
    assert hot_spots(raw)["attributed"][0]["where"] == "(no frame of our code)"  # not ours by default


def test_long_conversation_targets_judge_rasa_cpu_and_the_growth_of_a_turn():
    blocks = {f"{i * 20 + 1}-{i * 20 + 20}": 100.0 + 10 * i for i in range(10)}
    long = {
        "gateway": {"block_medians_ms": blocks, "ratio_101_120_vs_1_20": 1.5},
        "bare": {"block_medians_ms": blocks, "ratio_101_120_vs_1_20": 1.2, "cpu_ms_per_msg": {"rasa": 55.0}},
    }
    cpu, flat = report.long_conversation_targets(long)
    assert cpu[1:] == ("55.0 ms", True)
    assert flat[1].startswith("1.5× (150.0 vs 100.0 ms")
    assert flat[2] is False


def test_the_closed_loop_target_needs_equal_throughput_and_a_close_tail():
    def closed(gateway_p95: float, gateway_msg_s: float) -> dict:
        runs = [_run("gateway", 50, 900.0, gateway_p95, gateway_msg_s), _run("bare", 50, 900.0, 2000.0, 15.0)]
        return {"runs": runs}

    assert report.closed_loop_target(closed(2200.0, 15.2))[2] is True
    assert report.closed_loop_target(closed(2400.0, 15.2))[2] is False  # 1.2x the tail
    assert report.closed_loop_target(closed(2000.0, 10.0))[2] is False  # a shorter tail by serving less
    assert report.closed_loop_target({})[2] is None


def test_the_scaled_layout_is_reported_beside_the_single_stack():
    def shape(gateway_msg_s: float) -> dict:
        return {
            "runs": [_run("gateway", 50, 900.0, 2100.0, gateway_msg_s), _run("bare", 50, 800.0, 2000.0, 15.0)]
        }

    scaled = {
        "what": "nginx + 2 of each",
        "healthy_after_s": 61.0,
        "think": shape(14.0),
        "closed_loop": shape(13.0),
    }
    _, measured, met = report.scaled_target(scaled)
    assert met is True
    assert measured.startswith("50 customers: 14.0 msg/s, p95 2100.0 ms; closed loop: 13.0 msg/s")
    assert report.scaled_target({})[2] is None
    section = report.scaled_section(scaled, shape(12.0), shape(11.0), 2)
    rows = section[-1].splitlines()[2:]
    assert [r.split(" | ")[1:3] for r in rows] == [
        ["single stack (SQLite)", "12.0"],
        ["scaled layout", "14.0"],
        ["single stack (SQLite)", "11.0"],
        ["scaled layout", "13.0"],
    ]
    assert report.scaled_section({}, {}, {}, 2) == []


def test_a_long_conversation_is_small_talk_and_help_centre_questions_only():
    texts = turn_texts(200)
    assert len(texts) == 200
    assert texts == turn_texts(200)
    assert set(texts) <= set(faq_questions()) | set(GREETINGS) | set(THANKS)
    assert not set(texts) & set(HANDOFF + COMPLAINT_OPENERS)


def _run(target: str, concurrency: int, p50: float, p95: float, throughput: float) -> dict:
    latency = {"n": 100, "p50_ms": p50, "p95_ms": p95, "p99_ms": p95 * 1.2}
    return {
        "target": target,
        "concurrency": concurrency,
        "sent": 100,
        "ok": 100,
        "failed": 0,
        "throughput_msg_s": throughput,
        "latency": latency,
    }


def test_report_renders_the_tables_and_judges_the_targets(tmp_path: Path):
    runs = [_run("gateway", 50, 110.0, 230.0, 35.0), _run("bare", 50, 100.0, 200.0, 36.0)]
    reports = {
        "load": {"runs": runs},
        "retrieval": {
            "sizes": [{"passages": 10_000, "synthesised_passages": 9_700, "search": {"p95_ms": 12.0}}]
        },
        "memory": {"under_load": {"total": {"peak_mib": 1900.0}}},
    }
    row = report.load_table(reports["load"]).splitlines()[2]
    assert row.startswith(
        "| 50 | 110.0 / 230.0 / 276.0 | 100.0 / 200.0 / 240.0 | 1.10 | 1.15 | 35.0 | 36.0 |"
    )
    verdicts = {target: met for target, _, met in report.targets(reports)}
    # no closed loop, no scaled layout, no long conversation
    assert list(verdicts.values()) == [True, False, True, None, None, None, None, True]
    for name, data in reports.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(data))
    text = report.write(tmp_path).read_text()
    assert "**not met**" in text
    assert (tmp_path / "latency.png").read_bytes().startswith(b"\x89PNG")


def test_every_benchmark_module_imports() -> None:
    """make bench is not part of make test: at least its modules must still import (a renamed helper
    broke bench/retrieval.py once)."""
    import importlib

    for name in ("load", "long_conversation", "nlu_parse", "profile", "report", "retrieval", "scaled"):
        importlib.import_module(f"bench.{name}")
    importlib.import_module("bench.run_all")


def test_interleaved_rounds_are_pooled_over_every_reply_and_every_window():
    def round_(latencies: list[float], cores: float) -> tuple:
        plan = load.RunPlan("http://x", "gateway", 50, 1.0, 10.0, seed=50, run_tag="t")
        outcomes = [load.Outcome(1.0 + i * 0.01, ms, 200, "faq") for i, ms in enumerate(latencies)]
        outcomes.append(load.Outcome(0.5, 99_999.0, 200, "faq"))  # in the warm-up: left out
        outcomes.append(load.Outcome(2.0, 50.0, 503, "faq"))  # failed: counted, not a latency
        resources = {"cpu_cores_used": {"rasa": cores}, "cpu_seconds": {"rasa": cores * 10}, "rss": {}}
        return plan, outcomes, 1.0, 11.0, resources

    pooled = load._pooled([round_([100.0] * 100, 0.8), round_([300.0] * 200, 1.0)])
    assert pooled["ok"] == 300
    assert pooled["failed"] == 2
    assert pooled["throughput_msg_s"] == 15.0  # 300 replies over two 10 s windows
    assert pooled["latency"]["p50_ms"] == 300.0
    assert pooled["latency"]["max_ms"] == 300.0
    assert pooled["rounds"] == [
        {"throughput_msg_s": 10.0, "p95_ms": 100.0},
        {"throughput_msg_s": 20.0, "p95_ms": 300.0},
    ]
    assert pooled["cpu_cores_used"] == {"rasa": 0.9}
    assert pooled["window_s"] == 10.0
