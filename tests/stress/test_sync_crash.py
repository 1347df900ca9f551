"""T1 for the sync path: SIGKILL the kiosk process at random points while it delivers its
queue to the reference platform, restart it, repeat; then let it drain and prove that every
stored application reached the platform exactly once, complete, with its case number.

The platform (waitress + SQLite, no fault proxy) runs in this process on loopback. The
kiosk runs in ``sync_crash_child.py`` (a zygote that forks one kiosk process per life, see
its docstring) with ``batch_size=3`` and 4 KiB upload chunks. Each life is SIGKILLed
uniformly 20–300 ms after it started (even lives) or after its first progress line, a
finished pass (odd lives); a last life drains the queue. After every kill, with the kiosk
dead, the test looks at both sides and counts the kills that landed in the dangerous
windows:

* **commit→ack**: the platform committed an item during this life, the kiosk's queue does
  not record it as delivered (the acknowledgement was lost with the process);
* **mid-upload**: an attachment's local ``uploaded_offset`` is strictly between 0 and its
  size, and moved during this life;
* **chunk→offset**: the platform holds more bytes of an attachment than the kiosk recorded.

Knob: ``KTEST_SYNC_CRASH_KILLS`` (default 100). Wall time 33–58 s on the 2-core box.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import selectors
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.crypto import SigningKeyPair
from refplatform import PlatformServer
from sync.client import enroll
from sync.db import integrity_check
from sync.outbox import Outbox
from tests.stress.conftest import ROOMY, draft, knob, ro_connect

CHILD = Path(__file__).with_name("sync_crash_child.py")
ROOT = Path(__file__).resolve().parents[2]
KIOSK = "GYCRASH01"
APPS = 300
CHUNK_BYTES = 4096
BATCH = 3
KILL_MIN_S, KILL_MAX_S = 0.020, 0.300
LINE_TIMEOUT_S = 20.0
FINAL_TIMEOUT_S = 60.0
FIRST_PASS_TIMEOUT_S = 1.0  # a slow box: kill anyway, keep the test bounded


class LineReader:
    """Lines from a child's unbuffered stdout, with a deadline on every wait."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self._fd = proc.stdout.fileno()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._fd, selectors.EVENT_READ)
        self._buf = b""
        self.lines: list[str] = []  # everything read, for the failure message

    def close(self) -> None:
        self._sel.close()

    def _fill(self, timeout: float) -> bool:
        if not self._sel.select(max(0.0, timeout)):
            return False
        data = os.read(self._fd, 65536)
        if not data:
            raise AssertionError("child closed its stdout; last lines:\n"
                                 + "\n".join(self.lines[-20:]))
        self._buf += data
        return True

    def next_line(self, deadline: float) -> str | None:
        while b"\n" not in self._buf:
            if time.monotonic() >= deadline or not self._fill(deadline - time.monotonic()):
                return None
        raw, self._buf = self._buf.split(b"\n", 1)
        line = raw.decode()
        self.lines.append(line)
        return line

    def wait_for(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(deadline)
            if line is None:
                raise AssertionError(f"no {prefix!r} line within {timeout} s; last lines:\n"
                                     + "\n".join(self.lines[-20:]))
            if line.startswith("failed"):
                raise AssertionError(f"kiosk process failed: {line}")
            if line.startswith(prefix):
                return line


@dataclass
class Local:
    """The kiosk's queue as the dead process left it."""

    delivered: set[str]
    states: Counter[str]
    offsets: dict[str, int]  # attachment sha -> uploaded_offset
    sizes: dict[str, int]
    case_nos: dict[str, str | None]

    @property
    def partial(self) -> dict[str, int]:
        return {sha: off for sha, off in self.offsets.items() if 0 < off < self.sizes[sha]}


def read_local(db: Path) -> Local:
    conn = ro_connect(db)
    try:
        delivered = {k for (k,) in conn.execute(
            "SELECT key FROM outbox WHERE delivered_at IS NOT NULL")}
        states = Counter(dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state")))
        rows = conn.execute("SELECT sha256, size, uploaded_offset FROM attachments").fetchall()
        case_nos = dict(conn.execute("SELECT key, case_no FROM applications"))
    finally:
        conn.close()
    return Local(delivered, states, {sha: off for sha, _, off in rows},
                 {sha: size for sha, size, _ in rows}, case_nos)


@dataclass
class Figures:
    kills: int = 0
    kills_from_start: int = 0  # timer started when the process started
    kills_after_pass: int = 0  # timer started at the life's first progress line
    kills_before_ready: int = 0  # still opening the queue (integrity check, recovery)
    commit_ack: int = 0  # platform committed during the life, the kiosk has no ack
    mid_upload: int = 0  # a local 0 < uploaded_offset < size that moved in the life
    chunk_ahead: int = 0  # the platform holds bytes of an upload the kiosk never recorded
    resumed_sending: int = 0  # items a life found in "sending" and rescheduled
    passes: int = 0
    lives_without_delivery: int = 0
    pass_ms: list[int] = field(default_factory=list)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[PlatformServer]:
    with PlatformServer(tmp_path / "platform", faults=False, accept_after_s=None,
                        complete_after_s=None) as server:
        yield server


def test_sigkill_during_sync_delivers_every_application_exactly_once(
        tmp_path: Path, platform: PlatformServer) -> None:
    kills = knob("KTEST_SYNC_CRASH_KILLS", 100)
    rng = random.Random(int(time.time()))
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    key = SigningKeyPair.generate()
    keys = enroll(platform.url, kiosk_id=KIOSK, region_code="520100", hall_name="压力测试大厅",
                  public_key_b64=key.public_b64(), token=platform.state.mint_enrollment_token())
    db, att = tmp_path / "kiosk" / "queue.sqlite3", tmp_path / "kiosk" / "att"

    # -- the backlog: a third without scans, a third with one 2-chunk scan, a third with
    #    two 3-chunk scans (4 KiB chunks)
    stored: dict[str, tuple[str, ...]] = {}
    with Outbox.open(db, att, kiosk_code=KIOSK,
                     platform_encryption_key=keys["platform_encryption_key"],
                     limits=ROOMY) as outbox:
        for i in range(APPS):
            scans, size = [(0, 0), (1, 6_000), (2, 10_000)][i % 3]
            r = outbox.submit_application(draft(i, scans=scans, size=size))
            stored[r.key] = r.attachments
    all_shas = {sha for shas in stored.values() for sha in shas}

    cfg = {"db_path": str(db), "attachments_dir": str(att), "url": platform.url,
           "kiosk_id": KIOSK, "signing_key": key.private_b64(),
           "platform_encryption_key": keys["platform_encryption_key"],
           "chunk_bytes": CHUNK_BYTES, "batch_size": BATCH, "base_s": 0.01, "cap_s": 0.05,
           "max_life_s": FINAL_TIMEOUT_S}
    cfg_path = tmp_path / "child.json"
    cfg_path.write_text(json.dumps(cfg), "utf-8")
    stderr_path = tmp_path / "child.stderr"

    fig = Figures()
    state = platform.state
    started = time.monotonic()
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen([sys.executable, str(CHILD), str(cfg_path)], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                bufsize=0)
    reader = LineReader(proc)
    assert proc.stdin is not None
    try:
        platform_keys = {a["idempotency_key"] for a in state.applications(KIOSK)}
        before = read_local(db)
        platform_rx: dict[str, int] = {}
        for n in range(kills):
            proc.stdin.write(b"run crash\n")
            pid = int(reader.wait_for("child ", LINE_TIMEOUT_S).split()[1])
            # even lives: the timer starts with the process; odd lives: at its first
            # progress line (a finished pass), so kills also land deep inside later passes
            from_start = n % 2 == 0
            kill_at = (time.monotonic() + rng.uniform(KILL_MIN_S, KILL_MAX_S) if from_start
                       else time.monotonic() + FIRST_PASS_TIMEOUT_S)
            ready = delivered = False
            armed = from_start  # odd lives: armed by the first pass line (or the timeout)
            while (line := reader.next_line(kill_at)) is not None:
                if line.startswith(("failed", "exit")):
                    raise AssertionError(f"kiosk process ended before the kill: {line}\n"
                                         + stderr_path.read_text(errors="replace")[-3000:])
                if line.startswith("ready"):
                    ready = True
                    fig.resumed_sending += int(line.rsplit("=", 1)[1])
                if line.startswith("pass"):
                    fig.passes += 1
                    fig.pass_ms.append(int(line.split(" ms=")[1].split()[0]))
                    delivered = delivered or " delivered=0 " not in line
                    if not armed:
                        armed = True
                        kill_at = time.monotonic() + rng.uniform(KILL_MIN_S, KILL_MAX_S)
            os.kill(pid, signal.SIGKILL)
            status = int(reader.wait_for(f"exit {pid} ", LINE_TIMEOUT_S).split()[2])
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
            fig.kills += 1
            fig.kills_from_start += from_start
            fig.kills_after_pass += not from_start
            fig.kills_before_ready += not ready
            fig.lives_without_delivery += not delivered

            # -- the kiosk is dead: where did the kill land?
            now_keys = {a["idempotency_key"] for a in state.applications(KIOSK)}
            after = read_local(db)
            fig.commit_ack += bool((now_keys - platform_keys) - after.delivered)
            fig.mid_upload += any(before.offsets.get(sha) != off
                                  for sha, off in after.partial.items())
            ahead = False
            for sha, off in after.offsets.items():
                if off == after.sizes[sha]:
                    continue
                up = state.store.upload_state(sha)
                rx = 0 if up is None else up.received
                ahead = ahead or (rx > off and rx != platform_rx.get(sha, 0))
                platform_rx[sha] = rx
            fig.chunk_ahead += ahead
            platform_keys, before = now_keys, after

        delivered_by_kills = len(before.delivered)
        kill_phase_s = time.monotonic() - started
        # -- the link stays, the kiosk is left alone: it must drain on its own
        proc.stdin.write(b"run final\n")
        pid = int(reader.wait_for("child ", LINE_TIMEOUT_S).split()[1])
        done = reader.wait_for("drained", FINAL_TIMEOUT_S)
        status = int(reader.wait_for(f"exit {pid} ", LINE_TIMEOUT_S).split()[2])
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (done, status)
        proc.stdin.write(b"quit\n")
        proc.stdin.close()
        assert proc.wait(10) == 0
    finally:
        reader.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stdout is not None:
            proc.stdout.close()
    elapsed = time.monotonic() - started

    # -- exactly once, complete, acknowledged
    apps = state.applications(KIOSK)
    platform_count = Counter(a["idempotency_key"] for a in apps)
    duplicates = sum(n - 1 for n in platform_count.values())
    stats = state.stats()
    local = read_local(db)
    ok, detail = integrity_check(db)

    pass_ms = sorted(fig.pass_ms) or [0]
    print(f"\n[sync-crash] seed={seed} kills={fig.kills} (timed from start "
          f"{fig.kills_from_start}, from a progress line {fig.kills_after_pass}; before the "
          f"queue was open {fig.kills_before_ready}; lives without a delivery "
          f"{fig.lives_without_delivery}) passes={fig.passes} (median "
          f"{pass_ms[len(pass_ms) // 2]} ms, max {pass_ms[-1]} ms)\n"
          f"[sync-crash] stored={len(stored)} delivered during the kill phase "
          f"{delivered_by_kills} ({kill_phase_s:.1f} s), after the final life "
          f"{len(local.delivered)}; "
          f"at_platform={len(apps)} duplicates={duplicates}\n"
          f"[sync-crash] kills in commit->ack window={fig.commit_ack} "
          f"mid-upload={fig.mid_upload} platform-chunk-ahead-of-kiosk={fig.chunk_ahead} "
          f"items rescheduled from 'sending' at open={fig.resumed_sending}\n"
          f"[sync-crash] platform replays (duplicate answers)={stats['replays']} "
          f"in_flight={stats['in_flight_rejections']} conflicts={stats['conflicts']} "
          f"requests={stats['total_requests']} attachments={len(all_shas)} "
          f"integrity={detail} wall={elapsed:.1f}s")

    assert duplicates == 0
    assert set(platform_count) == set(stored)
    assert len(apps) == len(stored) == APPS
    assert stats["distinct_application_keys"] == stats["applications"] == APPS
    assert stats["conflicts"] == 0
    assert local.delivered == set(stored)
    assert local.states == Counter({"submitted": APPS}), local.states  # no dead letters
    case_by_key = {a["idempotency_key"]: a["case_no"] for a in apps}
    assert all(local.case_nos[k] == case_by_key[k] and case_by_key[k] for k in stored)
    assert ok, detail
    for sha in all_shas:
        up = state.store.upload_state(sha)
        assert up is not None and up.complete and up.length == local.sizes[sha], sha
        blob = state.store.attachment_bytes(sha)
        assert blob is not None and hashlib.sha256(blob).hexdigest() == sha
    if kills >= 50:  # the kills must have hit the dangerous windows, or this proves little
        assert fig.commit_ack > 0, fig
        assert fig.mid_upload > 0, fig
        assert stats["replays"] > 0, stats
