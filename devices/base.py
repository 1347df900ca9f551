"""What every device adapter shares: lifetime, description, self-test, faults, workers.

The model is python-can's bus: a small abstract port per device kind (``IdCardReader``,
``SmartCardReader``, ``Camera``, ``ReceiptPrinter`` in ``devices/<kind>/base.py``) whose
*public* methods own timeouts, retries, logging and normalisation into our dataclasses,
while a backend implements only small private hooks (``_open``, ``_close``, ``_read_raw``
…). Every backend

* is a context manager; ``open()`` is idempotent and ``close()`` is idempotent and safe
  from any state (a yanked cable included);
* has a human-readable ``str()`` ("串口身份证阅读器 /dev/ttyUSB0");
* can ``describe()`` itself (a JSON-able dict for maintenance and ``diag``) and run
  ``self_test()`` (a ``SelfTestResult`` with a Chinese summary and per-check details);
* raises only our ``DeviceError`` family (``kiosk/errors.py``), wrapping vendor
  exceptions at this boundary with ``raise … from err``.

Simulated backends take a ``FaultScript`` (OctoPrint's virtual printer style) so tests
and demos can script ``fail_next``, ``unplug``, ``go_silent`` and ``delay``.

Long-lived devices (card readers) are polled by one ``DeviceWorker`` each: a plain thread
with a short-timeout loop and a stop flag, reporting through listener callbacks that
``ui/bridge.py`` turns into queued Qt signals.
"""

from __future__ import annotations

import abc
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar, Self

from kiosk.errors import DeviceError, DeviceTimeoutError, DeviceUnavailableError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SelfTestResult:
    ok: bool
    summary_zh: str
    checks: Mapping[str, str] = field(default_factory=dict)  # check name → "ok" or a reason
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "summary_zh": self.summary_zh, "checks": dict(self.checks),
                "detail": self.detail}


class Device(abc.ABC):
    """Base of every backend. Subclasses set ``kind``, ``backend`` and ``label_zh``."""

    kind: ClassVar[str] = ""
    backend: ClassVar[str] = ""
    label_zh: ClassVar[str] = "设备"

    def __init__(self) -> None:
        self._opened = False
        self._lifecycle = threading.RLock()

    # -- lifetime ----------------------------------------------------------------------------
    def open(self) -> None:
        with self._lifecycle:
            if self._opened:
                return
            self._open()
            self._opened = True
            log.info("%s opened", self)

    def close(self) -> None:
        with self._lifecycle:
            if not self._opened:
                return
            self._opened = False
            try:
                self._close()
            except Exception as err:  # closing must never raise: the device may be gone
                log.warning("%s: error while closing ignored: %s", self, err)
            log.info("%s closed", self)

    @property
    def is_open(self) -> bool:
        return self._opened

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __str__(self) -> str:
        where = self.location()
        return f"{self.label_zh} {where}".strip()

    # -- maintenance ------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "backend": self.backend, "name": str(self),
                "location": self.location(), "open": self._opened}

    def self_test(self) -> SelfTestResult:
        """Default: can it be opened? Backends add protocol-level checks."""
        try:
            self.open()
        except DeviceError as err:
            return SelfTestResult(False, f"{self.label_zh}无法打开：{err.user_message}",
                                  {"open": err.detail}, err.detail)
        return SelfTestResult(True, f"{self.label_zh}正常", {"open": "ok"})

    # -- hooks ----------------------------------------------------------------------------
    def location(self) -> str:
        """Where the device is (port, reader name, index); empty for simulated ones."""
        return ""

    @abc.abstractmethod
    def _open(self) -> None: ...

    @abc.abstractmethod
    def _close(self) -> None: ...


class FaultScript:
    """Scriptable faults for simulated devices. Thread-safe; ``check()`` is called by the
    simulated backend before each operation and raises or delays as scripted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: list[DeviceError] = []
        self.unplugged = False
        self.silent = False
        self.delay_s = 0.0

    def fail_next(self, error: DeviceError | None = None, times: int = 1) -> None:
        with self._lock:
            self._next.extend([error or DeviceError("scripted failure")] * times)

    def unplug(self) -> None:
        self.unplugged = True

    def replug(self) -> None:
        self.unplugged = False

    def go_silent(self, on: bool = True) -> None:
        self.silent = on

    def delay(self, seconds: float) -> None:
        self.delay_s = max(0.0, seconds)

    def check(self, operation: str, *, timeout_s: float = 1.0) -> None:
        if self.unplugged:
            raise DeviceUnavailableError(f"{operation}: device unplugged (simulated)")
        if self.silent:
            time.sleep(min(timeout_s, 0.05))
            raise DeviceTimeoutError(f"{operation}: no answer (simulated)")
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._lock:
            if self._next:
                raise self._next.pop(0)


class DeviceWorker:
    """Polls a long-lived device on its own thread: ``poll()`` is called every
    ``interval_s`` until ``stop()``; an exception from it goes to ``on_error`` and the loop
    goes on (a reader that was unplugged is polled again until it comes back)."""

    def __init__(self, name: str, poll: Callable[[], None], *, interval_s: float = 0.3,
                 on_error: Callable[[Exception], None] | None = None) -> None:
        self.name = name
        self._poll = poll
        self._interval = interval_s
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling. Safe from a listener running on the worker's own thread: the
        loop then ends after the current poll instead of joining itself."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._poll()
            except Exception as err:  # report and keep polling
                if self._on_error is not None:
                    self._on_error(err)
                else:
                    log.warning("%s: %s", self.name, err)
            self._stop.wait(self._interval)
