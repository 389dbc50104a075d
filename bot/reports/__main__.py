"""`python -m bot.reports complaints --quarter 2026Q4 [--out FILE]`: the quarterly complaint report as CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.services.complaint_report import complaint_report
from bot.store.db import session_scope


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.reports", description=__doc__)
    commands = parser.add_subparsers(dest="report", required=True)
    complaints = commands.add_parser("complaints", help="quarterly complaint report (POJK 18/2018)")
    complaints.add_argument("--quarter", required=True, help="e.g. 2026Q4")
    complaints.add_argument("--out", type=Path, help="write the CSV here instead of standard output")
    args = parser.parse_args(argv)
    try:
        with session_scope() as session:
            text = complaint_report(session, args.quarter)
    except ValueError as exc:
        parser.error(str(exc))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
