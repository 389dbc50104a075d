"""Render reports/bench/*.json into reports/bench/README.md (tables, targets met or not) and
reports/bench/latency.png (p50/p95 per concurrency, gateway vs bare Rasa, and throughput).

    .venv/bin/python -m bench.report   (bench/run_all.py calls it at the end)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bench.common import REPORT_DIR
from bench.load import THINK_SECONDS
from bot.config import PROJECT_ROOT

TARGET_OVERHEAD = 0.15  # gateway adds at most 15% to bare Rasa's p95 at 50 conversations
TARGET_THROUGHPUT = 40.0  # messages per second, sustained
TARGET_RETRIEVAL_P95_MS = 15.0  # at 10k passages
TARGET_RSS_MIB = 2.5e9 / 2**20  # 2.5 GB (decimal) of RSS for the whole stack: 2384 MiB
TARGET_RASA_CPU_MS = 60.0  # issue 17: CPU of the Rasa process per message
TARGET_LONG_RATIO = 1.3  # issue 17: turns 101-120 of one conversation against turns 1-20
PROCESSES = ("rasa", "actions", "gateway")
MAX_FAILED_SHARE = 0.01  # a level with more failures than this does not count as sustained


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def levels(load: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per concurrency: the gateway run and the bare Rasa run side by side."""
    by_level: dict[int, dict[str, Any]] = {}
    for run in load.get("runs", []):
        by_level.setdefault(run["concurrency"], {})[run["target"]] = run
    rows = []
    for concurrency in sorted(by_level):
        gateway, bare = by_level[concurrency].get("gateway", {}), by_level[concurrency].get("bare", {})
        g, b = gateway.get("latency", {}), bare.get("latency", {})
        rows.append(
            {
                "concurrency": concurrency,
                "gateway": gateway,
                "bare": bare,
                "ratio_p50": _ratio(g.get("p50_ms"), b.get("p50_ms")),
                "ratio_p95": _ratio(g.get("p95_ms"), b.get("p95_ms")),
            }
        )
    return rows


