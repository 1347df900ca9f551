"""The simulated reader's scripting: demo cards and FaultScript faults, and how the port's
monitor reports a reader that goes away and comes back."""

from __future__ import annotations

import threading

import pytest

from devices.base import FaultScript
from devices.smartcard.base import CardEvent, CardListener
from devices.smartcard.simulated import (
    SimulatedSmartCardReader,
    SimulatedSocialSecurityCard,
)
from kiosk.errors import ConfigError, DeviceError, DeviceOperationError, DeviceTimeoutError


class Events(CardListener):
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.errors: list[DeviceError] = []
        self.cond = threading.Condition()

    def _add(self, kind: str) -> None:
        with self.cond:
            self.seen.append(kind)
            self.cond.notify_all()

    def on_inserted(self, event: CardEvent) -> None:
        self._add("inserted")

    def on_removed(self, event: CardEvent) -> None:
        self._add("removed")

    def on_error(self, error: DeviceError) -> None:
        self.errors.append(error)
        self._add("error")

    def wait(self, count: int) -> list[str]:
        with self.cond:
            self.cond.wait_for(lambda: len(self.seen) >= count, 5)
            return list(self.seen)


def test_demo_cards_are_inserted_at_start() -> None:
    with SimulatedSmartCardReader(card="social_security") as reader:
        assert reader.read_social_security_card().name == "张三丰"
    with pytest.raises(ConfigError) as info:
        SimulatedSmartCardReader(card="bank")
    assert info.value.key == "devices.smartcard.options.card"


def test_an_unplugged_reader_is_reported_once_and_recovers() -> None:
    faults = FaultScript()
    reader = SimulatedSmartCardReader(card="social_security", faults=faults)
    reader.error_backoff_s = 0.05
    events = Events()
    reader.add_listener(events)
    reader.start_monitoring()
    try:
        assert events.wait(1) == ["inserted"]
        faults.unplug()
        assert events.wait(3) == ["inserted", "removed", "error"]
        assert events.errors[0].user_message.startswith("设备未连接")
        faults.replug()
        assert events.wait(4) == ["inserted", "removed", "error", "inserted"]
    finally:
        reader.close()
    assert not reader.monitoring


def test_a_reader_missing_at_start_up_is_picked_up_when_it_appears() -> None:
    faults = FaultScript()
    faults.unplug()
    reader = SimulatedSmartCardReader(card="staff", faults=faults)
    reader.error_backoff_s = 0.05
    events = Events()
    reader.add_listener(events)
    reader.start_monitoring()
    try:
        assert events.wait(1) == ["error"]
        faults.replug()
        assert events.wait(2) == ["error", "inserted"]
    finally:
        reader.close()


def test_a_failing_listener_does_not_stop_the_monitor() -> None:
    class Broken(CardListener):
        def on_inserted(self, event: CardEvent) -> None:
            raise RuntimeError("listener bug")

    reader = SimulatedSmartCardReader()
    events = Events()
    reader.add_listener(Broken())
    reader.add_listener(events)
    with reader:
        reader.start_monitoring()
        reader.insert(SimulatedSocialSecurityCard())
        assert events.wait(1) == ["inserted"]
        reader.remove()
        assert events.wait(2) == ["inserted", "removed"]
        reader.remove_listener(events)


def test_scripted_faults_reach_the_caller_as_device_errors() -> None:
    faults = FaultScript()
    with SimulatedSmartCardReader(card="social_security", faults=faults) as reader:
        faults.fail_next(DeviceOperationError("scripted"))
        with pytest.raises(DeviceOperationError, match="scripted"):
            reader.read_social_security_card()
        faults.go_silent()
        with pytest.raises(DeviceTimeoutError):
            reader.read_social_security_card()
        faults.go_silent(False)
        assert reader.read_social_security_card().id_number == "11010519491231002X"


def test_a_listener_may_close_the_reader_from_the_monitor_thread() -> None:
    reader = SimulatedSmartCardReader()
    closed = threading.Event()

    class Closer(CardListener):
        def on_inserted(self, event: CardEvent) -> None:
            reader.close()
            closed.set()

    reader.add_listener(Closer())
    reader.start_monitoring()
    reader.insert(SimulatedSocialSecurityCard())
    assert closed.wait(5)
    assert not reader.is_open and not reader.monitoring
