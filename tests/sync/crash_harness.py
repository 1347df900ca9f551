"""T1 of reference/reliability.md: SIGKILL at random points while applications are enqueued.

A child process opens the real queue and submits applications in a loop, printing
``ACK <i> <key> <provisional no> <resubmitted>`` only after ``submit_application`` (and so
COMMIT) returned. The parent SIGKILLs it after U(20 ms, 300 ms) counted from the moment the
queue is open (one kill in ten lands earlier, U(0, 30 ms) after the fork, inside
``Outbox.open``: integrity check, migrations, orphan sweep), then starts a new child, which
first re-submits the last un-acknowledged draft with the same ``client_ref``. When that draft
had in fact been committed, the child gets the stored receipt back (``resubmitted=1``): the
kill landed between COMMIT and the acknowledgement, and no duplicate was created.

Children are forked from a *zygote* that imported everything once, so each restart costs
milliseconds instead of a 0.6 s interpreter start; each child is still a separate process
that opens the database from scratch and dies by SIGKILL with its writes in flight.

At the end the parent opens the queue itself and proves: every acknowledged draft is stored
with the acknowledged key and number (0 lost); keys, provisional numbers and draft refs are
unique and the draft refs contiguous (0 duplicates); ``PRAGMA integrity_check`` is ``ok``;
every stored attachment file is present and matches its id, and no temp file or orphan is
left after the open-time sweep.

Run alone: ``python -m tests.sync.crash_harness --kills 200`` (prints the figures as JSON).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from sync.outbox import ApplicationDraft, Outbox

ROOT = Path(__file__).resolve().parents[2]
KIOSK_CODE = "CRASH001"
KILL_AFTER_READY_S = (0.020, 0.300)
EARLY_KILL_SHARE = 0.1
EARLY_KILL_S = (0.0, 0.030)
STEP_TIMEOUT_S = 30.0


@dataclass
class CrashReport:
    kills: int = 0
    kills_during_open: int = 0
    commit_ack_window: int = 0  # kills after COMMIT, before the ACK line: deduplicated
    acked: int = 0
    stored: int = 0
    lost: int = 0
    duplicate_keys: int = 0
    duplicate_numbers: int = 0
    duplicate_drafts: int = 0
    draft_gaps: int = 0
    integrity: str = ""
    bad_attachments: int = 0
    leftover_files: int = 0
    swept_orphans: int = 0
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.lost == self.duplicate_keys == self.duplicate_numbers
                == self.duplicate_drafts == self.draft_gaps == self.bad_attachments
                == self.leftover_files == 0 and self.integrity == "ok" and not self.errors)


# -- child side --------------------------------------------------------------------------------

def _say(line: str) -> None:
    os.write(1, (line + "\n").encode())  # one write(2) below PIPE_BUF: atomic, unbuffered


def crash_draft(i: int) -> ApplicationDraft:
    from sync.outbox import ApplicationDraft, Consent, MaterialInput, Person

    return ApplicationDraft(
        service_code="QR00107002", service_name="居住证签注", catalogue_version="2026.11.1",
        applicant=Person(name="张三丰", id_number="11010519491231002X", phone="13812345678"),
        form={"n": i, "reason": "工作"},
        materials=[MaterialInput("m1", "C", os.urandom(2048))],
        consent=Consent(personal_info=True))


def _open(workdir: Path, platform_key: str) -> Outbox:
    from kiosk.config import OfflineLimits
    from sync.outbox import Outbox

    return Outbox.open(workdir / "kiosk.sqlite3", workdir / "attachments",
                       kiosk_code=KIOSK_CODE, platform_encryption_key=platform_key,
                       limits=OfflineLimits(min_free_disk_bytes=1, max_queued_items=10**7,
                                            max_queued_bytes=10**13))


def _child(workdir: Path, platform_key: str, start: int) -> NoReturn:
    try:
        outbox = _open(workdir, platform_key)
        _say(f"READY {outbox.open_report.swept_orphans}")
        i = start
        while True:
            r = outbox.submit_application(crash_draft(i), client_ref=f"draft-{i}")
            _say(f"ACK {i} {r.key} {r.provisional_no} {int(r.resubmitted)}")
            i += 1
    except BaseException as err:  # pragma: no cover - reported to the parent
        _say(f"ERROR {type(err).__name__}: {err}".replace("\n", " "))
        os._exit(3)


def _zygote(workdir: Path, platform_key: str) -> None:
    import sync.outbox  # noqa: F401  (import once; every child inherits it)
    from sync.db import head_revision

    head_revision()  # parse the migration scripts once, too
    while True:
        line = sys.stdin.readline()
        if not line or line.strip() == "QUIT":
            return
        _, start = line.split()
        pid = os.fork()
        if pid == 0:
            _child(workdir, platform_key, int(start))
        _say(f"PID {pid}")
        _, status = os.waitpid(pid, 0)
        _say(f"EXIT {pid} {status}")


# -- parent side --------------------------------------------------------------------------------

@dataclass
class _Child:
    pid: int | None = None
    ready_at: float | None = None
    exit_status: int | None = None


class _Lines:
    """Line reader over a pipe with deadlines, without threads."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.fd = stream.fileno()
        self.buf = b""

    def next(self, deadline: float) -> str | None:
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    raise RuntimeError("zygote closed its output")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()


