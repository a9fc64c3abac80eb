"""Moto's in-memory state, saved to and restored from one file per service.

Moto keeps every service's state in a module-level ``BackendDict``
(``{account_id: {region: backend}}``), and the server looks the backend up in it on every
request. Saving is pickling those backends; restoring is putting unpickled backends back into
the live ``BackendDict`` objects before the server takes its first request.

One file per service (``<dir>/<service>.pickle``) because:

* a snapshot rewrites only the services that changed: pickling S3 means copying every object
  body, and it should not happen because an SQS consumer polled;
* an unreadable file costs that service only: it is moved aside and the service starts empty,
  while the others come back.

File format: one JSON header line (format, moto version, service, time), then the pickle.
The header lets an error message say which moto version wrote a file that no longer loads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import moto
from moto.backends import get_backend
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.model_instances import reset_model_data

from . import moto_pickle
from .moto_pickle import BackendRef

log = logging.getLogger(__name__)

FORMAT = 1
SUFFIX = ".pickle"
# Attributes every BackendDict has; any other attribute is service state kept on the dict
# itself (S3 keeps its bucket-name -> account index there) and is saved with the service.
_STANDARD_DICT_ATTRS = frozenset({"backend", "service_name", "_use_boto3_regions", "_additional_regions", "_id"})


@dataclass
class RestoreReport:
    """What :meth:`MotoStateStore.restore` did, for the caller to show."""

    restored: list[str] = field(default_factory=list)
    moved_aside: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def live_backend_dicts() -> dict[str, BackendDict[Any]]:
    """The BackendDicts that currently hold state, by service name (e.g. ``cognito-idp``)."""
    instances: list[BackendDict[Any]] = list(BackendDict._instances)  # type: ignore[misc]
    return {bd.service_name: bd for bd in instances}


def reset_moto() -> None:
    """Forget all of moto's in-memory state in this process.

    Done before a restore, so that state left in this process by an earlier LocalCloud cannot
    mix with what the files say, and after the final snapshot, to free the memory.
    """
    BackendDict.reset()
    reset_model_data()


def _backend_dict(service: str) -> BackendDict[Any]:
    backend_dict = get_backend(service)  # type: ignore[call-overload]
    if not isinstance(backend_dict, BackendDict):
        raise TypeError(f"moto service {service!r} is not held in a BackendDict")
    return backend_dict


def _backend_index() -> dict[int, BackendRef]:
    """id() of every live backend -> its (service, account, region) name."""
    return {
        id(backend): (service, account_id, region)
        for service, backend_dict in live_backend_dicts().items()
        for account_id, region, backend in backend_dict.iter_backends()
    }


def _live_backend(ref: BackendRef, cls: type[BaseBackend] | None = None) -> BaseBackend:
    """The backend the server uses for ``ref``, created if it does not exist yet."""
    service, account_id, region = ref
    account_backends = _backend_dict(service)[account_id]  # created on first use
    if region in dict.keys(account_backends):
        return dict.__getitem__(account_backends, region)  # type: ignore[no-any-return]
    try:
        # Moto builds it, as it would on the first request for that region.
        return account_backends[region]  # type: ignore[no-any-return]
    except KeyError:
        # A region moto would not build today (it allowed it when the state was saved):
        # an empty shell whose __dict__ the restore fills in.
        backend_cls: type[BaseBackend] = cls or _backend_dict(service).backend
        shell = object.__new__(backend_cls)
        dict.__setitem__(account_backends, region, shell)
        return shell


def _capture(service: str, index: dict[int, BackendRef]) -> bytes:
    """Pickle one service: each backend's attributes, and the BackendDict's own extras."""
    backend_dict = _backend_dict(service)
    state = {
        "backends": [
            ((service, account_id, region), type(backend), backend.__dict__)
            for account_id, region, backend in backend_dict.iter_backends()
        ],
        "dict_attrs": {k: v for k, v in vars(backend_dict).items() if k not in _STANDARD_DICT_ATTRS},
    }

    def backend_ref(obj: Any) -> BackendRef | None:
        return index.get(id(obj)) if isinstance(obj, BaseBackend) else None

    return moto_pickle.dumps(state, backend_ref)


def _install(service: str, state: dict[str, Any]) -> None:
    """Fill the live backends in place.

    In place rather than swapping in the unpickled objects: anything that already holds a
    live backend (another service's restored state, moto's own module-level objects) must see
    the restored state too.
    """
    for ref, cls, attributes in state["backends"]:
        backend = _live_backend(tuple(ref), cls)
        backend.__dict__.clear()
        backend.__dict__.update(attributes)
    backend_dict = _backend_dict(service)
    for name, value in state["dict_attrs"].items():
        setattr(backend_dict, name, value)


class MotoStateStore:
    """Per-service snapshot files of moto's backends in ``directory``.

    Not thread-safe by itself: the caller serialises calls and keeps requests out while
    :meth:`capture` runs (see RequestGate).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._digests: dict[str, str] = {}
        self._unknown: set[str] = set()

    def path_for(self, service: str) -> Path:
        return self.directory / f"{service}{SUFFIX}"

    def saved_services(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.name[: -len(SUFFIX)] for p in self.directory.glob(f"*{SUFFIX}"))

    def known_saved_services(self) -> list[str]:
        """Saved services this moto can load (files of unknown services are left alone)."""
        return [s for s in self.saved_services() if s not in self._unknown]

    # -- saving ---------------------------------------------------------------------------

    def capture(self, services: Iterable[str]) -> tuple[dict[str, bytes], dict[str, Exception]]:
        """Pickle these services now. Run with requests held off; this is the quick part.

        A service that fails to pickle is reported, not raised: the others must still be saved.
        """
        blobs: dict[str, bytes] = {}
        errors: dict[str, Exception] = {}
        index = _backend_index()
        for service in sorted(set(services)):
            try:
                header = {
                    "format": FORMAT,
                    "moto": moto.__version__,
                    "service": service,
                    "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                }
                blobs[service] = json.dumps(header).encode() + b"\n" + _capture(service, index)
            except Exception as exc:
                errors[service] = exc
        return blobs, errors

    def write(self, blobs: dict[str, bytes]) -> list[str]:
        """Write captured services to disk atomically; returns the services actually written.

        A service whose bytes are unchanged since the last write or restore is not rewritten.
        """
        written = []
        self.directory.mkdir(parents=True, exist_ok=True)
        for service, blob in blobs.items():
            # The header carries a timestamp; compare the state only.
            digest = hashlib.sha256(blob.split(b"\n", 1)[1]).hexdigest()
            if self._digests.get(service) == digest:
                continue
            _atomic_write(self.path_for(service), blob)
            self._digests[service] = digest
            written.append(service)
        if written:
            _fsync_dir(self.directory)
        return written

    # -- restoring ------------------------------------------------------------------------

    def restore(self) -> RestoreReport:
        """Load every service file into moto's live BackendDicts (call before serving)."""
        report = RestoreReport()
        for service in self.saved_services():
            path = self.path_for(service)
            try:
                blob = path.read_bytes()
                if not blob.startswith(b"{") or b"\n" not in blob:
                    raise ValueError("no header line: not a local cloud snapshot")
                header_line, payload = blob.split(b"\n", 1)
                header = json.loads(header_line)
                if header.get("format") != FORMAT or header.get("service") != service:
                    raise ValueError(f"unexpected header {header!r}")
            except Exception as exc:
                report.moved_aside[service] = self._move_aside(path, exc, written_by=None)
                continue
            try:
                _backend_dict(service)
            except Exception as exc:
                # Not corrupt, just unknown to this moto: keep the file for a moto that knows it.
                report.skipped[service] = f"moto {moto.__version__} has no such service: {exc}"
                self._unknown.add(service)
                log.error("Not restoring %s: %s", path, report.skipped[service])
                continue
            try:
                state = moto_pickle.loads(payload, _live_backend)
                _install(service, state)
            except Exception as exc:
                report.moved_aside[service] = self._move_aside(path, exc, written_by=header.get("moto"))
                continue
            self._digests[service] = hashlib.sha256(payload).hexdigest()
            report.restored.append(service)
        return report

    def _move_aside(self, path: Path, exc: Exception, written_by: str | None) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        counter = 1
        while target.exists():
            counter += 1
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        os.replace(path, target)
        version_note = ""
        if written_by and written_by != moto.__version__:
            version_note = f" (written by moto {written_by}, this is moto {moto.__version__})"
        log.error(
            "Could not restore local cloud state from %s%s: %s: %s. Moved it to %s; that service starts EMPTY.",
            path,
            version_note,
            type(exc).__name__,
            exc,
            target,
        )
        return target


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_dir(directory: Path) -> None:
    # Makes the renames themselves durable, not only the file contents.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
