"""Dependencies are locked with hashes and installed only through the locks; the audit step
fails on an unexplained high or critical advisory and never reads "unreachable" as "clean"
(issue 9, point 14)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra import audit

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ("requirements/runtime.txt", "requirements/dev.txt", "requirements/sam.txt")


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a compiled lock."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^ ;\\\n]+)", block)
        if head:
            found[head.group(1).lower()] = (head.group(3), block.count("--hash=sha256:"))
    return found


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_is_pinned_with_hashes(lock: str):
    locked = pins(lock)
    assert len(locked) > 5
    assert {name for name, (_, hashes) in locked.items() if hashes == 0} == set()
    # No line of the lock installs anything unpinned.
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            assert "==" in line, line


def test_the_runtime_lock_is_the_runtime_part_of_the_dev_lock():
    runtime, dev = pins("requirements/runtime.txt"), pins("requirements/dev.txt")
    assert {n: v for n, (v, _) in runtime.items()} == {n: dev[n][0] for n in runtime}


@pytest.mark.parametrize("source,lock", [("requirements/runtime.in", "requirements/runtime.txt"),
                                         ("requirements/dev.in", "requirements/dev.txt"),
                                         ("requirements/sam.in", "requirements/sam.txt")])
def test_what_we_ask_for_is_what_is_locked(source: str, lock: str):
    locked = pins(lock)
    for line in (ROOT / source).read_text(encoding="utf-8").splitlines():
        asked = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]+\])?==(\S+)", line)
        if asked:
            assert locked[asked.group(1).lower()][0] == asked.group(3), line


def test_every_install_goes_through_a_lock_with_require_hashes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [ln for ln in makefile.splitlines() if "pip install" in ln and " -r " in ln]
    assert installs and all("--require-hashes" in ln and ".txt" in ln for ln in installs), installs
    layer = (ROOT / "layers/shared/Makefile").read_text(encoding="utf-8")
    assert "--require-hashes" in layer and "requirements/runtime.txt" in layer


def test_pillow_is_past_its_known_advisories():
    version = tuple(int(p) for p in pins("requirements/runtime.txt")["pillow"][0].split(".")[:2])
    assert version >= (13, 0)  # 12.3.0 and older have published advisories (docs/security.md, 14.)


def test_a_high_npm_advisory_fails_unless_explained():
    report = {"vulnerabilities": {
        "axios": {"range": "<1.8.2", "severity": "high",
                  "via": [{"source": 1103617, "url": "https://github.com/advisories/GHSA-jr5f-v2jv-69x6",
                           "severity": "high", "title": "SSRF"}]},
        "left-pad": {"range": "*", "severity": "moderate",
                     "via": [{"source": 1, "url": "https://github.com/advisories/GHSA-aaaa-bbbb-cccc",
                              "severity": "moderate"}]},
        "wrapper": {"range": "*", "severity": "high", "via": ["axios"]}}}
    found = audit.npm_findings(report)
    assert [f.package for f in audit.unexplained(found, {})] == ["axios"]
    assert audit.unexplained(found, {"GHSA-jr5f-v2jv-69x6": "not reachable: we never call axios with user URLs"}) == []


def test_any_python_advisory_fails_unless_explained_and_skips_are_reported():
    report = {"dependencies": [
        {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "aliases": ["CVE-2024-22195"]}]},
        {"name": "requests", "version": "2.19.1", "skip_reason": "Dependency not found on PyPI"}]}
    found, skipped = audit.pip_findings(report)
    assert skipped == ["requests"]
    assert [f.package for f in audit.unexplained(found, {})] == ["jinja2"]
    assert audit.unexplained(found, {"CVE-2024-22195": "only templates we write ourselves are rendered"}) == []


def test_the_allowlist_gives_a_reason_for_every_entry(tmp_path):
    audit.load_allowlist()  # the repository's own: parses, every entry explained
    bad = tmp_path / "allow.toml"
    bad.write_text('allow = [{id = "GHSA-x", package = "p", reason = ""}]\n')
    with pytest.raises(ValueError):
        audit.load_allowlist(bad)
