"""Real-time status and print outcomes against a fake network printer on loopback."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from devices.base import FaultScript
from devices.registry import create
from kiosk.errors import ConfigError, DeviceUnavailableError
from printing.escpos import (
    STATUS_TABLES,
    FileEscposPrinter,
    NetworkEscposPrinter,
    ReceiptPrinter,
    SerialEscposPrinter,
    SimulatedReceiptPrinter,
    UsbEscposPrinter,
    decode_status,
)
from printing.model import PrinterState, PrintResult
from tests.printing.conftest import PROVISIONAL, MakeData
from tests.printing.escpos_decoder import decode
from tests.printing.fake_printer import SILENT, FakeNetworkPrinter

FAST = {"timeout_s": 0.3, "settle_s": 0.05}


@pytest.mark.parametrize("table, state", [
    ({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}, PrinterState.PAPER_OK),
    ({1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12}, PrinterState.PAPER_OK),  # drawer pin high
    ({1: 0x1A, 2: 0x12, 3: 0x12, 4: 0x12}, PrinterState.OFFLINE),  # n=1 bit 3
    ({1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12}, PrinterState.COVER_OPEN),  # n=2 bit 2
    ({1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x12}, PrinterState.PAPER_END),  # n=2 bit 5
    ({1: 0x1A, 2: 0x52, 3: 0x12, 4: 0x12}, PrinterState.OFFLINE),  # n=2 bit 6 error
    ({1: 0x1A, 2: 0x52, 3: 0x16, 4: 0x12}, PrinterState.OFFLINE),  # n=3 bit 2
    ({1: 0x1A, 2: 0x52, 3: 0x1A, 4: 0x12}, PrinterState.OFFLINE),  # n=3 bit 3 cutter
    ({1: 0x1A, 2: 0x52, 3: 0x32, 4: 0x12}, PrinterState.OFFLINE),  # n=3 bit 5
    ({1: 0x12, 2: 0x12, 3: 0x52, 4: 0x12}, PrinterState.OFFLINE),  # n=3 bit 6 overheat
    ({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E}, PrinterState.NEAR_END),  # n=4 bits 2+3
    ({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x72}, PrinterState.PAPER_END),  # n=4 bits 5+6
    ({1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E}, PrinterState.PAPER_END),
])
def test_each_status_bit_maps_to_a_state(table: dict[int, int], state: PrinterState) -> None:
    assert decode_status(table).state is state
    with FakeNetworkPrinter(table) as fp, \
            NetworkEscposPrinter(fp.host, fp.port, timeout_s=0.5) as printer:
        st = printer.status()
        assert st.state is state
        assert dict(st.raw) == table
        assert fp.queries == [1, 2, 3, 4]


def test_silent_printer_is_unknown_within_the_timeout() -> None:
    with FakeNetworkPrinter(SILENT) as fp, \
            NetworkEscposPrinter(fp.host, fp.port, timeout_s=0.3) as printer:
        t0 = time.monotonic()
        st = printer.status()
        elapsed = time.monotonic() - t0
    assert st.state is PrinterState.UNKNOWN and not st.can_print
    assert "no answer to DLE EOT 1" in st.detail
    assert elapsed < 1.5  # one timeout, not four


def test_garbage_reply_is_unknown_not_ok() -> None:
    with FakeNetworkPrinter({1: 0x00, 2: 0x00, 3: 0x00, 4: 0x00}) as fp, \
            NetworkEscposPrinter(fp.host, fp.port, timeout_s=0.3) as printer:
        assert printer.status().state is PrinterState.UNKNOWN


def test_unreachable_printer_is_offline() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connection refused
        printer = NetworkEscposPrinter("127.0.0.1", port, timeout_s=0.3)
        st = printer.status()
    assert st.state is PrinterState.OFFLINE and "cannot connect" in st.detail
    printer.close()


def test_receipt_prints_when_ready(make_data: MakeData, fake_printer: FakeNetworkPrinter) -> None:
    with NetworkEscposPrinter(fake_printer.host, fake_printer.port, **FAST) as printer:
        outcome = printer.print_receipt(make_data())
    assert outcome.result is PrintResult.PRINTED and outcome.fallback == ()
    assert outcome.number == PROVISIONAL and outcome.bytes_sent == len(fake_printer.received)
    slip = decode(bytes(fake_printer.received))
    assert f"临时受理编号：{PROVISIONAL}" in slip.lines and slip.cuts


def test_paper_end_before_job_sends_nothing_and_offers_fallbacks(
        make_data: MakeData) -> None:
    with FakeNetworkPrinter("paper_end") as fp, \
            NetworkEscposPrinter(fp.host, fp.port, **FAST) as printer:
        outcome = printer.print_receipt(make_data())
        assert fp.received == b""
    assert outcome.result is PrintResult.NOT_PRINTED and not outcome.printed
    assert outcome.status_before.state is PrinterState.PAPER_END
    assert outcome.fallback == ("a4_notice", "screen_qr")
    assert outcome.qr_payload == PROVISIONAL and outcome.number == PROVISIONAL
    assert "A4" in outcome.message_zh and "二维码" in outcome.message_zh


def test_paper_running_out_during_the_job_means_check_with_the_citizen(
        make_data: MakeData) -> None:
    with FakeNetworkPrinter("paper_ok") as fp, \
            NetworkEscposPrinter(fp.host, fp.port, **FAST) as printer:
        fp.set_after_job("paper_end")
        outcome = printer.print_receipt(make_data())
        assert fp.received  # the job went out
    assert outcome.result is PrintResult.UNCERTAIN and outcome.check_with_citizen
    assert outcome.status_before.state is PrinterState.PAPER_OK
    assert outcome.status_after is not None
    assert outcome.status_after.state is PrinterState.PAPER_END
    assert outcome.fallback == ("a4_notice", "screen_qr")
    assert "确认" in outcome.message_zh


def test_silent_printer_gets_no_job(make_data: MakeData) -> None:
    with FakeNetworkPrinter(SILENT) as fp, \
            NetworkEscposPrinter(fp.host, fp.port, timeout_s=0.2, settle_s=0) as printer:
        outcome = printer.print_receipt(make_data())
        assert fp.received == b""
    assert outcome.result is PrintResult.NOT_PRINTED
    assert outcome.status_before.state is PrinterState.UNKNOWN


def test_near_end_still_prints_and_flags_low_paper(make_data: MakeData) -> None:
    with FakeNetworkPrinter("near_end") as fp, \
            NetworkEscposPrinter(fp.host, fp.port, **FAST) as printer:
        outcome = printer.print_receipt(make_data())
    assert outcome.printed and outcome.paper_low


def test_serial_backend_over_a_pyserial_url(make_data: MakeData,
                                            fake_printer: FakeNetworkPrinter) -> None:
    url = f"socket://{fake_printer.host}:{fake_printer.port}"
    with SerialEscposPrinter(url, timeout_s=0.5, settle_s=0.05) as printer:
        assert printer.status().state is PrinterState.PAPER_OK
        outcome = printer.print_receipt(make_data())
    assert outcome.printed
    assert decode(bytes(fake_printer.received)).qr_codes[0].data == PROVISIONAL


def test_serial_backend_missing_port_is_offline() -> None:
    printer = SerialEscposPrinter("/dev/nonexistent-printer", timeout_s=0.1)
    assert printer.status().state is PrinterState.OFFLINE
    with pytest.raises(DeviceUnavailableError):
        printer.open()


def test_file_backend_cannot_read_status_so_jobs_are_uncertain(make_data: MakeData,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    with FileEscposPrinter(str(out)) as printer:
        assert printer.status().state is PrinterState.UNKNOWN
        outcome = printer.print_receipt(make_data())
        test = printer.self_test()
    assert outcome.result is PrintResult.UNCERTAIN and outcome.fallback
    assert outcome.bytes_sent == out.stat().st_size
    assert decode(out.read_bytes()).cuts
    assert test.ok and "无法读取" in test.summary_zh


def test_usb_backend_without_pyusb_or_device_is_unavailable() -> None:
    printer = UsbEscposPrinter("0416", "5011", timeout_s=0.1)
    assert printer.location() == "usb://0416:5011"
    assert printer.status().state is PrinterState.OFFLINE
    with pytest.raises(DeviceUnavailableError):
        printer.open()


def test_simulated_printer_scripts_status_and_faults(make_data: MakeData) -> None:
    faults = FaultScript()
    with SimulatedReceiptPrinter(faults=faults) as printer:
        for name in STATUS_TABLES:
            printer.set_status(name)
            assert printer.status().state.value == ("offline" if name == "error" else name)
        printer.set_status("paper_ok")
        faults.go_silent()
        assert printer.status().state is PrinterState.UNKNOWN
        faults.go_silent(False)
        printer.set_status_after_job("cover_open")
        outcome = printer.print_receipt(make_data())
        assert outcome.result is PrintResult.UNCERTAIN
        assert outcome.status_after and outcome.status_after.state is PrinterState.COVER_OPEN
        assert len(printer.jobs) == 1
        printer.set_status("paper_ok")
        faults.unplug()
        assert printer.status().state is PrinterState.OFFLINE
        assert printer.self_test().ok is False


def test_registry_builds_every_receipt_backend(tmp_path: Path) -> None:
    made: list[ReceiptPrinter] = [
        create("receipt_printer", "escpos_network", host="127.0.0.1", port=9, timeout_s=0.1),
        create("receipt_printer", "escpos_serial", port="loop://", baudrate=9600),
        create("receipt_printer", "escpos_usb", vendor_id="0416", product_id="5011"),
        create("receipt_printer", "escpos_file", path=str(tmp_path / "x")),
        create("receipt_printer", "simulated", paper_width_mm=58, qr_mode="raster"),
    ]
    for p in made:
        d = p.describe()
        assert d["kind"] == "receipt_printer" and str(p).startswith("回执打印机")
        p.close()
    with pytest.raises(ConfigError, match="paper_width_mm"):
        create("receipt_printer", "simulated", paper_width_mm=76)
    with pytest.raises(ConfigError, match="colour"):
        create("receipt_printer", "escpos_file", path="x", colour=True)


def test_loopback_serial_echo_is_not_mistaken_for_status() -> None:
    """loop:// echoes our own 10 04 01: 0x10 is an implausible status byte → UNKNOWN."""
    with SerialEscposPrinter("loop://", timeout_s=0.1) as printer:
        assert printer.status().state is PrinterState.UNKNOWN


def test_clone_without_status_support_can_be_allowed_to_print(make_data: MakeData) -> None:
    with FakeNetworkPrinter(SILENT) as fp, \
            NetworkEscposPrinter(fp.host, fp.port, timeout_s=0.2, settle_s=0,
                                 print_when_status_unknown=True) as printer:
        outcome = printer.print_receipt(make_data())
        assert fp.received
    assert outcome.result is PrintResult.UNCERTAIN and outcome.fallback
