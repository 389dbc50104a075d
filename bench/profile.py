"""Sampling profile of a running process with py-spy, reduced to the hot spots in this project's code.

`record(pid, seconds, out)` runs `py-spy record --format raw` (collapsed stacks, idle threads excluded) on
the process; `hot_spots(raw)` turns those stacks into two rankings of our functions (bot/, actions/,
knowledge/ as file:function):

- inclusive: share of the samples in which the function is on the stack;
- attributed: share of the samples whose deepest frame of our code is that function, i.e. time spent in
  the function itself or in the libraries it calls (SQLAlchemy, pydantic, httpx …) without another of our
  functions in between. This is the list to optimise from.

and a third, the leaf frames of any code (self time), to see which library work dominates.

    .venv/bin/python -m bench.profile --pid 1234 --seconds 20   → prints the hot spots
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT

PY_SPY = PROJECT_ROOT / ".venv" / "bin" / "py-spy"
OUR_PACKAGES = ("bot", "actions", "knowledge")
# Stacks of threads waiting for work, which py-spy samples as active: an anyio worker waiting for a job,
# a concurrent.futures worker waiting for a job, the event loop waiting in (native) uvloop. Left out of the
# shares; a thread waiting for a database connection (QueuePool) is not idle and stays in.
IDLE_TAILS = (
    ("WorkerThread.run", "Queue.get", "Condition.wait"),
    ("Thread.run", "_worker"),
    ("asyncio_run", "Runner.run"),
)
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def record(pid: int, seconds: int, out: Path, rate: int = 100) -> subprocess.Popen[bytes]:
    """Start py-spy on pid for `seconds`; the caller waits for the returned process."""
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [str(PY_SPY), "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(rate)]
    command += ["--format", "raw", "--output", str(out)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _ours(file: str, packages: tuple[str, ...] = OUR_PACKAGES) -> str | None:
    """The path of a file of the given packages (ours, or installed ones such as rasa), else None."""
    path = Path(file)
    if "site-packages" in path.parts:
        path = Path(*path.parts[path.parts.index("site-packages") + 1 :])
    elif path.is_absolute():
        try:
            path = path.relative_to(PROJECT_ROOT)
        except ValueError:
            return None
    parts = path.parts
    return path.as_posix() if parts and parts[0] in packages else None


def _frame(text: str) -> tuple[str, str, str]:
    match = _FRAME.match(text.strip())
    return (match["function"], match["file"], match["line"] or "") if match else (text.strip(), "", "")


def parse_collapsed(raw: str) -> list[tuple[list[tuple[str, str, str]], int]]:
    """Collapsed stacks ("frame;frame;… count", outermost first) as ([(function, file, line)], count)."""
    stacks = []
    for line in raw.splitlines():
        line = line.strip()
        if not line or " " not in line:
            continue
        frames, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        stacks.append(([_frame(f) for f in frames.split(";")], int(count)))
    return stacks


def _idle(frames: list[tuple[str, str, str]]) -> bool:
    functions = tuple(function for function, _, _ in frames)
    return any(functions[-len(tail) :] == tail for tail in IDLE_TAILS)


def hot_spots(raw: str, top: int = 12, packages: tuple[str, ...] = OUR_PACKAGES) -> dict[str, Any]:
    everything = parse_collapsed(raw)
    stacks = [(frames, count) for frames, count in everything if not _idle(frames)]
    total = sum(count for _, count in stacks)
    inclusive: Counter[str] = Counter()
    attributed: Counter[str] = Counter()
    attributed_lines: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for frames, count in stacks:
        ours = [(f"{p}:{function}", line) for function, file, line in frames if (p := _ours(file, packages))]
        for name in {name for name, _ in ours}:
            inclusive[name] += count
        deepest, line = ours[-1] if ours else ("(no frame of our code)", "")
        attributed[deepest] += count
        attributed_lines[f"{deepest} line {line}" if line else deepest] += count
        function, file, _ = frames[-1]
        leaf[f"{_ours(file, packages) or Path(file).name}:{function}"] += count

    def ranked(counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"where": name, "samples": n, "share": round(n / total, 3)}
            for name, n in counter.most_common(top)
        ]

    return {
        "samples": total,
        "idle_samples_left_out": sum(count for _, count in everything) - total,
        "attributed": ranked(attributed),
        "attributed_lines": ranked(attributed_lines),
        "inclusive": ranked(inclusive),
        "leaf": ranked(leaf),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "var" / "bench" / "profile.txt")
    args = parser.parse_args()
    spy = record(args.pid, args.seconds, args.out)
    _, err = spy.communicate()
    if spy.returncode != 0:
        raise SystemExit(f"py-spy failed: {err.decode(errors='replace')}")
    print(json.dumps(hot_spots(args.out.read_text()), indent=2))


if __name__ == "__main__":
    main()
