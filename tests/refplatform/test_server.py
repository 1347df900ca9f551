"""Life cycle of the server: start, stop, restart on the same data, and ``platform serve``."""

from __future__ import annotations

import os
import re
import secrets
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from refplatform import PlatformServer
from tests.conftest import ROOT
from tests.refplatform.client import API, application, enroll


def test_stop_closes_connections_and_joins_every_thread(tmp_path: Path) -> None:
    before = set(threading.enumerate())
    server = PlatformServer(tmp_path / "p", threads=4).start()
    kiosk, r = enroll(server.url, "TEST0001", server.state.mint_enrollment_token())
    assert r.status_code == 201
    assert kiosk.get(f"{API}/ping").status_code == 200  # an idle keep-alive connection stays
    assert server.proxy is not None and server.proxy.active_connections >= 1
    server.stop()
    server.stop()  # idempotent
    kiosk.close()
    left = [t.name for t in threading.enumerate() if t not in before and t.is_alive()]
    assert left == []


def test_restart_keeps_keys_idempotency_records_and_nonces(tmp_path: Path) -> None:
    data = tmp_path / "p"
    nonce, ts = secrets.token_hex(16), int(time.time())
    with PlatformServer(data) as first:
        keys = (first.state.signing_public_b64, first.state.encryption_public_b64)
        admin_token = first.admin_token
        kiosk, r = enroll(first.url, "TEST0001", first.state.mint_enrollment_token())
        assert r.status_code == 201
        item = application(first.state.encryption_public_b64)
        accepted = kiosk.batch([item]).json()["results"][0]
        assert kiosk.get(f"{API}/ping", nonce=nonce, timestamp=ts).status_code == 200
        kiosk.close()
    with PlatformServer(data) as second:
        assert (second.state.signing_public_b64, second.state.encryption_public_b64) == keys
        assert second.admin_token == admin_token
        kiosk.base_url = second.url
        kiosk.session = requests.Session()
        replayed = kiosk.get(f"{API}/ping", nonce=nonce, timestamp=ts)
        assert replayed.status_code == 401
        assert replayed.json()["error"] == "replayed_nonce"
        again = kiosk.batch([item]).json()["results"][0]
        assert again["status"] == "duplicate"
        assert again["case_no"] == accepted["case_no"]
        assert len(second.state.applications()) == 1
        assert second.state.open_application(item["idempotency_key"]) is not None
        kiosk.close()


def test_private_keys_are_readable_only_by_the_owner(tmp_path: Path) -> None:
    with PlatformServer(tmp_path / "p", faults=False):
        pass
    keys = tmp_path / "p" / "keys"
    for name in ("platform_signing.key", "platform_encryption.key"):
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "p" / "admin.token").stat().st_mode) == 0o600


def test_any_sqlalchemy_url_can_hold_the_database(tmp_path: Path) -> None:
    db = tmp_path / "elsewhere.sqlite3"
    with PlatformServer(tmp_path / "p", db_url=f"sqlite:///{db}", faults=False) as server:
        assert enroll(server.url, "TEST0001",
                      server.state.mint_enrollment_token())[1].status_code == 201
    assert db.exists()
    assert not (tmp_path / "p" / "platform.sqlite3").exists()


def test_platform_serve_runs_until_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "refplatform", "serve", "--data-dir", str(tmp_path / "p"),
         "--port", "0", "--admin-token", "adm"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert proc.stdout is not None
        lines: dict[str, str] = {}
        while len(lines) < 5:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            name, _, value = line.strip().partition(": ")
            lines[name] = value
        url = lines["platform url"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        assert lines["admin token"] == "adm"
        client, r = enroll(url, "TEST0001", lines["enrollment token"])
        assert r.status_code == 201
        assert r.json()["platform_signing_key"] == lines["signing public key"]
        assert client.get(f"{API}/ping").status_code == 200
        client.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_serve_fails_cleanly_on_a_busy_port(tmp_path: Path) -> None:
    from refplatform.server import main

    with PlatformServer(tmp_path / "a", faults=False) as server:
        port = int(server.url.rsplit(":", 1)[1])
        assert main(["serve", "--data-dir", str(tmp_path / "b"), "--port", str(port),
                     "--no-faults"]) == 1


def test_spawn_platform_runs_it_in_a_child_without_loading_it_here(tmp_path: Path) -> None:
    """``refplatform.spawn`` (the benchmarks' helper) starts ``platform serve`` in a child and
    returns its URL and an enrollment token; importing it loads none of the platform into
    the calling process (checked in a fresh interpreter: this one has it loaded)."""
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; import refplatform.spawn; "
         "print(sorted(m for m in sys.modules if m.startswith(('refplatform', 'waitress', "
         "'sqlalchemy', 'flask', 'cryptography'))))"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=True)
    assert probe.stdout.strip() == "['refplatform', 'refplatform.spawn']"

    from refplatform.spawn import spawn_platform

    proc, url, token = spawn_platform(tmp_path / "p", cwd=ROOT)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and token
        client, r = enroll(url, "TEST0002", token)
        assert r.status_code == 201
        assert client.get(f"{API}/ping").status_code == 200
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
