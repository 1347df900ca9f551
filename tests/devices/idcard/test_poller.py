"""The polling state machine: debounce, removal, re-insert, errors, redaction registration."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from devices.idcard.base import IdCardPoller
from devices.idcard.cards import IdCardData
from devices.idcard.protocol import CardReadError, SamFaultError
from devices.idcard.serial import SerialIdCardReader
from devices.idcard.simulated import SimulatedIdCardReader, sample_card
from kiosk.errors import DeviceError, DeviceUnavailableError
from tests.devices.idcard.conftest import FAST, TEST_VECTOR, is_registered
from tests.devices.idcard.emulator import FIND, READ_BASE, SELECT, Act, EmuCard, SamEmulator


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.changed = threading.Condition()

    def on_card(self, card: IdCardData) -> None:
        self._add("card", card)

    def on_removed(self) -> None:
        self._add("removed", None)

    def on_error(self, error: DeviceError) -> None:
        self._add("error", error)

    def _add(self, kind: str, value: object) -> None:
        with self.changed:
            self.events.append((kind, value))
            self.changed.notify_all()

    def kinds(self) -> list[str]:
        return [k for k, _ in self.events]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[str]:
        with self.changed:
            self.changed.wait_for(lambda: len(self.events) >= count, timeout)
        return self.kinds()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def poller(reader: SerialIdCardReader, rec: Recorder) -> Iterator[IdCardPoller]:
    p = IdCardPoller(reader, rec)
    yield p
    p.stop()


@pytest.mark.parametrize("halting", [True, False])
def test_a_card_left_on_the_reader_is_reported_once(halting: bool, rec: Recorder) -> None:
    with SamEmulator(halt_after_read=halting) as emu, \
            SerialIdCardReader(emu.path, **FAST) as reader:
        emu.place(EmuCard(text=TEST_VECTOR))
        poller = IdCardPoller(reader, rec)
        try:
            for _ in range(6):
                poller.poll_once()
        finally:
            poller.stop()
        assert rec.kinds() == ["card"]
        assert emu.count(READ_BASE) == (1 if halting else 6)


def test_removal_needs_consecutive_misses_and_reinsert_is_a_new_event(
        emulator: SamEmulator, poller: IdCardPoller, rec: Recorder) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    poller.poll_once()
    emulator.remove()
    poller.poll_once()
    assert rec.kinds() == ["card"]  # one miss is not a removal (card sliding, RF glitch)
    emulator.place(EmuCard(text=TEST_VECTOR))
    poller.poll_once()
    assert rec.kinds() == ["card"]  # back in time: the same card, no event, misses reset
    emulator.remove()
    poller.poll_once()
    poller.poll_once()
    assert rec.kinds() == ["card", "removed"] and poller.current is None
    poller.poll_once()
    assert rec.kinds() == ["card", "removed"]
    emulator.place(EmuCard(text=TEST_VECTOR))
    poller.poll_once()
    assert rec.kinds() == ["card", "removed", "card"]


def test_a_card_that_ignores_find_is_still_present_while_select_answers(
        emulator: SamEmulator, poller: IdCardPoller, rec: Recorder) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    for _ in range(5):
        poller.poll_once()
    assert rec.kinds() == ["card"] and poller.current is not None
    assert emulator.count(FIND) == 5 and emulator.count(SELECT) == 5
    assert emulator.count(READ_BASE) == 1


def test_a_card_read_before_the_poller_started_is_read_once(
        emulator: SamEmulator, reader: SerialIdCardReader, poller: IdCardPoller,
        rec: Recorder) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    assert reader.read_card() is not None  # e.g. by the previous run of the kiosk
    assert reader.find_card() is False
    for _ in range(3):
        poller.poll_once()
    assert rec.kinds() == ["card"]


def test_swapping_cards_reports_removal_then_the_new_card(
        emulator: SamEmulator, poller: IdCardPoller, rec: Recorder) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    poller.poll_once()
    emulator.place(sample_card("J"))  # fresh card: answers find
    poller.poll_once()
    assert rec.kinds() == ["card", "removed", "card"]
    cards = [c for k, c in rec.events if k == "card" and isinstance(c, IdCardData)]
    assert [c.card_type.value for c in cards] == ["resident", "J"]


def test_an_error_status_is_reported_once_then_the_card_is_read(
        emulator: SamEmulator, poller: IdCardPoller, rec: Recorder) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    emulator.on(READ_BASE, Act(status=0x41), Act(status=0x41), Act(status=0x41))
    for _ in range(4):
        poller.poll_once()
    assert rec.kinds() == ["error", "card"]  # the repeated 41 is not re-reported
    error = rec.events[0][1]
    assert isinstance(error, CardReadError) and "请重新放置身份证" in error.user_message
    emulator.on(FIND, Act(status=0x60))
    poller.poll_once()
    assert isinstance(rec.events[-1][1], SamFaultError)


def test_a_vanished_port_ends_the_card_and_is_reported(
        emulator: SamEmulator, poller: IdCardPoller, rec: Recorder) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    poller.poll_once()
    emulator.vanish()
    poller.poll_once()
    poller.poll_once()
    assert rec.kinds() == ["card", "removed", "error"]
    assert isinstance(rec.events[-1][1], DeviceUnavailableError)


def test_holder_data_is_registered_for_redaction_only_while_the_card_is_current(
        emulator: SamEmulator, poller: IdCardPoller, rec: Recorder) -> None:
    assert not is_registered("张三")
    emulator.place(EmuCard(text=TEST_VECTOR))
    poller.poll_once()
    assert is_registered("张三") and is_registered("北京市朝阳区某街道1号")
    emulator.remove()
    poller.poll_once()
    poller.poll_once()
    assert not is_registered("张三")
    emulator.place(EmuCard(text=TEST_VECTOR))
    poller.poll_once()
    assert is_registered("张三")
    poller.stop()  # stopping forgets the card too
    assert not is_registered("张三")


def test_runs_on_its_own_thread_and_recovers_after_errors(rec: Recorder) -> None:
    reader = SimulatedIdCardReader(poll_interval_s=0.01)
    with reader:
        poller = reader.start_polling(rec)
        assert poller.running
        reader.place("resident")
        assert rec.wait_for(1) == ["card"]
        reader.faults.unplug()
        assert rec.wait_for(3) == ["card", "removed", "error"]
        reader.faults.replug()
        assert rec.wait_for(4) == ["card", "removed", "error", "card"]
        reader.remove()
        assert rec.wait_for(5)[-1] == "removed"
    assert not poller.running  # close() stopped it


def test_listener_exceptions_do_not_stop_polling() -> None:
    class Broken(Recorder):
        def on_card(self, card: IdCardData) -> None:
            super().on_card(card)
            raise RuntimeError("UI bug")

    rec = Broken()
    reader = SimulatedIdCardReader(card="J", halt_after_read=False)
    with reader:
        poller = IdCardPoller(reader, rec)
        poller.poll_once()
        reader.place("Y")
        poller.poll_once()
        poller.stop()
    assert rec.kinds() == ["card", "removed", "card"]


def test_stop_from_a_listener_callback_is_refused_not_deadlocked() -> None:
    outcome: list[BaseException] = []

    class Stopper(Recorder):
        poller: IdCardPoller

        def on_card(self, card: IdCardData) -> None:
            try:
                self.poller.stop()
            except RuntimeError as err:
                outcome.append(err)
            super().on_card(card)

    rec = Stopper()
    reader = SimulatedIdCardReader(card="resident", poll_interval_s=0.01)
    with reader:
        rec.poller = IdCardPoller(reader, rec)
        rec.poller.start()
        rec.wait_for(1)
        rec.poller.stop()
    assert outcome and "own thread" in str(outcome[0])
