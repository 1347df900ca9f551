"""Fixtures: a SAM emulator on a pty pair and a real ``SerialIdCardReader`` opened on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import pytest

from devices.idcard.serial import SerialIdCardReader
from kiosk.redaction import redact
from tests.devices.idcard.emulator import SamEmulator

# reference/devices.md §A.10: 张三 / 1 / 01 / 19491231 / 北京市朝阳区某街道1号 /
# 11010519491231002X / 北京市公安局朝阳分局 / 20200101 / 20400101, space padded.
TEST_VECTOR_HEX = (
    "205f094e20002000200020002000200020002000200020002000200020003100300031003100390034003900"
    "31003200330031001753ac4e025e1d6733963a53d067578853903100f7532000200020002000200020002000"
    "2000200020002000200020002000200020002000200020002000200020002000200031003100300031003000"
    "35003100390034003900310032003300310030003000320058001753ac4e025e6c51895b405c1d6733960652"
    "405c200020002000200020003200300032003000300031003000310032003000340030003000310030003100"
    "200020002000200020002000200020002000200020002000200020002000200020002000"
)
TEST_VECTOR = bytes.fromhex(TEST_VECTOR_HEX)

class Timing(TypedDict):
    timeout_s: float
    read_timeout_s: float
    poll_interval_s: float


# Short enough to keep the timeout tests quick, long enough for a busy 2-core machine.
FAST: Timing = {"timeout_s": 0.5, "read_timeout_s": 1.0, "poll_interval_s": 0.02}


@pytest.fixture
def emulator() -> Iterator[SamEmulator]:
    with SamEmulator() as emu:
        yield emu


@pytest.fixture
def reader(emulator: SamEmulator) -> Iterator[SerialIdCardReader]:
    dev = SerialIdCardReader(emulator.path, **FAST)
    with dev:
        yield dev


def is_registered(value: str) -> bool:
    """Whether ``kiosk.redaction`` currently masks ``value`` as a registered value."""
    return redact(f"x {value} x") != f"x {value} x"


ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _no_registered_holders() -> Iterator[None]:
    """Every test must leave the redaction registry as it found it (no card still 'current')."""
    yield
    leaked = [n for n in ("张三", "李华", "欧阳秀英", "陈大文", "约翰", "玛丽") if is_registered(n)]
    assert not leaked, f"holder names still registered for redaction: {leaked}"
