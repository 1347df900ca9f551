from __future__ import annotations

import json
from pathlib import Path

import pytest

from printing.diag import parse_port, run
from tests.printing.escpos_decoder import decode
from tests.printing.fake_printer import SILENT, FakeNetworkPrinter


@pytest.mark.parametrize("url, backend, options", [
    ("/dev/ttyS1", "escpos_serial", {"port": "/dev/ttyS1"}),
    ("COM3", "escpos_serial", {"port": "COM3"}),
    ("serial:///dev/ttyS0?baudrate=19200&rtscts=1", "escpos_serial",
     {"port": "/dev/ttyS0", "baudrate": 19200, "rtscts": True}),
    ("socket://127.0.0.1:7000", "escpos_serial", {"port": "socket://127.0.0.1:7000"}),
    ("tcp://127.0.0.1", "escpos_network", {"host": "127.0.0.1", "port": 9100}),
    ("tcp://127.0.0.1:9101", "escpos_network", {"host": "127.0.0.1", "port": 9101}),
    ("file:///dev/usb/lp0", "escpos_file", {"path": "/dev/usb/lp0"}),
    ("usb://0416:5011", "escpos_usb", {"vendor_id": 0x0416, "product_id": 0x5011}),
    ("sim://?status=paper_end", "simulated", {"status": "paper_end"}),
])
def test_port_urls(url: str, backend: str, options: dict[str, object]) -> None:
    assert parse_port(url) == (backend, options)


def test_status_of_a_network_printer(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeNetworkPrinter("near_end") as fp:
        code = run(["--port", fp.url, "--status", "--timeout", "0.5"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["backend"] == "escpos_network"
    assert report["status"]["state"] == "near_end" and report["status"]["raw"]["4"] == "0x1E"
    assert report["self_test"]["ok"] is True


def test_silent_printer_reports_unknown_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeNetworkPrinter(SILENT) as fp:
        code = run(["--port", fp.url, "--timeout", "0.2"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["status"]["state"] == "unknown"


def test_test_page_on_58mm(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeNetworkPrinter() as fp:
        code = run(["--port", fp.url, "--test-page", "--paper", "58", "--timeout", "0.5"])
        page = decode(bytes(fp.received))
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["test_page"]["result"] == "printed"
    assert "打印机自检页" in page.lines and report["device"]["columns"] == 32


def test_file_port_test_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "lp0"
    code = run(["--port", f"file://{out}", "--test-page"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["status"]["state"] == "unknown"
    assert report["test_page"]["result"] == "uncertain" and decode(out.read_bytes()).cuts


def test_bad_port_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--port", "ftp://x"]) == 2
    assert "unknown port scheme" in json.loads(capsys.readouterr().out)["error"]
    assert run([]) == 2
