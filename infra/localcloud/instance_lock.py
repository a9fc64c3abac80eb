"""One local cloud per data folder.

Two clouds on one folder would both write DynamoDB Local's SQLite file and overwrite each other's
moto snapshots. An ``flock`` on a file in the folder prevents that; the kernel drops the lock
when its process dies, however it dies, so a lock left by a crashed run is simply taken over.
The pid is written into the file only to tell the user which process holds it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class AlreadyRunning(RuntimeError):
    """Another LocalCloud holds this data folder."""

    def __init__(self, pid: int | None, data_dir: Path) -> None:
        self.pid = pid
        self.data_dir = data_dir
        who = f"pid {pid}" if pid else "pid unknown"
        super().__init__(
            f"ShopDesk's local cloud is already running ({who}) with data in {data_dir}; "
            "stop it with Ctrl-C in its terminal or `make stop`"
        )


class InstanceLock:
    """An exclusive, non-blocking ``flock`` on ``<data_dir>/<name>`` holding our pid."""

    def __init__(self, data_dir: Path, name: str = "localcloud.lock") -> None:
        self.data_dir = data_dir
        self.path = data_dir / name
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning naming the holder."""
        if self._file is not None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # "a+" neither truncates (the holder's pid must stay readable) nor fails if absent.
        lock_file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            text = lock_file.read().strip()
            lock_file.close()
            raise AlreadyRunning(int(text) if text.isdigit() else None, self.data_dir) from None
        except BaseException:
            lock_file.close()
            raise
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"{os.getpid()}\n")
        lock_file.flush()
        self._file = lock_file

    def release(self) -> None:
        """Drop the lock. The file stays: deleting it would race with a new acquirer."""
        lock_file, self._file = self._file, None
        if lock_file is None:
            return
        try:
            lock_file.seek(0)
            lock_file.truncate()
            lock_file.flush()
        finally:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
            lock_file.close()
