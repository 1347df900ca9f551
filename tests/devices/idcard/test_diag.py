"""``kiosk diag idcard`` against the emulator through a pty."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from devices.idcard import diag
from kiosk.cli import run_diag
from tests.devices.idcard.conftest import ROOT, TEST_VECTOR
from tests.devices.idcard.emulator import STATUS, Act, EmuCard, SamEmulator


def test_prints_masked_json_by_default(emulator: SamEmulator,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    assert run_diag("idcard", ["--port", emulator.path, "--wait", "1"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out)
    assert report["status"] == "ok" and report["sam_id"] == bytes(range(16)).hex()
    assert report["device"]["port"] == emulator.path and report["device"]["baudrate"] == 115200
    card = report["card"]
    assert report["masked"] is True
    assert card["name"] == "张*" and card["id_number"] == "110***********002X"
    assert "张三" not in out and "11010519491231002X" not in out and "某街道" not in out


def test_show_personal_prints_full_values(emulator: SamEmulator,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    assert diag.run(["--port", emulator.path, "--show-personal", "--wait", "0"]) == 0
    card = json.loads(capsys.readouterr().out)["card"]
    assert card["name"] == "张三" and card["id_number"] == "11010519491231002X"


def test_no_card_and_reader_errors_have_their_own_exit_codes(
        emulator: SamEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert diag.run(["--port", emulator.path, "--wait", "0.1"]) == diag.EXIT_NO_CARD
    assert json.loads(capsys.readouterr().out)["card"] is None
    emulator.on(STATUS, Act(status=0x66))
    assert diag.run(["--port", emulator.path]) == diag.EXIT_ERROR
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["type"] == "SamFaultError" and "安全模块" in error["user_message"]
    assert diag.run(["--port", "/dev/no-such-reader"]) == diag.EXIT_ERROR
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "DeviceUnavailableError"
    assert diag.run([]) == 2


def test_runs_as_a_separate_process(emulator: SamEmulator) -> None:
    emulator.place(EmuCard(text=TEST_VECTOR))
    proc = subprocess.run(
        [sys.executable, "-m", "devices.idcard.diag", "--port", emulator.path, "--wait", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["card"]["name"] == "张*"
    assert "张三" not in proc.stdout + proc.stderr