def load_table(load: dict[str, Any]) -> str:
    header = ["conversations", "gateway p50 / p95 / p99 ms", "bare Rasa p50 / p95 / p99 ms"]
    header += ["ratio p50", "ratio p95", "gateway msg/s", "bare msg/s", "failed gw / bare", "sent gw / bare"]
    rows = []
    for row in levels(load):
        g, b = row["gateway"], row["bare"]
        gl, bl = g.get("latency", {}), b.get("latency", {})
        rows.append(
            [
                row["concurrency"],
                " / ".join(_fmt(gl.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms")),
                " / ".join(_fmt(bl.get(k)) for k in ("p50_ms", "p95_ms", "p99_ms")),
                _fmt(row["ratio_p50"], 2),
                _fmt(row["ratio_p95"], 2),
                g.get("throughput_msg_s"),
                b.get("throughput_msg_s"),
                f"{g.get('failed', '–')} / {b.get('failed', '–')}",
                f"{g.get('sent', '–')} / {b.get('sent', '–')}",
            ]
        )
    return _table(header, rows)


def saturation_note(load: dict[str, Any], think_time_s: list[float]) -> str:
    """Where the offered load exceeds what bare Rasa managed: those levels measure a queue, not a cost."""
    rows = levels(load)
    capacity = max((r["bare"].get("throughput_msg_s") or 0 for r in rows), default=0)
    if not capacity:
        return ""
    mean_think = sum(think_time_s) / 2
    saturated = [r["concurrency"] for r in rows if r["concurrency"] / mean_think > capacity]
    if not saturated:
        return f"Bare Rasa managed up to {capacity} msg/s; no level offered more than that."
    return (
        f"Bare Rasa managed at most {capacity} msg/s here. From {saturated[0]} conversations on, the "
        f"customers offer more (up to N / {mean_think:.2f} msg/s) than Rasa can process, so those rows "
        "measure the queue in front of Rasa; their gateway/bare ratios say little about the gateway's own "
        "cost, which the unsaturated rows show."
    )


def cpu_table(load: dict[str, Any]) -> str:
    rows = []
    for run in load.get("runs", []):
        cores, seconds, ok = run.get("cpu_cores_used", {}), run.get("cpu_seconds", {}), run.get("ok")
        per_message = [round(seconds[n] * 1000 / ok) if n in seconds and ok else None for n in PROCESSES]
        rows.append(
            [
                run["concurrency"],
                run["target"],
                *(_fmt(cores.get(n), 2) for n in PROCESSES),
                *per_message,
                run.get("rss", {}).get("total", {}).get("peak_mib"),
                (run.get("load_average_at_end") or [None])[0],
            ]
        )
    header = ["conversations", "target", "rasa cores", "actions cores", "gateway cores"]
    header += [
        "rasa CPU ms/msg",
        "actions CPU ms/msg",
        "gateway CPU ms/msg",
        "peak RSS MiB",
        "load avg 1 min",
    ]
    return _table(header, rows)


def _saturated_hint(rows: dict[int, dict[str, Any]]) -> str:
    capacity = max((r["bare"].get("throughput_msg_s") or 0 for r in rows.values()), default=0)
    mean_think = sum(THINK_SECONDS) / 2
    saturated = capacity and 50 / mean_think > capacity
    return "; Rasa is saturated at this level, see the note under the load table" if saturated else ""


def targets(reports: dict[str, dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met) for the targets of issues 7 and 17; met is None when not measured."""
    result: list[tuple[str, str, bool | None]] = []
    rows = {r["concurrency"]: r for r in levels(reports.get("load", {}))}
    at50 = rows.get(50)
    if at50 and at50["ratio_p95"] is not None:
        overhead = at50["ratio_p95"] - 1
        result.append(
            (
                "gateway adds ≤ 15% to bare Rasa p95 at 50 conversations",
                f"{overhead:+.0%} (p95 {at50['gateway']['latency']['p95_ms']} vs "
                f"{at50['bare']['latency']['p95_ms']} ms){_saturated_hint(rows)}",
                overhead <= TARGET_OVERHEAD,
            )
        )
    else:
        result.append(("gateway adds ≤ 15% to bare Rasa p95 at 50 conversations", "not measured", None))
    sustained = [
        (r["gateway"]["throughput_msg_s"], c)
        for c, r in rows.items()
        if r["gateway"].get("sent") and r["gateway"]["failed"] <= MAX_FAILED_SHARE * r["gateway"]["sent"]
    ]
    if sustained:
        best, at = max(sustained)
        result.append(
            (
                "≥ 40 messages/s sustained (through the gateway)",
                f"{best} msg/s at {at} conversations (best level with ≤ 1% failures)",
                best >= TARGET_THROUGHPUT,
            )
        )
    else:
        result.append(("≥ 40 messages/s sustained (through the gateway)", "not measured", None))
    at10k = next((s for s in reports.get("retrieval", {}).get("sizes", []) if s["passages"] >= 10_000), None)
    if at10k:
        p95 = at10k["search"]["p95_ms"]
        parts = at10k.get("query_encoding_only", {}), at10k.get("search_without_encoding", {})
        detail = (
            f"; query encoding alone {parts[0]['p95_ms']} ms, the rest of the search {parts[1]['p95_ms']} ms"
            if all("p95_ms" in part for part in parts)
            else ""
        )
        result.append(
            ("retrieval p95 ≤ 15 ms at 10k passages", f"{p95} ms{detail}", p95 <= TARGET_RETRIEVAL_P95_MS)
        )
    else:
        result.append(("retrieval p95 ≤ 15 ms at 10k passages", "not measured", None))
    result.append(closed_loop_target(reports.get("closed_loop", {})))
    result.append(scaled_target(reports.get("scaled", {})))
    result.extend(long_conversation_targets(reports.get("long_conversation", {})))
    peak = reports.get("memory", {}).get("under_load", {}).get("total", {}).get("peak_mib")
    if peak is not None:
        result.append(("whole stack ≤ 2.5 GB RSS", f"peak {peak:.0f} MiB under load", peak <= TARGET_RSS_MIB))
    else:
        result.append(("whole stack ≤ 2.5 GB RSS", "not measured", None))
    return result


def closed_loop_target(closed: dict[str, Any]) -> tuple[str, str, bool | None]:
    """Issue 17: under a closed loop the gateway's tail is within 1.15x of bare Rasa's at equal throughput."""
    target = (
        f"closed loop, 50 customers: gateway p95 ≤ {1 + TARGET_OVERHEAD:.2f}× bare Rasa's at equal throughput"
    )
    rows = levels(closed)
    if not rows or rows[0]["ratio_p95"] is None:
        return (target, "not measured", None)
    row = rows[0]
    g, b = row["gateway"], row["bare"]
    equal = abs(g["throughput_msg_s"] - b["throughput_msg_s"]) <= 0.1 * b["throughput_msg_s"]
    measured = (
        f"{row['ratio_p95']:.2f}× (p95 {g['latency']['p95_ms']} vs {b['latency']['p95_ms']} ms; "
        f"{g['throughput_msg_s']} vs {b['throughput_msg_s']} msg/s{'' if equal else ', not equal'})"
    )
    return (target, measured, equal and row["ratio_p95"] <= 1 + TARGET_OVERHEAD)


def _at_level(load: dict[str, Any], level: int) -> dict[str, Any]:
    return next((row for row in levels(load) if row["concurrency"] == level), {})


def scaled_target(scaled: dict[str, Any]) -> tuple[str, str, bool | None]:
    """Issue 17: the scaled layout measured under the same loads (a figure, not a threshold)."""
    target = "figures for the scaled layout (make run-scaled) under the same loads"
    think, closed = _at_level(scaled.get("think", {}), 50), _at_level(scaled.get("closed_loop", {}), 50)
    if not think or not closed:
        return (target, "not measured", None)

    def brief(row: dict[str, Any]) -> str:
        g = row["gateway"]
        return f"{g['throughput_msg_s']} msg/s, p95 {g['latency']['p95_ms']} ms"

    return (target, f"50 customers: {brief(think)}; closed loop: {brief(closed)} (section below)", True)


def long_conversation_targets(long: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """Issue 17's targets of one long conversation: Rasa's CPU per message and a flat cost per turn."""
    cpu_target = f"Rasa CPU ≤ {TARGET_RASA_CPU_MS:.0f} ms per message (one conversation, straight to Rasa)"
    flat_target = f"turns 101-120 ≤ {TARGET_LONG_RATIO}× turns 1-20 of one conversation (median, gateway)"
    bare, gateway = long.get("bare"), long.get("gateway")
    if not bare or not gateway:
        return [(cpu_target, "not measured", None), (flat_target, "not measured", None)]
    cpu = bare["cpu_ms_per_msg"]["rasa"]
    ratio = gateway["ratio_101_120_vs_1_20"]
    blocks = gateway["block_medians_ms"]
    medians = list(blocks.values())
    first, sixth = medians[0], medians[5] if len(medians) > 5 else None
    return [
        (cpu_target, f"{cpu} ms", cpu <= TARGET_RASA_CPU_MS),
        (
            flat_target,
            f"{ratio}× ({sixth} vs {first} ms; bare Rasa {bare['ratio_101_120_vs_1_20']}×)",
            ratio is not None and ratio <= TARGET_LONG_RATIO,
        ),
    ]


def closed_loop_section(closed: dict[str, Any]) -> list[str]:
    if not closed:
        return []
    rounds = int(closed.get("rounds", 1))
    lines = [
        "## Closed loop: no think time",
        f"{closed['what']}: each customer sends its next message as soon as the reply arrives, so Rasa is "
        "saturated and the question is whether the gateway queues fairly (same scripts and seed for both).",
    ]
    if rounds > 1:
        per_round = "; ".join(
            f"{run['target']} "
            + ", ".join(f"{r['throughput_msg_s']} msg/s p95 {r['p95_ms']} ms" for r in run.get("rounds", []))
            for run in closed.get("runs", [])
        )
        lines.append(
            f"{rounds} rounds of {closed['runs'][0]['window_s']:.0f} s per target, the targets taking turns "
            "(gateway, bare, gateway, ...), so that both meet the same drift of a shared machine; the table "
            "pools them (percentiles over every reply, throughput over all windows). "
            f"Each round: {per_round}."
        )
    return [*lines, load_table(closed)]


def scaled_section(
    scaled: dict[str, Any], load: dict[str, Any], closed: dict[str, Any], cores: int | None
) -> list[str]:
    if not scaled:
        return []
    rows = []
    for shape, single, many in (
        ("50 customers, think time", load, scaled.get("think", {})),
        ("50 customers, closed loop", closed, scaled.get("closed_loop", {})),
    ):
        for layout, source in (("single stack (SQLite)", single), ("scaled layout", many)):
            row = _at_level(source, 50)
            if not row:
                continue
            g, b = row["gateway"], row["bare"]
            rows.append(
                [
                    shape,
                    layout,
                    g.get("throughput_msg_s"),
                    g.get("latency", {}).get("p95_ms"),
                    b.get("throughput_msg_s"),
                    b.get("latency", {}).get("p95_ms"),
                ]
            )
    header = ["load", "layout", "gateway msg/s", "gateway p95 ms", "bare Rasa msg/s", "bare Rasa p95 ms"]
    return [
        "## Scaled layout",
        f"{scaled['what']}, started in {scaled['healthy_after_s']} s; the same scripts and seeds as the "
        "single stack. Through nginx to the gateways, and through nginx straight to the two Rasa servers "
        f"(bench/scaled.py). All of it shares the same {cores or '?'} cores as the load generator: replicas "
        "add processes, not CPU, so on this machine the layout can show what its extra hops and PostgreSQL "
        "cost and that it holds the load, not the throughput a second host would add.",
        _table(header, rows),
    ]


def long_conversation_section(long: dict[str, Any]) -> list[str]:
    if not long:
        return []
    targets = ("gateway", "bare")
    blocks = list(long["gateway"]["block_medians_ms"])
    rows = [[b, *(long[t]["block_medians_ms"].get(b) for t in targets)] for b in blocks]
    cpu = [[t, *(long[t]["cpu_ms_per_msg"].get(n) for n in ("rasa", "actions", "gateway"))] for t in targets]
    prof = long.get("rasa_profile", {})
    return [
        "## One long conversation",
        f"{long['what']}: median latency per block of 20 turns (ms), failed gateway "
        f"{long['gateway']['failed']} / bare {long['bare']['failed']}.",
        _table(["turns", "gateway", "bare Rasa"], rows),
        "CPU time per message of each process (ms), over the whole conversation:",
        _table(["target", "rasa", "actions", "gateway"], cpu),
        f"### Where Rasa's CPU per turn goes\n\npy-spy on the Rasa process during a third run of the "
        "conversation, straight to Rasa"
        f"{_profile_error(prof)}: {prof.get('samples', 0)} samples of busy threads. *Attributed*: the "
        "deepest frame of Rasa's own code (rasa/, rasa_sdk/) on each stack, i.e. that function plus the "
        "libraries it calls (SQLAlchemy, numpy, our featurizer …).",
        *_hot_spot_tables(
            prof, "inclusive", "Inclusive (share of samples with the function anywhere on the stack):"
        ),
    ]


def targets_table(reports: dict[str, dict[str, Any]]) -> str:
    verdict = {True: "met", False: "**not met**", None: "not measured"}
    return _table(["target", "measured", ""], [[t, m, verdict[ok]] for t, m, ok in targets(reports)])


def retrieval_table(retrieval: dict[str, Any]) -> str:
    rows = []
    for size in retrieval.get("sizes", []):
        search, encoding = size.get("search", {}), size.get("query_encoding_only", {})
        rest = size.get("search_without_encoding", {})
        rows.append(
            [
                size["passages"],
                size.get("synthesised_passages"),
                *(search.get(k) for k in ("p50_ms", "p95_ms", "p99_ms")),
                *(encoding.get(k) for k in ("p50_ms", "p95_ms")),
                *(rest.get(k) for k in ("p50_ms", "p95_ms")),
            ]
        )
    header = [
        "passages",
        "of them synthesised",
        "search p50 ms",
        "p95 ms",
        "p99 ms",
        "query encoding p50 ms",
        "p95 ms",
        "search without encoding p50 ms",
        "p95 ms",
    ]
    return _table(header, rows)


def memory_table(memory: dict[str, Any]) -> str:
    idle, loaded = memory.get("idle", {}), memory.get("under_load", {})
    rows = [
        [
            name,
            idle.get(name, {}).get("mean_mib"),
            loaded.get(name, {}).get("peak_mib"),
            loaded.get(name, {}).get("mean_mib"),
        ]
        for name in ("rasa", "actions", "gateway", "total")
    ]
    return _table(["process (with children)", "idle MiB", "under load peak MiB", "under load mean MiB"], rows)


def hot_spot_table(spots: list[dict[str, Any]]) -> str:
    return _table(
        ["where", "samples", "share"], [[s["where"], s["samples"], f"{s['share']:.1%}"] for s in spots]
    )


def plot(load: dict[str, Any], out: Path) -> None:
    os.environ.setdefault("MPLCONFIGDIR", str(PROJECT_ROOT / "var" / "matplotlib"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = levels(load)
    x = [r["concurrency"] for r in rows]
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(11, 4.2))
    for target, colour in (("gateway", "tab:blue"), ("bare", "tab:orange")):
        label = "gateway" if target == "gateway" else "bare Rasa"
        for key, style in (("p50_ms", "-o"), ("p95_ms", "--s")):
            y = [r[target].get("latency", {}).get(key) for r in rows]
            latency.plot(x, y, style, color=colour, label=f"{label} {key.removesuffix('_ms')}")
        throughput.plot(x, [r[target].get("throughput_msg_s") for r in rows], "-o", color=colour, label=label)
    latency.set(
        xscale="log", yscale="log", xlabel="concurrent conversations", ylabel="latency per message (ms)"
    )
    latency.set_title("Latency per message")
    throughput.axhline(TARGET_THROUGHPUT, color="grey", linestyle=":", label="target 40 msg/s")
    throughput.set(xscale="log", xlabel="concurrent conversations", ylabel="messages/s")
    throughput.set_title("Throughput")
    for axis in (latency, throughput):
        axis.set_xticks(x, [str(v) for v in x])
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    plt.close(figure)


def _header(run: dict[str, Any]) -> list[str]:
    m = run.get("machine", {})
    quick = (
        " **(a `--quick` smoke run: short windows, not the reference numbers)**" if run.get("quick") else ""
    )
    intro = (
        f"Written by `make bench` (bench/run_all.py) at {run.get('measured_at', '?')}{quick}; the whole "
        f"run took {_fmt(run.get('wall_s'), 0)} s. Every number here is from **this "
        f"{m.get('cores', '?')}-core machine**, with all three processes, the load generator and the "
        "profiler sharing it; a production host will differ."
    )
    header = ["CPU", "cores", "RAM", "Python (.venv / .venv-rasa)", "load average before / after"]
    row = [
        m.get("cpu"),
        m.get("cores"),
        f"{m.get('ram_gib')} GiB",
        f"{m.get('python_app')} / {m.get('python_rasa')}",
        f"{run.get('load_average_before')} / {run.get('load_average_after')} (1, 5, 15 min)",
    ]
    busy = max((run.get("load_average_before") or [0])[0], (run.get("load_average_after") or [0])[0])
    if busy > 0.75 * (m.get("cores") or 1):
        intro += (
            f" **Other work was running on the machine** (1-minute load average up to {busy} on "
            f"{m.get('cores')} cores before/after the run, see also the per-run column below): the numbers "
            "are pessimistic."
        )
    return ["# Benchmarks", intro, _table(header, [row])]


def _load_method(run: dict[str, Any]) -> str:
    low, high = run.get("think_time_s", [0.5, 2.0])
    warmup, window = _fmt(run.get("warmup_s"), 0), _fmt(run.get("window_s"), 0)
    return (
        "Simulated customers post to the gateway's `POST /webhooks/rest/webhook`; then the same scripts "
        "(same seed, so the same messages and think times) go straight to Rasa's REST channel. Each customer "
        "runs 3-6-turn conversations in the mix of bench/conversations.py (40% help-centre questions from "
        "the knowledge dev set, 30% order status of a seeded demo order with its owner's phone, 15% "
        "complaint form, 15% greeting + question + request for a human), thinks "
        f"{low}-{high} s (uniform, seeded) before each message and waits for the reply; every conversation "
        f"has a new sender id. Per level: {warmup} s warm-up (discarded), then a {window} s window. Latency "
        "is per message (request to full reply); throughput is successful replies per second of window; "
        "failures (non-200, timeouts) are counted, not hidden. The think time caps what N customers can "
        f"offer at about N / {(low + high) / 2:.2f} messages/s."
    )


def _retrieval_section(retrieval: dict[str, Any]) -> list[str]:
    text = (
        f"{retrieval.get('what', '')}; {retrieval.get('queries', '?')} dev-set questions per size, "
        f"encoder `{retrieval.get('encoder', '?')}`. The real help centre has {_first_size(retrieval)} "
        f"passages; larger corpora are **synthesised**: {retrieval.get('synthesis', '')}."
    )
    return ["## Retrieval alone", text, retrieval_table(retrieval)]


def _latency_sentence(stats: dict[str, Any]) -> str:
    return ", ".join(
        f"{k.removesuffix('_ms')} {_fmt(stats.get(k))} ms" for k in ("p50_ms", "p95_ms", "p99_ms")
    )


def _single_message_sections(nlu: dict[str, Any], whatsapp: dict[str, Any]) -> list[str]:
    nlu_stats = nlu.get("latency", {})
    return [
        "## NLU parse alone",
        f"{nlu.get('what', '')}: {_latency_sentence(nlu_stats)} over {nlu_stats.get('n', '?')} messages "
        f"({nlu.get('failed', 0)} failed).",
        "## WhatsApp webhook → outbound API",
        f"{whatsapp.get('what', '')} (bench/whatsapp_latency.py; `make bench-whatsapp` runs it alone), "
        f"{whatsapp.get('messages', '?')} messages one at a time: {_latency_sentence(whatsapp)}.",
    ]


def _memory_section(memory: dict[str, Any], retrieval: dict[str, Any]) -> list[str]:
    startup = memory.get("startup_s", {})
    healthy = startup.get("launch_to_healthy", {})
    level = memory.get("under_load", {}).get("concurrency", "?")
    rows = [
        ["Rasa: launch to healthy (model loaded)", healthy.get("rasa")],
        ["action server: launch to healthy", healthy.get("actions")],
        ["gateway: launch to healthy", healthy.get("gateway")],
        ["knowledge index in-process: encoder + index + BM25", retrieval.get("load", {}).get("total_s")],
        ["`make setup train index seed` with everything present", startup.get("make_prep")],
        ["cold `make run` ≈ the line above + all processes healthy", _cold_run(startup, healthy)],
    ]
    return [
        "## Memory and start-up",
        "VmRSS from /proc/<pid>/status of each process and its children: idle right after start-up, and "
        f"sampled every second during the gateway run at {level} conversations.",
        memory_table(memory),
        _table(["start-up", "seconds"], rows),
        "The stack timings are of the throwaway stack the benchmark starts (tests/e2e/stack.py: the same "
        "processes and commands as `python -m bot.ops.stack`, launched together), not of a literal "
        "`make run`. The index load is measured in the benchmark process; the action server loads it on "
        "its first help-centre question.",
    ]


def _hot_spot_tables(prof: dict[str, Any], second: str, caption: str) -> list[str]:
    """A py-spy profile's attributed table, a second view of it (`second`, under `caption`) and its leaves."""
    return [
        hot_spot_table(prof.get("attributed", [])),
        caption,
        hot_spot_table(prof.get(second, [])),
        "Leaf frames (self time, any code):",
        hot_spot_table(prof.get("leaf", [])),
    ]


def _profile_section(prof: dict[str, Any]) -> list[str]:
    return [
        "## Gateway profile",
        f"{prof.get('what', 'not profiled')}{_profile_error(prof)}: {prof.get('samples', 0)} samples of busy "
        f"threads ({prof.get('idle_samples_left_out', 0)} of idle workers and the idle event loop left out). "
        "*Attributed*: the deepest frame of our code on each sampled stack (time in that function or in the "
        "libraries it calls without another of our functions in between).",
        *_hot_spot_tables(
            prof, "attributed_lines", "The same by line (the line of that function the sample was on):"
        ),
    ]


def render(reports: dict[str, dict[str, Any]]) -> str:
    run, load, retrieval = reports.get("run", {}), reports.get("load", {}), reports.get("retrieval", {})
    parts = [
        *_header(run),
        "## Targets",
        targets_table(reports),
        "## Conversations: gateway vs bare Rasa",
        _load_method(run),
        load_table(load),
        saturation_note(load, run.get("think_time_s", [0.5, 2.0])),
        "![latency and throughput per concurrency](latency.png)",
        "CPU used by each process (cores, averaged over the window; CPU time per successful reply) and peak "
        "RSS of the stack per run:",
        cpu_table(load),
        *_retrieval_section(retrieval),
        *_single_message_sections(reports.get("nlu_parse", {}), reports.get("whatsapp", {})),
        *_memory_section(reports.get("memory", {}), retrieval),
        *closed_loop_section(reports.get("closed_loop", {})),
        *scaled_section(
            reports.get("scaled", {}),
            load,
            reports.get("closed_loop", {}),
            run.get("machine", {}).get("cores"),
        ),
        *long_conversation_section(reports.get("long_conversation", {})),
        *_profile_section(reports.get("profile", {})),
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _profile_error(prof: dict[str, Any]) -> str:
    return f" ({prof['error']})" if "error" in prof else ""


def _first_size(retrieval: dict[str, Any]) -> Any:
    sizes = retrieval.get("sizes") or [{}]
    return sizes[0].get("passages", "?")


def _cold_run(startup: dict[str, Any], healthy: dict[str, Any]) -> float | None:
    if startup.get("make_prep") is None or healthy.get("all") is None:
        return None
    return round(startup["make_prep"] + healthy["all"], 1)


def write(directory: Path = REPORT_DIR) -> Path:
    names = (
        "run",
        "load",
        "closed_loop",
        "memory",
        "retrieval",
        "nlu_parse",
        "whatsapp",
        "long_conversation",
        "profile",
        "scaled",
    )
    reports = {name: _read(directory, name) for name in names}
    if reports["load"]:
        plot(reports["load"], directory / "latency.png")
    out = directory / "README.md"
    out.write_text(render(reports), encoding="utf-8")
    return out


if __name__ == "__main__":
    print(write())
