"""Known vulnerabilities in the installed packages (`make audit`, part of `make test`), with pip-audit.

`.venv` must have none, apart from advisories listed with a reason in requirements/audit-ignore.txt. The Rasa
environment is reported, never failed: its pins come with rasa==3.6.21, the last open-source Rasa, and cannot
move (docs/security.md). pip-audit asks PyPI's JSON API for each installed version; where that API cannot be
reached (a mirror that serves only the package index), nothing can be audited: this says so loudly and
fails only with AUDIT_REQUIRED=1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import PROJECT_ROOT

REPORT = PROJECT_ROOT / "var" / "audit.json"
IGNORE_FILE = PROJECT_ROOT / "requirements" / "audit-ignore.txt"


@dataclass
class Audit:
    environment: str
    audited: int = 0
    not_audited: list[str] = field(default_factory=list)
    vulnerabilities: list[dict[str, str]] = field(default_factory=list)


def ignored_ids(path: Path = IGNORE_FILE) -> set[str]:
    """Advisory ids accepted on purpose: one per line, `ID  # why`."""
    if not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {line for line in lines if line}


def parse(environment: str, report: dict, ignore: set[str]) -> Audit:
    audit = Audit(environment)
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            audit.not_audited.append(dependency["name"])
            continue
        audit.audited += 1
        for vuln in dependency.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            if ids & ignore:
                continue
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix released"
            audit.vulnerabilities.append(
                {
                    "package": f"{dependency['name']}=={dependency['version']}",
                    "id": vuln["id"],
                    "fixed_in": fixed,
                }
            )
    return audit


def run_pip_audit(requirements: Path) -> dict:
    """pip-audit over a fully pinned list (no resolution, no installs)."""
    command = [
        sys.executable, "-m", "pip_audit", "--requirement", str(requirements), "--no-deps", "--disable-pip",
        "--vulnerability-service", "pypi", "--format", "json", "--progress-spinner", "off",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if not done.stdout.strip():
        raise SystemExit(f"pip-audit failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def frozen(python: Path) -> str:
    return subprocess.run(
        [str(python), "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
    ).stdout


def audit_environment(name: str, python: Path, ignore: set[str]) -> Audit:
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write(frozen(python))
        requirements.flush()
        return parse(name, run_pip_audit(Path(requirements.name)), ignore)


def main() -> int:
    ignore = ignored_ids()
    app = audit_environment(".venv", PROJECT_ROOT / ".venv" / "bin" / "python", ignore)
    rasa = audit_environment(".venv-rasa", PROJECT_ROOT / ".venv-rasa" / "bin" / "python", ignore)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps([a.__dict__ for a in (app, rasa)], indent=2) + "\n")
    for audit in (app, rasa):
        print(
            f"{audit.environment}: {audit.audited} packages audited, {len(audit.not_audited)} could not be, "
            f"{len(audit.vulnerabilities)} known vulnerabilities"
        )
        for vuln in audit.vulnerabilities:
            print(f"  {vuln['package']}: {vuln['id']} (fixed in {vuln['fixed_in']})")
    if app.vulnerabilities:
        print(
            "raise the pins in requirements/app.in, or accept the advisory in requirements/audit-ignore.txt"
        )
        return 1
    if not app.audited:
        print(
            "WARNING: NOT AUDITED — PyPI's vulnerability data could not be reached from this machine "
            f"(details in {REPORT.relative_to(PROJECT_ROOT)}); AUDIT_REQUIRED=1 makes this an error."
        )
        return 1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
