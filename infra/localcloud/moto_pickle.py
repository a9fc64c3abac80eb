"""Pickle moto's backends, including the few objects plain pickle refuses.

Plain ``pickle`` handles almost all of moto's in-memory state. Two kinds of object stop it:

* thread synchronisation objects (SQS queues hold a ``Condition``, S3 keys a ``Lock``): they
  carry no data, so they come back as fresh, unlocked objects;
* ``cryptography`` keys (KMS key material for asymmetric keys and the RSA key that every KMS key
  carries, the Cognito user pool's JWT signing key): they go through PEM, so they come back as
  the *same* key. That is what lets ciphertext and ID tokens from before a restart stay valid.

A ``Pickler.reducer_override`` is used instead of ``copyreg`` so the process-wide pickle
registry is left alone for everybody else.

References to backends are not pickled by value: ``backend_ref`` names them (service, account,
region) and ``resolve_backend`` finds the live object at load time. A model that points at its
own or another service's backend thus points at the one the server uses after a restore.
"""

from __future__ import annotations

import io
import pickle
import threading
import typing
from collections.abc import Callable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import types as key_types

PROTOCOL = 5

BackendRef = tuple[str, str, str]  # (service name, account id, region or partition)

_PRIVATE_KEY_TYPES: tuple[type, ...] = typing.get_args(key_types.PrivateKeyTypes)
_PUBLIC_KEY_TYPES: tuple[type, ...] = typing.get_args(key_types.PublicKeyTypes)
_LOCK_TYPE = type(threading.Lock())
_RLOCK_TYPES: tuple[type, ...] = (type(threading.RLock()), threading._PyRLock)  # type: ignore[attr-defined]


def _load_private_key(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, password=None)


def _load_public_key(pem: bytes) -> Any:
    return serialization.load_pem_public_key(pem)


def _new_event(is_set: bool) -> threading.Event:
    event = threading.Event()
    if is_set:
        event.set()
    return event


class _MotoPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, backend_ref: Callable[[Any], BackendRef | None] | None) -> None:
        super().__init__(file, protocol=PROTOCOL)
        self._backend_ref = backend_ref

    def persistent_id(self, obj: Any) -> BackendRef | None:
        if self._backend_ref is None:
            return None
        return self._backend_ref(obj)

    def reducer_override(self, obj: Any) -> Any:
        # Exact-type checks first: this runs for nearly every object in the graph.
        obj_type = type(obj)
        if obj_type is _LOCK_TYPE:
            return threading.Lock, ()
        if obj_type in _RLOCK_TYPES:
            return threading.RLock, ()
        if isinstance(obj, threading.Condition):
            # Pickling the underlying lock through the memo keeps it shared with whoever else
            # holds it (a Queue's mutex and its conditions, for instance).
            return threading.Condition, (obj._lock,)  # type: ignore[attr-defined]
        if isinstance(obj, threading.Event):
            return _new_event, (obj.is_set(),)
        if isinstance(obj, _PRIVATE_KEY_TYPES):
            pem = obj.private_bytes(  # type: ignore[attr-defined]
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return _load_private_key, (pem,)
        if isinstance(obj, _PUBLIC_KEY_TYPES):
            pem = obj.public_bytes(  # type: ignore[attr-defined]
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            return _load_public_key, (pem,)
        if isinstance(obj, x509.Certificate):
            return x509.load_pem_x509_certificate, (obj.public_bytes(serialization.Encoding.PEM),)
        return NotImplemented


class _MotoUnpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, resolve: Callable[[BackendRef], Any] | None) -> None:
        super().__init__(file)
        self._resolve = resolve

    def persistent_load(self, pid: Any) -> Any:
        if self._resolve is None:
            raise pickle.UnpicklingError(f"backend reference {pid!r} but no resolver")
        return self._resolve(tuple(pid))  # type: ignore[arg-type]


def dumps(obj: Any, backend_ref: Callable[[Any], BackendRef | None] | None = None) -> bytes:
    """Serialise ``obj`` (normally moto backend state) to bytes.

    ``backend_ref(o)`` returns a reference for objects to store by name instead of by value.
    """
    buffer = io.BytesIO()
    _MotoPickler(buffer, backend_ref).dump(obj)
    return buffer.getvalue()


def loads(data: bytes, resolve_backend: Callable[[BackendRef], Any] | None = None) -> Any:
    """Inverse of :func:`dumps`. Only ever feed it files this package wrote: it is pickle."""
    return _MotoUnpickler(io.BytesIO(data), resolve_backend).load()
