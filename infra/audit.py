"""``make audit`` (part of ``make lint``): known advisories in what ShopDesk installs and ships.

- Python: ``pip-audit`` on the locks (``requirements/dev.txt`` holds everything the runtime
  lock holds, plus the tools; ``requirements/sam.txt``), pinned with hashes, nothing installed.
- npm: ``npm audit --omit=dev`` in ``frontend/`` (what the built UI ships) and
  ``infra/localcloud/`` (the DynamoDB Local jar's package).

Any high or critical advisory fails the step unless ``infra/audit-allowlist.toml`` lists it
with a reason. Both tools need their advisory service (PyPI's JSON API or OSV for pip-audit,
the npm registry's bulk advisory endpoint for npm audit). Where a service cannot be reached (on
the project's own machines the registries are reachable for installs only) the step says so
in a box, names what was not audited, and passes, unless ``SHOPDESK_AUDIT_STRICT=1`` (then it
fails): an unreachable service is never reported as "no vulnerabilities".
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "infra" / "audit-allowlist.toml"
PYTHON_LOCKS = ("requirements/dev.txt", "requirements/sam.txt")
NPM_DIRS = ("frontend", "infra/localcloud")
FAILING = ("high", "critical")
CANARY = "requests==2.19.1"  # CVE-2018-18074 (PYSEC-2018-28): any working service reports it


@dataclass(frozen=True)
class Finding:
    ecosystem: str  # "python" | "npm"
    package: str
    version: str
    ids: tuple[str, ...]  # the advisory and its aliases (GHSA-..., CVE-..., PYSEC-...)
    severity: str  # "unknown" where the service gives none (pip-audit): treated as failing

    def label(self) -> str:
        return f"{self.ecosystem} {self.package} {self.version}: {', '.join(self.ids)} ({self.severity})"


def load_allowlist(path: Path = ALLOWLIST) -> dict[str, str]:
    """Advisory id -> reason. Every entry must give a reason (else the file is refused)."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    allowed: dict[str, str] = {}
    for entry in data.get("allow", []):
        reason = str(entry.get("reason", "")).strip()
        if not entry.get("id") or len(reason) < 20:
            raise ValueError(f"{path}: every entry needs an id and a reason (got {entry!r})")
        allowed[str(entry["id"])] = reason
    return allowed


def unexplained(findings: list[Finding], allowed: dict[str, str]) -> list[Finding]:
    return [f for f in findings if f.severity in (*FAILING, "unknown") and not set(f.ids) & set(allowed)]


# -- pip-audit ------------------------------------------------------------------------------------
def pip_findings(report: dict[str, Any]) -> tuple[list[Finding], list[str]]:
    """(findings, names that could not be audited) from ``pip-audit --format json``."""
    findings, skipped = [], []
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            skipped.append(str(dep.get("name")))
        for vuln in dep.get("vulns", []):
            ids = (str(vuln["id"]), *(str(a) for a in vuln.get("aliases", [])))
            findings.append(Finding("python", str(dep["name"]), str(dep.get("version", "")), ids, "unknown"))
    return findings, skipped


def _pip_audit(requirements: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip_audit", "-r", requirements, "--disable-pip",
                           "--progress-spinner", "off", "--format", "json", *extra], cwd=ROOT, capture_output=True,
                          text=True, check=False, timeout=900)


def service_answers() -> bool:
    """The canary: a release with a well-known advisory must be reported, else the service is
    not answering (pip-audit then only says "not found" and would pass everything)."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt") as canary:
        canary.write(f"{CANARY}\n")
        canary.flush()
        done = _pip_audit(canary.name, "--no-deps")
    try:
        found, _ = pip_findings(json.loads(done.stdout or "{}"))
    except json.JSONDecodeError:
        return False
    return bool(found)


def run_pip_audit() -> tuple[list[Finding], list[str]]:
    findings: list[Finding] = []
    problems: list[str] = []
    if not service_answers():
        return [], [f"pip-audit: its vulnerability service (PyPI's JSON API) does not answer from this machine "
                    f"(the canary {CANARY} was not reported); {', '.join(PYTHON_LOCKS)} were NOT audited"]
    for lock in PYTHON_LOCKS:
        done = _pip_audit(lock, "--require-hashes")
        try:
            report = json.loads(done.stdout or "{}")
        except json.JSONDecodeError:
            problems.append(f"pip-audit on {lock} failed: {done.stderr.strip()[-500:]}")
            continue
        found, skipped = pip_findings(report)
        findings += found
        if skipped:
            problems.append(f"pip-audit on {lock}: {len(skipped)} package(s) could not be audited: "
                            f"{', '.join(skipped[:10])}{' ...' if len(skipped) > 10 else ''}")
    return findings, problems


# -- npm audit ------------------------------------------------------------------------------------
def npm_findings(report: dict[str, Any]) -> list[Finding]:
    """Findings from ``npm audit --json`` (npm 7+): one per advisory of each vulnerable package."""
    findings = []
    for name, vuln in (report.get("vulnerabilities") or {}).items():
        for via in vuln.get("via", []):
            if not isinstance(via, dict):
                continue  # "via" another vulnerable package: reported under that package
            ids = tuple(str(x) for x in (via.get("url", "").rsplit("/", 1)[-1], via.get("source")) if x)
            findings.append(Finding("npm", name, str(vuln.get("range", "")), ids or (name,),
                                    str(via.get("severity", vuln.get("severity", "unknown")))))
    return findings


def run_npm_audit() -> tuple[list[Finding], list[str]]:
    findings: list[Finding] = []
    problems: list[str] = []
    for folder in NPM_DIRS:
        done = subprocess.run(["npm", "audit", "--omit=dev", "--json"], cwd=ROOT / folder, capture_output=True,
                              text=True, check=False)
        try:
            report = json.loads(done.stdout or "{}")
        except json.JSONDecodeError:
            report = {}
        if "error" in report or "vulnerabilities" not in report:
            said = [ln for ln in done.stderr.splitlines() if "audit" in ln and "npm warn" in ln]
            why = (said[0].removeprefix("npm warn audit ").strip() if said
                   else str((report.get("error") or {}).get("summary") or "no answer"))
            problems.append(f"npm audit in {folder}: the registry's advisory endpoint refused ({why[:120]}); "
                            f"{folder} was NOT audited")
            continue
        findings += npm_findings(report)
    return findings, problems


def main() -> int:
    allowed = load_allowlist()
    py, py_problems = run_pip_audit()
    npm, npm_problems = run_npm_audit()
    bad = unexplained(py + npm, allowed)
    explained = [f for f in py + npm if f not in bad]
    for f in explained:
        reason = next(allowed[i] for i in f.ids if i in allowed)
        print(f"audit: allowed  {f.label()}: {reason}")
    for f in bad:
        print(f"audit: FAILING  {f.label()}")
    problems = py_problems + npm_problems
    if problems:
        import textwrap

        lines = ["DEPENDENCY AUDIT INCOMPLETE: an advisory service cannot be reached", ""]
        for p in problems:
            lines += textwrap.wrap(p, 96, subsequent_indent="  ")
        lines += ["", "The last review by hand is recorded in docs/security.md (14.)."]
        print("+" + "-" * 100 + "+")
        for line in lines:
            print("| " + line.ljust(98) + " |")
        print("+" + "-" * 100 + "+")
    if bad:
        return 1
    if problems and os.environ.get("SHOPDESK_AUDIT_STRICT") == "1":
        return 2
    if not problems:
        print(f"audit: no unexplained high or critical advisory ({len(explained)} allowed with a reason)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
