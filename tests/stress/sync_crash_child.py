"""The kiosk side of the SIGKILL-during-sync test (``test_sync_crash.py``).

Run with the venv python: ``python tests/stress/sync_crash_child.py CONFIG.json``. The
process imports the whole sync stack once and then acts as a *zygote*: for every line
``run crash`` or ``run final`` on stdin it forks a kiosk process that opens the real outbox
file, builds a fresh ``PlatformClient`` and ``SyncWorker`` and calls ``run_once`` in a loop
against the platform. The zygote writes ``child <pid>`` at once and ``exit <pid> <status>``
when that process has ended (killed by the parent, or finished); ``quit`` ends the zygote.

Forking from a warm zygote is only a start-up shortcut: importing SQLAlchemy, Alembic,
cryptography and requests costs ~0.65 s on the 2-core test box, which would turn 100 kills
into 100 s of imports. Every forked kiosk process opens the database, the attachment store,
the HTTP session and the worker itself, after the fork, exactly as a restarted kiosk does;
the zygote never opens any of them and starts no threads.

Kiosk process lines (each one ``os.write`` below ``PIPE_BUF``, so never interleaved):
``start <pid>``, ``ready <pid> resumed=<n>``, ``pass <pid> delivered=.. retried=..
uploaded=.. ms=.. error=..``, and for ``run final`` ``drained <pid> passes=<n>`` (exit 0) or
``timeout <pid>`` (exit 3). A ``run crash`` process keeps polling after the drain until it
is killed, at most ``max_life_s``.

The platform client has no chunk-size parameter: this process sets the module constant
``sync.client.CHUNK_BYTES`` (default 1 MiB) to ``chunk_bytes`` so that small attachments are
uploaded in several chunks and kills land mid-upload.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kiosk.config import OfflineLimits  # noqa: E402
from kiosk.crypto import SigningKeyPair  # noqa: E402
from sync import client as client_module  # noqa: E402
from sync.backoff import BackoffPolicy  # noqa: E402
from sync.client import PlatformClient  # noqa: E402
from sync.outbox import Outbox  # noqa: E402
from sync.worker import SyncWorker  # noqa: E402

LIMITS = OfflineLimits(min_free_disk_bytes=1, max_queued_items=100_000,
                       max_queued_bytes=10_000_000_000)


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def kiosk(cfg: dict[str, Any], final: bool) -> int:
    """One kiosk process life: open, sync until drained (final) or killed (crash)."""
    pid = os.getpid()
    say(f"start {pid}")
    client_module.CHUNK_BYTES = int(cfg["chunk_bytes"])
    outbox = Outbox.open(cfg["db_path"], cfg["attachments_dir"], kiosk_code=cfg["kiosk_id"],
                         platform_encryption_key=cfg["platform_encryption_key"],
                         limits=LIMITS)
    say(f"ready {pid} resumed={outbox.open_report.resumed_in_flight}")
    client = PlatformClient(cfg["url"], cfg["kiosk_id"],
                            SigningKeyPair.from_private_b64(cfg["signing_key"]),
                            connect_timeout_s=2.0, read_timeout_s=10.0)
    if not final:
        # Widen the dangerous window on purpose: after the platform has committed and
        # answered, wait a little before the answer is recorded, so that a fair share of
        # the random kills land between COMMIT at the platform and the local ack (a 3 %
        # window made "no kill hit it in 100" a 5 % chance; the code path is unchanged).
        submit = client.submit_batch

        def slow_ack(items: Any, **kw: Any) -> Any:
            results = submit(items, **kw)
            time.sleep(0.04)
            return results

        client.submit_batch = slow_ack  # type: ignore[method-assign]
    worker = SyncWorker(outbox, client, batch_size=int(cfg["batch_size"]),
                        policy=BackoffPolicy(base_s=cfg["base_s"], cap_s=cfg["cap_s"],
                                             spread_s=0.0))
    deadline = time.monotonic() + float(cfg["max_life_s"])
    passes = 0
    try:
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            report = worker.run_once()
            passes += 1
            say(f"pass {pid} delivered={report.delivered} retried={report.retried} "
                f"uploaded={report.uploaded_bytes} ms={(time.monotonic() - t0) * 1000:.0f} "
                f"error={report.error or '-'}")
            stats = outbox.stats()
            if stats.undelivered == 0:
                if final:
                    say(f"drained {pid} passes={passes}")
                    return 0
                time.sleep(0.02)
                continue
            nxt = outbox.next_due_at()
            if nxt is not None:
                time.sleep(min(0.2, max(0.0, nxt - time.time())))
        say(f"timeout {pid}")
        return 3
    finally:
        client.close()
        outbox.close()


def zygote(cfg: dict[str, Any]) -> int:
    while raw := sys.stdin.readline():
        cmd = raw.split()
        if not cmd:
            continue
        if cmd[0] == "quit":
            return 0
        if cmd[0] != "run" or len(cmd) != 2 or cmd[1] not in ("crash", "final"):
            say(f"error unknown command {raw.strip()!r}")
            continue
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = kiosk(cfg, final=cmd[1] == "final")
            except BaseException as err:  # report, never fall back into the zygote loop
                say(f"failed {os.getpid()} {type(err).__name__}: {str(err)[:300]}")
                code = 2
            finally:
                os._exit(code)
        say(f"child {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"exit {pid} {status}")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: sync_crash_child.py CONFIG.json", file=sys.stderr)
        return 64
    cfg = json.loads(Path(argv[1]).read_text("utf-8"))
    return zygote(cfg)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
