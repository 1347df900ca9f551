from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import main as kiosk_main

ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_the_sub_commands() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    for word in ("demo", "run", "config", "政务服务自助终端"):
        assert word in out


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main.main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_config_prints_the_effective_configuration(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = kiosk_main.main(["config", "--data-dir", str(tmp_path), "--orientation", "landscape",
                            "--set", "kiosk.code=GY0009"])
    assert code == 0
    cfg = json.loads(capsys.readouterr().out)
    assert cfg["ui"]["orientation"] == "landscape"
    assert cfg["kiosk"]["code"] == "GY0009"
    assert cfg["data_dir"] == str(tmp_path)


def test_bad_setting_exits_with_a_message_naming_the_key(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main.main(["config", "--set", "ui.countdown_s=3"]) == 2
    err = capsys.readouterr().err
    assert "ui.countdown_s" in err and "3" in err


def test_run_requires_a_config_file() -> None:
    with pytest.raises(SystemExit):
        kiosk_main.main(["run"])


def test_sample_config_validates_in_run_mode(capsys: pytest.CaptureFixture[str]) -> None:
    code = kiosk_main.main(["config", "--mode", "run", "--config",
                            str(ROOT / "docs" / "kiosk.sample.toml")])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["devices"]["idcard"]["backend"] == "serial"


def test_sync_status_and_run_once_in_demo_mode(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk_main.main(["sync", "run-once", "--data-dir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["link"] == "up" and report["error"] is None
    assert kiosk_main.main(["sync", "status", "--data-dir", str(tmp_path)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["undelivered"] == 0 and status["last_contact_at"] is not None
    assert kiosk_main.main(["sync", "retry-dead", "--data-dir", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"requeued": 0}


def test_enroll_against_a_standalone_platform(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from refplatform import PlatformServer

    with PlatformServer(tmp_path / "platform") as platform:
        token = platform.state.mint_enrollment_token()
        args = ["enroll", "--data-dir", str(tmp_path / "kiosk"), "--token", token,
                "--platform-url", platform.url]
        assert kiosk_main.main(args) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["platform_signing_key"] == platform.state.signing_public_b64
        assert (tmp_path / "kiosk" / "keys" / "kiosk_ed25519").stat().st_mode & 0o077 == 0
        assert kiosk_main.main(args) == 0  # same key again: idempotent
        capsys.readouterr()
        (tmp_path / "kiosk" / "keys" / "kiosk_ed25519").unlink()  # a new key needs a new token
        assert kiosk_main.main(args) == 2
        assert "enrollment refused" in capsys.readouterr().err


def test_enrollment_tokens_can_be_typed_after_an_option(tmp_path: Path) -> None:
    from refplatform import PlatformServer

    with PlatformServer(tmp_path / "platform") as platform:
        tokens = [platform.state.mint_enrollment_token() for _ in range(300)]
    assert not [t for t in tokens if t.startswith("-")]  # argparse would take it for an option
    assert len(set(tokens)) == 300 and all(len(t) >= 32 for t in tokens)


def test_diag_dispatches_to_each_device_package(capsys: pytest.CaptureFixture[str]) -> None:
    # the printer's simulated port needs no hardware; the others have their own rigs
    assert kiosk_main.main(["diag", "printer", "--port", "sim://", "--status"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"]["state"] == "paper_ok" and out["self_test"]["ok"]
    with pytest.raises(SystemExit):
        kiosk_main.main(["diag", "scanner"])
