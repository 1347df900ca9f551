"""Names and numbers read from a card never reach the logs, even at DEBUG."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from devices.idcard import diag
from devices.idcard.base import IdCardPoller
from devices.idcard.serial import SerialIdCardReader
from devices.idcard.simulated import sample_card
from kiosk.logsetup import LOG_FILE_NAME, configure_logging, shutdown_logging
from tests.devices.idcard.conftest import FAST, TEST_VECTOR
from tests.devices.idcard.emulator import READ_BASE, Act, EmuCard, SamEmulator

SECRETS = ("张三", "11010519491231002X", "北京市朝阳区某街道1号", "陈大文", "H12345678",
           "81000019920506", "广东省深圳市福田区福华路1号")


class Listener:
    def __init__(self) -> None:
        self.cards: list[object] = []

    def on_card(self, card: object) -> None:
        logging.getLogger("ui.bridge").info("card read: %r", card)  # what a careless UI logs
        self.cards.append(card)

    def on_removed(self) -> None:
        pass

    def on_error(self, error: object) -> None:
        logging.getLogger("ui.bridge").warning("reader error: %s", error)


def test_a_debug_log_of_reads_polls_errors_and_diag_holds_no_personal_data(
        tmp_path: Path, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    configure_logging(tmp_path, "DEBUG", console=False)
    try:
        with SamEmulator() as emu, SerialIdCardReader(emu.path, **FAST) as reader:
            emu.place(EmuCard(text=TEST_VECTOR))
            emu.on(READ_BASE, Act(bad_xor=True), Act(status=0x41))
            listener = Listener()
            poller = IdCardPoller(reader, listener)
            try:
                for _ in range(3):
                    poller.poll_once()
                emu.place(sample_card("J"))
                poller.poll_once()
            finally:
                poller.stop()
            assert len(listener.cards) == 2
            emu.remove()
            emu.place(EmuCard(text=TEST_VECTOR))
            card = reader.read_card()
            logging.getLogger("test").debug("direct read %s / %r", card, card)
            assert diag.run(["--port", emu.path, "--wait", "0"]) == 0
            capsys.readouterr()
    finally:
        shutdown_logging()
    text = (tmp_path / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "read resident card" in text and "read_base" in text  # the log is not empty
    for secret in SECRETS:
        assert secret not in text
        assert secret not in caplog.text  # not even before the redacting filter
