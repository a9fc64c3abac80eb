"""``make run``: the whole of ShopDesk on this machine at http://127.0.0.1:8000.

    python -m infra.run [--data-dir .data] [--port 8000] [--ready-file F] [--no-seed]

Ctrl-C (or SIGTERM) stops everything cleanly; the data folder keeps every record, uploaded
file, staff login and key for the next start.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from infra.stack import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("SHOPDESK_DATA_DIR", ROOT / ".data")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SHOPDESK_PORT", "8000")))
    parser.add_argument("--dynamodb-port", type=int, default=int(os.environ.get("SHOPDESK_DYNAMODB_PORT", "0")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("SHOPDESK_MOTO_PORT", "0")))
    parser.add_argument("--ready-file", type=Path, help="write the endpoints here as JSON once serving")
    parser.add_argument("--no-seed", action="store_true", help="do not create the demo shop")
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("SHOPDESK_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from infra.localcloud import AlreadyRunning
    from infra.system import LocalSystem, SystemConfig

    system = LocalSystem(SystemConfig(data_dir=args.data_dir.resolve(), port=args.port,
                                      dynamodb_port=args.dynamodb_port, moto_port=args.moto_port,
                                      seed=not args.no_seed))
    try:
        system.start()
    except AlreadyRunning as exc:
        print(f"\n{exc}\n", file=sys.stderr)
        return 3
    except OSError as exc:
        if exc.errno == 98:  # address in use
            print(f"\nPort {args.port} is in use: is ShopDesk (or something else) already running there? "
                  f"Choose another with SHOPDESK_PORT=8080 make run.\n", file=sys.stderr)
            return 3
        raise
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    info = {"url": system.url, "dynamodb": system.cloud.dynamodb_endpoint, "moto": system.cloud.moto_endpoint,
            "data_dir": str(args.data_dir.resolve()), "pid": os.getpid(),
            "env": {**system.cloud.env(), **system.function_env}}
    # running.json: where this system serves, for tools run beside it (python -m infra.redrive).
    running = args.data_dir.resolve() / "running.json"
    for target in filter(None, (args.ready_file, running)):
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(info))
        tmp.replace(target)
    from infra.seed import DEMO_PASSWORD, DEMO_STAFF

    print(f"""
  ShopDesk is running:   {system.url}
  API docs:              {system.url}/api-docs/   (OpenAPI: {system.url}/api/openapi.json)
  Local cloud:           DynamoDB Local {system.cloud.dynamodb_endpoint}, moto {system.cloud.moto_endpoint}
  Data folder:           {args.data_dir}

  Demo logins (password {DEMO_PASSWORD}):""")
    for email, name, role in DEMO_STAFF:
        print(f"    {email:<22} {role:<17} {name}")
    print("\n  Ctrl-C stops everything; your data stays in the data folder.\n", flush=True)
    done.wait()
    print("Stopping ShopDesk ...", flush=True)
    system.stop()
    running.unlink(missing_ok=True)
    print("Stopped. Data saved in", args.data_dir, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
