"""``make fuzz``: the deeper pass, for a person to run (a few minutes on 2 cores).

    python -m tests.fuzz.deep [--examples 25] [--seed 19] [--roles owner,warehouse] [--system DIR]

Starts a ShopDesk of its own (temporary data folder, free port, demo shop seeded) unless
``--system`` names the data folder of one already running (``make run``'s is .data), then runs
schemathesis as every built-in role of the demo shop in turn: examples, coverage (boundary
values, unsupported methods), fuzzing and stateful sequences that follow the document's links
(create -> read/update/delete, list -> item). Prints a line per role (operations, test cases,
requests, failures by kind) and the output of any failing role, with a curl line for each
failing request; exits 1 on any failure. Reports: fuzz-report/ (JSON and HAR per role).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from tests.fuzz import harness


def main(argv: list[str] | None = None) -> int:
    from shared.auth.built_in_roles import BUILT_IN_ROLES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=25, help="fuzzed examples per operation and role")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--roles", default=",".join(BUILT_IN_ROLES))
    parser.add_argument("--system", type=Path, help="data folder of a running system (its ready.json)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--report-dir", type=Path, default=Path("fuzz-report"))
    args = parser.parse_args(argv)
    roles = [r for r in args.roles.split(",") if r]

    from infra import background
    from infra.seed import DEMO_SHOP_ID

    running = None
    tmp = None
    if args.system:
        info = json.loads((args.system / "ready.json").read_text(encoding="utf-8"))
        url, env = info["url"], info["env"]
    else:
        tmp = tempfile.TemporaryDirectory(prefix="shopdesk-fuzz-")
        running = background.start(Path(tmp.name))
        url, env = running.url, running.env
        print(f"ShopDesk for this run: {url}", flush=True)
    os.environ.update(env)
    from shared import aws, config

    config.reset()
    aws.reset()
    try:
        target = harness.prepare(url, DEMO_SHOP_ID, roles)
        totals = harness.Totals()
        for role in roles:
            outcome = harness.run(target, role, examples=args.examples, seed=args.seed,
                                  report_dir=args.report_dir, workers=args.workers)
            totals.outcomes.append(outcome)
            print(harness.Totals([outcome]).table().split("\n", 1)[1], flush=True)
            if outcome.failed:
                print(outcome.output, flush=True)
        print("\n" + totals.table())
        total = {k: sum(o.summary()[k] for o in totals.outcomes) for k in ("test_cases", "requests")}
        failures = sum(sum(o.summary()["failures"].values()) for o in totals.outcomes)
        print(f"all roles: {total['test_cases']} test cases, {total['requests']} requests, {failures} failures")
        (args.report_dir / "summary.json").write_text(json.dumps([o.summary() for o in totals.outcomes], indent=1))
        return 1 if any(o.failed for o in totals.outcomes) else 0
    finally:
        if running is not None:
            running.stop()
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
