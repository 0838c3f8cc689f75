"""Warm "containers" for each declared function, as Lambda keeps them.

A container is one import of the function's handler module; it serves one invocation at a
time, like a Lambda execution environment. Concurrent invocations get more containers (up
to a limit), each created once and reused, so module-level state behaves as it does on AWS.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from schemas.declaration import Function

from .moto_server import ACCOUNT_ID, REGION

MAX_CONTAINERS_PER_FUNCTION = 16


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str
    started: float

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.started + self.timeout_seconds - time.monotonic()) * 1000))


class _Container:
    def __init__(self, function: Function, module: ModuleType) -> None:
        self.handler: Callable[[dict[str, Any], Any], Any] = getattr(module, function.attribute)
        self.busy = threading.Lock()


class FunctionPool:
    _copies = itertools.count(1)

    def __init__(self, function: Function) -> None:
        self.function = function
        self._containers: list[_Container] = []
        self._guard = threading.Lock()
        #: Signalled when a container is given back: a request waiting for one wakes at once
        #: (no polling: 32 waiting clients polling every few ms burned the CPU they waited for).
        self._released = threading.Condition(self._guard)
        self.invocations = 0

    def _load(self) -> ModuleType:
        if not self._containers:
            return importlib.import_module(self.function.module)
        # A further container: execute the handler module afresh under its own name.
        spec = importlib.util.find_spec(self.function.module)
        assert spec and spec.loader and spec.origin
        name = f"{self.function.module}__container{next(self._copies)}"
        copy_spec = importlib.util.spec_from_file_location(name, spec.origin)
        assert copy_spec and copy_spec.loader
        module = importlib.util.module_from_spec(copy_spec)
        sys.modules[name] = module
        copy_spec.loader.exec_module(module)
        return module

    def _acquire(self) -> _Container:
        with self._released:
            while True:
                for container in self._containers:
                    if container.busy.acquire(blocking=False):
                        return container
                if len(self._containers) < MAX_CONTAINERS_PER_FUNCTION:
                    container = _Container(self.function, self._load())
                    container.busy.acquire()
                    self._containers.append(container)
                    return container
                self._released.wait(timeout=1.0)  # the timeout only guards against a lost wake-up

    def _release(self, container: _Container) -> None:
        with self._released:
            container.busy.release()
            self._released.notify()

    def warm(self) -> None:
        """Create the first container now (like provisioned concurrency): import errors
        surface at start, not on the first request."""
        self._release(self._acquire())

    def invoke(self, event: dict[str, Any]) -> Any:
        container = self._acquire()
        try:
            self.invocations += 1
            context = LambdaContext(
                function_name=self.function.name,
                memory_limit_in_mb=self.function.memory_mb,
                timeout_seconds=self.function.timeout_seconds,
                aws_request_id=str(uuid.uuid4()),
                started=time.monotonic(),
            )
            return container.handler(event, context)
        finally:
            self._release(container)

    @property
    def containers(self) -> int:
        return len(self._containers)
