"""One contract for the IdCardReader port, run against every backend that runs here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import pytest

from devices.idcard.base import IdCardReader
from devices.idcard.cards import IdCardData
from devices.idcard.protocol import CardReadError, Command, SamFaultError
from devices.idcard.serial import SerialIdCardReader
from devices.idcard.simulated import SimulatedIdCardReader, sample_card
from kiosk.errors import DeviceTimeoutError, DeviceUnavailableError
from tests.devices.idcard.conftest import FAST
from tests.devices.idcard.emulator import Act, SamEmulator


class Rig(Protocol):
    @property
    def reader(self) -> IdCardReader: ...

    def place(self, card: IdCardData) -> None: ...
    def remove(self) -> None: ...
    def fail(self, command: Command, sw3: int) -> None: ...
    def silence(self, command: Command) -> None: ...


@dataclass
class SerialRig:
    reader: SerialIdCardReader
    emu: SamEmulator

    def place(self, card: IdCardData) -> None:
        self.emu.place(card)

    def remove(self) -> None:
        self.emu.remove()

    def fail(self, command: Command, sw3: int) -> None:
        self.emu.on(command.value, Act(status=sw3))

    def silence(self, command: Command) -> None:
        self.emu.on(command.value, Act(silent=True))


@dataclass
class SimulatedRig:
    reader: SimulatedIdCardReader

    def place(self, card: IdCardData) -> None:
        self.reader.place(card)

    def remove(self) -> None:
        self.reader.remove()

    def fail(self, command: Command, sw3: int) -> None:
        self.reader.script_status(command, sw3)

    def silence(self, command: Command) -> None:
        self.reader.faults.go_silent()


@pytest.fixture(params=["serial", "simulated"])
def rig(request: pytest.FixtureRequest) -> Iterator[Rig]:
    if request.param == "serial":
        with SamEmulator() as emu, SerialIdCardReader(emu.path, **FAST) as reader:
            yield SerialRig(reader, emu)
    else:
        with SimulatedIdCardReader(**FAST) as sim:
            yield SimulatedRig(sim)


class TestIdCardReaderContract:
    def test_status_and_sam_id(self, rig: Rig) -> None:
        rig.reader.status()
        sam = rig.reader.sam_id()
        assert len(sam) == 32 and int(sam, 16) >= 0
        assert rig.reader.describe()["sam_id"] == sam
        assert rig.reader.self_test().ok

    @pytest.mark.parametrize("kind", ["resident", "resident_long_term", "J", "I", "Y"])
    def test_reads_what_was_placed(self, rig: Rig, kind: str) -> None:
        card = sample_card(kind)
        rig.place(card)
        got = rig.reader.read_card()
        assert got is not None
        assert got.as_dict() | {"photo_wlt_bytes": 0} == card.as_dict()

    def test_no_card(self, rig: Rig) -> None:
        assert rig.reader.find_card() is False
        assert rig.reader.read_card() is None
        rig.place(sample_card())
        assert rig.reader.find_card() is True
        rig.remove()
        assert rig.reader.select_card() is False

    def test_typed_status_errors(self, rig: Rig) -> None:
        rig.place(sample_card())
        rig.fail(Command.READ_BASE, 0x41)
        with pytest.raises(CardReadError):
            rig.reader.read_card()
        rig.fail(Command.STATUS, 0x60)
        with pytest.raises(SamFaultError):
            rig.reader.status()

    def test_silence_is_a_timeout(self, rig: Rig) -> None:
        rig.silence(Command.FIND)
        with pytest.raises(DeviceTimeoutError):
            rig.reader.find_card()

    def test_close_is_idempotent_and_calls_after_close_are_unavailable(self, rig: Rig) -> None:
        rig.reader.close()
        rig.reader.close()
        assert not rig.reader.is_open
        with pytest.raises(DeviceUnavailableError):
            rig.reader.status()
        assert "身份证阅读器" in str(rig.reader)
