"""Invoke template functions in-process, with Lambda's one-invocation-per-container semantics.

Each container is a fresh import of the function's module (``CodeUri`` + ``Handler``) under a
unique module name, so a Chalice app's per-request state (``current_request``) is never shared
by two concurrent invocations. Containers are created on demand up to ``max_containers``, or the
function's ``ReservedConcurrentExecutions`` when the template reserves fewer (the functions that
talk to providers), as Lambda would throttle beyond it.

``current()`` names the function whose invocation the calling thread is running (the fault
switches of ``infra.runtime.faults`` act on one function's AWS calls).
"""
from __future__ import annotations

import importlib.util
import itertools
import queue
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.stack import ROOT, Stack

_serial = itertools.count()
_running = threading.local()


def current() -> str | None:
    """The logical id of the function this thread is invoking, if any."""
    return getattr(_running, "function", None)


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    deadline: float
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


class Function:
    def __init__(self, logical: str, props: dict[str, Any], max_containers: int) -> None:
        self.logical = logical
        self.code_dir = (ROOT / props["CodeUri"]).resolve()
        module_file, _, self.attr = props["Handler"].rpartition(".")
        self.module_path = self.code_dir / f"{module_file.replace('.', '/')}.py"
        self.timeout = int(props.get("Timeout", 3))
        self.memory = int(props.get("MemorySize", 128))
        reserved = props.get("ReservedConcurrentExecutions")
        self.max_containers = min(max_containers, int(reserved)) if reserved is not None else max_containers
        self._idle: queue.LifoQueue[ModuleType] = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()
        self.cold_starts = 0

    def _new_container(self) -> ModuleType:
        name = f"_shopdesk_fn_{self.logical}_{next(_serial)}"
        spec = importlib.util.spec_from_file_location(name, self.module_path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        self.cold_starts += 1
        return module

    def _acquire(self) -> ModuleType:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._created < self.max_containers:
                self._created += 1
                try:
                    return self._new_container()
                except BaseException:
                    self._created -= 1
                    raise
        return self._idle.get()  # all busy: wait, as Lambda would throttle or queue

    def invoke(self, event: dict[str, Any], request_id: str | None = None) -> Any:
        container = self._acquire()
        outer, _running.function = current(), self.logical
        try:
            context = LambdaContext(
                function_name=self.logical, memory_limit_in_mb=self.memory,
                invoked_function_arn=f"arn:aws:lambda:local:123456789012:function:{self.logical}",
                aws_request_id=request_id or str(uuid.uuid4()), deadline=time.monotonic() + self.timeout)
            return getattr(container, self.attr)(event, context)
        finally:
            _running.function = outer
            self._idle.put(container)


class FunctionPool:
    def __init__(self, stack: Stack, max_containers: int = 4) -> None:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        self.functions = {name: Function(name, props, max_containers) for name, props in stack.functions().items()}

    def __getitem__(self, logical: str) -> Function:
        return self.functions[logical]

    def warm(self) -> None:
        """Import one container of each function now (fail fast on import errors)."""
        for fn in self.functions.values():
            fn._idle.put(fn._acquire())


def module_of(stack: Stack, logical: str) -> Path:
    props = stack.functions()[logical]
    module_file = props["Handler"].rpartition(".")[0]
    return (ROOT / props["CodeUri"] / f"{module_file}.py").resolve()
