from __future__ import annotations

import threading
from typing import Any

import pytest

from devices import registry
from devices.base import Device, DeviceWorker, FaultScript
from kiosk.errors import ConfigError, DeviceError, DeviceTimeoutError, DeviceUnavailableError


class FakeDevice(Device):
    kind = "test"
    backend = "fake"
    label_zh = "测试设备"

    def __init__(self, port: str = "/dev/null", fail_open: bool = False) -> None:
        super().__init__()
        self.port = port
        self.fail_open = fail_open
        self.opens = self.closes = 0

    def location(self) -> str:
        return self.port

    def _open(self) -> None:
        if self.fail_open:
            raise DeviceUnavailableError("no such port")
        self.opens += 1

    def _close(self) -> None:
        self.closes += 1
        raise OSError("cable already gone")


def test_open_and_close_are_idempotent_and_close_never_raises() -> None:
    dev = FakeDevice()
    with dev:
        dev.open()
        assert dev.is_open and dev.opens == 1
    dev.close()
    assert not dev.is_open and dev.closes == 1
    assert str(dev) == "测试设备 /dev/null"
    assert dev.describe()["location"] == "/dev/null"


def test_self_test_reports_a_device_that_does_not_open() -> None:
    result = FakeDevice(fail_open=True).self_test()
    assert not result.ok and "无法打开" in result.summary_zh
    assert FakeDevice().self_test().ok


def test_fault_script_fails_next_unplugs_and_goes_silent() -> None:
    faults = FaultScript()
    faults.fail_next(DeviceError("boom"), times=2)
    for _ in range(2):
        with pytest.raises(DeviceError, match="boom"):
            faults.check("read")
    faults.check("read")
    faults.unplug()
    with pytest.raises(DeviceUnavailableError):
        faults.check("read")
    faults.replug()
    faults.go_silent()
    with pytest.raises(DeviceTimeoutError):
        faults.check("read", timeout_s=0.01)


def test_worker_keeps_polling_after_errors_and_stops() -> None:
    calls: list[int] = []
    errors: list[Exception] = []
    done = threading.Event()

    def poll() -> None:
        calls.append(1)
        if len(calls) == 2:
            raise DeviceError("transient")
        if len(calls) >= 4:
            done.set()

    worker = DeviceWorker("test-poll", poll, interval_s=0.001, on_error=errors.append)
    worker.start()
    assert done.wait(5)
    worker.stop()
    assert not worker.running and len(errors) == 1


def test_registry_rejects_unknown_backends_and_options(monkeypatch: Any) -> None:
    with pytest.raises(ConfigError) as info:
        registry.create("idcard", "telepathy")
    assert info.value.key == "devices.idcard.backend"
    monkeypatch.setitem(registry.BACKENDS, "test", {"fake": "tests.devices.test_base:FakeDevice",
                                                    "gone": "no.such.module:Thing"})
    dev = registry.create("test", "fake", port="/dev/ttyS9")
    assert isinstance(dev, FakeDevice) and dev.port == "/dev/ttyS9"
    with pytest.raises(ConfigError) as info:
        registry.create("test", "fake", baud=9600)
    assert info.value.key == "devices.test.options.baud"
    with pytest.raises(DeviceUnavailableError):
        registry.create("test", "gone")
