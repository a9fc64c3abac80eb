"""Run a command against a fresh ShopDesk (temporary data folder, free port), then stop it.

    python -m infra.with_system -- npx playwright test

The command gets ``SHOPDESK_URL`` and ``SHOPDESK_AWS_ENDPOINT`` (the local cloud, whose
``/moto-api/data.json`` lists the e-mails and SMS "sent"); its exit code is returned.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from infra import background


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1:] if "--" in argv else argv
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="shopdesk-e2e-") as tmp:
        system = background.start(Path(tmp))
        try:
            print(f"ShopDesk for this run: {system.url}", flush=True)
            return subprocess.call(command, env={**os.environ, "SHOPDESK_URL": system.url,
                                                 "SHOPDESK_AWS_ENDPOINT": system.env["AWS_ENDPOINT_URL"]})
        finally:
            system.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
