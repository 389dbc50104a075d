"""Helpers shared by the benchmarks: percentiles, latency summaries, the machine the numbers come from,
process memory from /proc, and where the JSON reports go (reports/bench/<name>.json)."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

REPORT_DIR = PROJECT_ROOT / "reports" / "bench"
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(latencies_ms: Sequence[float]) -> dict[str, float | int]:
    """Count, p50/p95/p99, mean and max of latencies in milliseconds, rounded to 0.1 ms."""
    if not latencies_ms:
        return {"n": 0}
    return {
        "n": len(latencies_ms),
        "p50_ms": round(percentile(latencies_ms, 50), 1),
        "p95_ms": round(percentile(latencies_ms, 95), 1),
        "p99_ms": round(percentile(latencies_ms, 99), 1),
        "mean_ms": round(statistics.fmean(latencies_ms), 1),
        "max_ms": round(max(latencies_ms), 1),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return math.nan


def _rasa_python_version() -> str:
    try:
        out = subprocess.run(
            [str(RASA_PYTHON), "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unavailable"
    return out.stdout.strip()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    """The machine the numbers were measured on."""
    return {
        "cpu": _cpu_model(),
        "cores": len(os.sched_getaffinity(0)),
        "ram_gib": _ram_gib(),
        "python_app": platform.python_version(),
        "python_rasa": _rasa_python_version(),
        "platform": platform.platform(),
        "load_average_1_5_15": load_average(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def measured_at() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_report(name: str, data: dict[str, Any], directory: Path = REPORT_DIR) -> Path:
    """Write reports/bench/<name>.json (pretty, UTF-8) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# --- memory -------------------------------------------------------------------------------------------


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may contain spaces
    return int(stat.rsplit(")", 1)[1].split()[1])


def process_tree(root: int) -> list[int]:
    """root and all its descendants (by scanning /proc for parent ids)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 when it is gone or is a kernel thread)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mib(root: int) -> float:
    """VmRSS of a process and its descendants, in MiB (shared pages counted once per process)."""
    return round(sum(rss_kib(pid) for pid in process_tree(root)) / 1024, 1)


class RssSampler:
    """Samples the RSS of named process trees; `summary()` gives peak and mean per name and of the total."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.samples: list[dict[str, float]] = []

    def sample(self) -> dict[str, float]:
        row = {name: tree_rss_mib(pid) for name, pid in self.pids.items()}
        row["total"] = round(sum(row.values()), 1)
        self.samples.append(row)
        return row

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {"samples": len(self.samples)}
        for name in [*self.pids, "total"]:
            values = [s[name] for s in self.samples]
            result[name] = {"peak_mib": max(values), "mean_mib": round(statistics.fmean(values), 1)}
        return result
