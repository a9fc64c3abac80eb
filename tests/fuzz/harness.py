"""Fuzzing the API from its own OpenAPI document with schemathesis, as signed-in staff.

Used by the suite's bounded pass (tests/integration/test_fuzz_api.py, part of ``make test``)
and by the deeper ``make fuzz`` (tests/fuzz/deep.py). Both read the operations from the running
system's ``/api/openapi.json``, so a route added to any capability is fuzzed from its first
commit without anyone listing it here.

What keeps a fuzz run from locking out the people it signs in as:
- it signs in as staff of its own (``fuzz-<role>-…@fuzz.test``), made members of the target shop;
- every ``{user_id}`` it sends is one sacrificial member's (``victim``), so disabling, removing,
  resetting the password of or re-roling "a member" never touches a signed-in fuzz user; the
  document has no list link for ``user_id`` (a list's first member may be the caller);
- ``POST /me/password`` needs the current password, which the generator never knows;
- ``POST /auth/signout`` is not fuzzed: it would end the very session the pass signs its requests
  with (it takes no input; tests/integration/test_security_identity.py plays it).
The target shop's records are fair game: the suite's pass runs last in the session (see
tests/integration/conftest.py) and ``make fuzz`` runs against a system of its own.
"""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

PASSWORD = "Fuzz-pass-1"
# Checks every pass runs: no 5xx; statuses, bodies and content types as documented; and an
# unsupported method answers 405 with Allow.
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "unsupported_method"]


@dataclass
class Target:
    url: str
    shop_id: str
    tokens: dict[str, str]  # role -> ID token
    victim: str  # the user id every {user_id} becomes


@dataclass
class Outcome:
    role: str
    report: dict[str, Any]
    output: str
    returncode: int
    requests: int = 0

    @property
    def failures(self) -> list[dict[str, Any]]:
        return list(self.report.get("failures", []))

    @property
    def failed(self) -> bool:
        return self.returncode != 0 or bool(self.failures) or not self.report.get("complete", False)

    def summary(self) -> dict[str, Any]:
        tc = self.report.get("test_cases", {})
        ops = self.report.get("operations", {})
        warnings = {k: len(v) for k, v in self.report.get("warnings", {}).items() if isinstance(v, list) and v}
        return {"role": self.role, "operations": ops.get("tested", 0), "test_cases": tc.get("generated", 0),
                "requests": self.requests, "failures": {f["title"]: f["count"] for f in self.failures},
                "warnings": warnings, "seconds": round(self.report.get("running_time", 0), 1)}


def make_member(shop_id: str, role: str) -> tuple[str, str]:
    """A new login with ``role`` in the shop: (user id, e-mail). Needs the system's environment."""
    from shared.identity import access, signin

    email = f"fuzz-{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}@fuzz.test"
    user_id = signin.create_staff_login(email, PASSWORD)
    access.upsert_user(user_id, email, f"Fuzz {role}")
    access.add_member(user_id, shop_id, {role})
    return user_id, email


def sign_in(url: str, email: str) -> str:
    answer = requests.post(f"{url}/api/auth/signin", json={"email": email, "password": PASSWORD}, timeout=30)
    answer.raise_for_status()
    return str(answer.json()["id_token"])


def prepare(url: str, shop_id: str, roles: list[str]) -> Target:
    tokens = {}
    for role in roles:
        _, email = make_member(shop_id, role)
        tokens[role] = sign_in(url, email)
    victim, _ = make_member(shop_id, "customer_service")
    return Target(url=url, shop_id=shop_id, tokens=tokens, victim=victim)


def run(target: Target, role: str, *, examples: int, seed: int, report_dir: Path,
        phases: str = "examples,coverage,fuzzing,stateful", workers: int = 1,
        max_failures: int | None = None) -> Outcome:
    """One schemathesis pass as ``role``; the output (with a curl line per failure) is returned."""
    report_dir.mkdir(parents=True, exist_ok=True)
    config = report_dir / f"schemathesis-{role}.toml"
    # A fixed {user_id} (see the module's docstring); quoted keys, as TOML wants for dots.
    config.write_text(f'[parameters]\n"path.user_id" = "{target.victim}"\n\n'
                      '[[operations]]\ninclude-path = "/auth/signout"\nenabled = false\n', encoding="utf-8")
    json_path = report_dir / f"{role}.json"
    har_path = report_dir / f"{role}.har"
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
           f"{target.url}/api/openapi.json", "--url", f"{target.url}/api",
           "-H", f"Authorization: Bearer {target.tokens[role]}", "-H", f"X-Shop-Id: {target.shop_id}",
           "-H", "Accept-Language: en",
           "--checks", ",".join(CHECKS), "--phases", phases, "-n", str(examples), "--seed", str(seed),
           "-w", str(workers), "--no-color", "--output-truncate", "false", "--request-timeout", "30",
           "--report", "json,har", "--report-json-path", str(json_path), "--report-har-path", str(har_path),
           "--suppress-health-check", "all"]
    if max_failures:
        cmd += ["--max-failures", str(max_failures)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    report = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() else {}
    requests_sent = 0
    if har_path.exists():
        try:
            requests_sent = len(json.loads(har_path.read_text(encoding="utf-8"))["log"]["entries"])
        except (ValueError, KeyError):
            pass
    return Outcome(role=role, report=report, output=done.stdout + done.stderr, returncode=done.returncode,
                   requests=requests_sent)


@dataclass
class Totals:
    outcomes: list[Outcome] = field(default_factory=list)

    def table(self) -> str:
        lines = ["role               operations  test cases  requests  failures  seconds"]
        for o in self.outcomes:
            s = o.summary()
            fails = sum(s["failures"].values())
            lines.append(f"{o.role:<18} {s['operations']:>10}  {s['test_cases']:>10}  {s['requests']:>8}  "
                         f"{fails:>8}  {s['seconds']:>7}")
            for title, count in s["failures"].items():
                lines.append(f"    {count} x {title}")
            for kind, count in s["warnings"].items():
                lines.append(f"    warning: {kind} on {count} operation(s)")
        return "\n".join(lines)