def run(kills: int, workdir: Path, *, seed: int | None = None) -> CrashReport:
    from kiosk.crypto import EncryptionKeyPair

    started = time.monotonic()
    rng = random.Random(seed)
    report = CrashReport()
    platform_key = EncryptionKeyPair.generate().public_b64()
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    zygote = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.crash_harness", "zygote", str(workdir),
         platform_key], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env)
    assert zygote.stdin is not None and zygote.stdout is not None
    lines = _Lines(zygote.stdout)
    acked: dict[int, tuple[str, str]] = {}
    next_draft = 0

    def handle(line: str, child: _Child) -> None:
        kind, *rest = line.split(" ")
        if kind == "PID":
            child.pid = int(rest[0])
        elif kind == "READY":
            child.ready_at = time.monotonic()
            report.swept_orphans += int(rest[0])
        elif kind == "ACK":
            i, key, number, resubmitted = int(rest[0]), rest[1], rest[2], rest[3] == "1"
            if resubmitted:
                report.commit_ack_window += 1
            if i in acked and acked[i] != (key, number):
                report.errors.append(f"draft {i} acknowledged twice as different items")
            acked[i] = (key, number)
        elif kind == "EXIT":
            child.exit_status = int(rest[1])
        else:
            report.errors.append(line)

    try:
        for _ in range(kills):
            zygote.stdin.write(f"SPAWN {next_draft}\n".encode())
            zygote.stdin.flush()
            child = _Child()
            deadline = time.monotonic() + STEP_TIMEOUT_S
            while child.pid is None:
                line = lines.next(deadline)
                if line is None:
                    raise RuntimeError("zygote did not fork a child")
                handle(line, child)
            if rng.random() < EARLY_KILL_SHARE:
                kill_at = time.monotonic() + rng.uniform(*EARLY_KILL_S)
            else:
                while child.ready_at is None and child.exit_status is None:
                    line = lines.next(deadline)
                    if line is None:
                        raise RuntimeError("child did not open the queue in time")
                    handle(line, child)
                kill_at = (child.ready_at or time.monotonic()) + rng.uniform(
                    *KILL_AFTER_READY_S)
            while child.exit_status is None:
                line = lines.next(kill_at)
                if line is None:
                    break
                handle(line, child)
            if child.exit_status is None:
                os.kill(child.pid, signal.SIGKILL)
                report.kills += 1
                if child.ready_at is None:
                    report.kills_during_open += 1
            while child.exit_status is None:
                line = lines.next(deadline)
                if line is None:
                    raise RuntimeError("killed child was not reaped")
                handle(line, child)
            if report.errors:
                break
            next_draft = max(acked) + 1 if acked else 0
    finally:
        try:
            zygote.stdin.write(b"QUIT\n")
            zygote.stdin.close()
            zygote.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            zygote.kill()
            zygote.wait()
        zygote.stdout.close()

    report.acked = len(acked)
    _verify(workdir, platform_key, acked, report)
    report.wall_s = round(time.monotonic() - started, 1)
    return report


def _verify(workdir: Path, platform_key: str, acked: dict[int, tuple[str, str]],
            report: CrashReport) -> None:
    from kiosk.crypto import sha256_hex
    from sync import receipts

    outbox = _open(workdir, platform_key)
    try:
        if outbox.open_report.quarantined_path is not None:
            report.errors.append(f"quarantined: {outbox.open_report.detail}")
        report.swept_orphans += outbox.open_report.swept_orphans
        report.integrity = str(outbox.db.pragma("integrity_check"))
        with sqlite3.connect(outbox.db.path) as conn:
            rows = conn.execute(
                "SELECT o.key, o.client_ref, a.provisional_no FROM outbox o"
                " JOIN applications a ON a.key = o.key").fetchall()
            attachments = conn.execute("SELECT sha256, size FROM attachments").fetchall()
        report.stored = len(rows)
        report.duplicate_keys = len(rows) - len({r[0] for r in rows})
        report.duplicate_numbers = len(rows) - len({r[2] for r in rows})
        report.duplicate_drafts = len(rows) - len({r[1] for r in rows})
        by_draft = {int(r[1].split("-")[1]): (r[0], r[2]) for r in rows}
        report.draft_gaps = len(set(range(len(by_draft))) - set(by_draft))
        report.lost = sum(1 for i, got in acked.items() if by_draft.get(i) != got)
        if not all(receipts.is_valid(r[2]) for r in rows):
            report.errors.append("a stored provisional number fails its check character")
        files = {p.name for p in outbox.attachments.dir.iterdir()}
        report.bad_attachments = sum(
            1 for sha, size in attachments
            if sha not in files or len(data := outbox.attachments.read(sha)) != size
            or sha256_hex(data) != sha)
        report.leftover_files = len(files - {sha for sha, _ in attachments})
    finally:
        outbox.close()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["zygote"]:
        _zygote(Path(args[1]), args[2])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int,
                        default=int(os.environ.get("KTEST_CRASH_KILLS", "100")))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--dir", type=Path, default=None)
    ns = parser.parse_args(args)
    with tempfile.TemporaryDirectory(prefix="crash-enqueue-") as tmp:
        report = run(ns.kills, ns.dir or Path(tmp), seed=ns.seed)
    print(json.dumps(dataclasses.asdict(report) | {"ok": report.ok}, ensure_ascii=False))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
