"""The maintenance commands end to end in demo mode (embedded reference platform):
``kiosk audit verify|show``, ``kiosk sync export --to DIR``, ``kiosk platform import``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import main as kiosk_main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = kiosk_main.main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_audit_export_and_import_from_the_command_line(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       ) -> None:
    data = str(tmp_path / "kiosk")
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run(capsys, "sync", "retry-dead", "--data-dir", data) == (0, {"requeued": 0})

    code, report = run(capsys, "audit", "verify", "--data-dir", data)
    assert code == 0 and report["ok"] and report["checked"] == 1
    code, shown = run(capsys, "audit", "show", "--data-dir", data, "--limit", "5")
    assert code == 0 and shown["total"] == 1
    assert shown["entries"][0]["action"] == "retry_dead_letters"
    assert shown["entries"][0]["actor"] == "cli"

    code, exported = run(capsys, "sync", "export", "--to", str(usb), "--data-dir", data)
    assert code == 0 and exported["ok"] and exported["items"] == 1  # the audit event
    bundle = Path(exported["path"])
    assert bundle.parent == usb and bundle.suffix == ".kbundle"

    platform_dir = str(tmp_path / "kiosk" / "platform")  # the embedded platform's data
    code, summary = run(capsys, "platform", "import", str(bundle), "--data-dir", platform_dir)
    assert code == 0 and summary["ok"]
    assert (summary["imported"], summary["duplicates"], summary["rejected"]) == (1, 0, 0)
    code, again = run(capsys, "platform", "import", str(bundle), "--data-dir", platform_dir)
    assert code == 0 and (again["imported"], again["duplicates"]) == (0, 1)

    tampered = usb / "tampered.kbundle"
    raw = bytearray(bundle.read_bytes())
    raw[len(raw) - 80] ^= 0xFF  # inside the last record, before the signature
    tampered.write_bytes(bytes(raw))
    code, refused = run(capsys, "platform", "import", str(tampered), "--data-dir", platform_dir)
    assert code == 1 and not refused["ok"] and refused["error"] == "bad_signature"
    assert "签名" in refused["reason"]

    code, missing = run(capsys, "sync", "export", "--to", str(tmp_path / "no-drive"),
                        "--data-dir", data)
    assert code == 1 and missing["error"] == "target_missing" and "U盘" in missing["reason"]
    assert kiosk_main.main(["sync", "export", "--data-dir", data]) == 2
    capsys.readouterr()

    code, report = run(capsys, "audit", "verify", "--data-dir", data)
    assert code == 0 and report["checked"] == 2  # retry-dead, export
    conn = sqlite3.connect(Path(data) / "queue.sqlite3", isolation_level=None)
    try:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET actor = 'someone' WHERE seq = 1")
    finally:
        conn.close()
    code, report = run(capsys, "audit", "verify", "--data-dir", data)
    assert code == 1 and not report["ok"] and report["bad_seq"] == 1
    assert report["problem"] == "hash_mismatch" and "第 1 条" in report["message_zh"]
