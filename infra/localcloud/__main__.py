"""``python -m infra.localcloud --data-dir DIR``: run the local cloud in the foreground.

Prints the endpoints and the environment to use, then waits for Ctrl-C or SIGTERM and stops
cleanly (moto snapshot written, DynamoDB Local gone).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .cloud import DEFAULT_REGION, LocalCloud
from .dynamodb_local import DynamoDBLocalError
from .instance_lock import AlreadyRunning


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m infra.localcloud",
        description="Run DynamoDB Local and moto on 127.0.0.1, keeping their state in DATA_DIR.",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="where state is kept")
    parser.add_argument("--dynamodb-port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--moto-port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--region", default=DEFAULT_REGION)
    parser.add_argument("--verbose", "-v", action="store_true", help="log every moto request")
    return parser.parse_args(argv)


def _configure_logging(data_dir: Path, verbose: bool) -> None:
    """INFO to the terminal and to <data>/logs/localcloud.log; DEBUG and every request with -v."""
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [
        logging.StreamHandler(sys.stderr),
        logging.FileHandler(data_dir / "logs" / "localcloud.log", encoding="utf-8"),
    ]
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    # Third-party chatter stays out even with -v; moto's request lines come through our logger.
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    data_dir = args.data_dir.resolve()
    _configure_logging(data_dir, args.verbose)

    # The handler only wakes the main thread; stopping happens there, outside signal context.
    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    cloud = LocalCloud(
        data_dir,
        dynamodb_port=args.dynamodb_port,
        moto_port=args.moto_port,
        region=args.region,
    )
    try:
        cloud.start()
    except AlreadyRunning as exc:
        print(exc, file=sys.stderr)
        return 2
    except DynamoDBLocalError as exc:
        print(f"Could not start DynamoDB Local: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"DynamoDB  {cloud.dynamodb_endpoint}", flush=True)
        print(f"moto      {cloud.moto_endpoint}", flush=True)
        print("Environment for boto3 / the AWS CLI:", flush=True)
        for name, value in cloud.env().items():
            print(f"  export {name}={value}", flush=True)
        print(f"Data in {data_dir}. Ctrl-C to stop.", flush=True)
        # wait() with a timeout so the main thread regularly returns to the interpreter,
        # which is where Python runs signal handlers.
        while not stop_requested.wait(0.5):
            pass
    finally:
        cloud.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
