from pathlib import Path

from bot.ops.audit import ignored_ids, parse

REPORT = {
    "dependencies": [
        {
            "name": "jinja2",
            "version": "2.10",
            "vulns": [{"id": "PYSEC-2019-217", "aliases": ["CVE-2019-10906"], "fix_versions": ["2.10.1"]}],
        },
        {
            "name": "urllib3",
            "version": "1.24.1",
            "vulns": [{"id": "GHSA-aaaa", "aliases": [], "fix_versions": []}],
        },
        {"name": "httpx", "version": "0.28.1", "vulns": []},
        {
            "name": "ourpkg",
            "skip_reason": "Dependency not found on PyPI and could not be audited: ourpkg (1.0)",
        },
    ]
}


def test_vulnerabilities_are_listed_with_their_fix_and_unreachable_packages_counted() -> None:
    audit = parse(".venv", REPORT, ignore=set())
    assert audit.audited == 3
    assert audit.not_audited == ["ourpkg"]
    assert audit.vulnerabilities == [
        {"package": "jinja2==2.10", "id": "PYSEC-2019-217", "fixed_in": "2.10.1"},
        {"package": "urllib3==1.24.1", "id": "GHSA-aaaa", "fixed_in": "no fix released"},
    ]


def test_an_accepted_advisory_is_matched_by_id_or_alias(tmp_path: Path) -> None:
    accepted = tmp_path / "audit-ignore.txt"
    accepted.write_text("# accepted\nCVE-2019-10906  # not reachable: we never render untrusted templates\n")
    audit = parse(".venv", REPORT, ignore=ignored_ids(accepted))
    assert [v["id"] for v in audit.vulnerabilities] == ["GHSA-aaaa"]
