"""Durable enqueue: commit latency of ``Outbox.submit_application`` vs the raw durability floor.

Each iteration measures, alternately and on the same filesystem:

* **enqueue** — ``submit_application`` of a draft with three 300 KB scans (random bytes, so
  nothing compresses) from the call until it returns, i.e. until COMMIT: validation, sealing
  the envelope, AES-GCM of the scans, SHA-256 ids, the free-space and queue-limit checks,
  three temp files written + fsynced + renamed, one directory fsync, and the SQLite
  ``BEGIN IMMEDIATE`` … ``COMMIT`` (WAL, ``synchronous=FULL``) of four rows.
* **floor** — what durability physically costs for the same bytes: three 300 KB files,
  each written and fsynced, plus a 1 KB append to a log file, fsynced.

Prints ``enqueue p50 X ms p99 Y ms | floor p50 A ms p99 B ms | p99 ratio R (target <= 3)``
(PRODUCT.md §8). Usage: ``python bench/bench_enqueue.py [--n 200] [--dir DIR]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.config import OfflineLimits
from kiosk.crypto import EncryptionKeyPair
from sync.outbox import ApplicationDraft, Consent, MaterialInput, Outbox, Person

SCAN = 300 * 1024


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def draft(i: int, scans: list[bytes]) -> ApplicationDraft:
    return ApplicationDraft(
        service_code="QR00107002", service_name="居住证签注", catalogue_version="2026.11.1",
        applicant=Person("张三丰", "11010519491231002X", phone="13812345678",
                         address="贵州省贵阳市南明区花果园大街1号"),
        form={"n": i, "reason": "工作", "contact_phone": "13812345678"},
        materials=[MaterialInput(f"m{j}", "C", scan) for j, scan in enumerate(scans)],
        consent=Consent(personal_info=True, sensitive_info=True))


def floor_once(d: Path, scans: list[bytes], log_fd: int, record: bytes) -> float:
    t = time.perf_counter()
    for j, scan in enumerate(scans):
        fd = os.open(d / f"floor{j}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, scan)
        os.fsync(fd)
        os.close(fd)
    os.write(log_fd, record)
    os.fsync(log_fd)
    elapsed = time.perf_counter() - t
    for j in range(len(scans)):
        os.unlink(d / f"floor{j}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()),
                        help="where to create the temporary queue (pick the kiosk's data disk)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-enqueue-", dir=args.dir))
    platform = EncryptionKeyPair.generate()
    outbox = Outbox.open(work / "kiosk.sqlite3", work / "attachments", kiosk_code="BENCH001",
                         platform_encryption_key=platform.public_b64(),
                         limits=OfflineLimits(max_queued_items=args.n + 100))
    floor_dir = work / "floor"
    floor_dir.mkdir()
    log_fd = os.open(floor_dir / "log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    record = os.urandom(1024)
    enqueue: list[float] = []
    floor: list[float] = []
    try:
        for i in range(5):  # warm-up: first WAL growth, imports, caches
            outbox.submit_application(draft(-i, [os.urandom(SCAN) for _ in range(3)]))
            floor_once(floor_dir, [os.urandom(SCAN) for _ in range(3)], log_fd, record)
        for i in range(args.n):
            scans = [os.urandom(SCAN) for _ in range(3)]
            d = draft(i, scans)
            floor.append(floor_once(floor_dir, scans, log_fd, record))
            t = time.perf_counter()
            outbox.submit_application(d)
            enqueue.append(time.perf_counter() - t)
    finally:
        os.close(log_fd)
        outbox.close()
        shutil.rmtree(work, ignore_errors=True)

    ms = 1000.0
    e50, e99 = percentile(enqueue, 50) * ms, percentile(enqueue, 99) * ms
    f50, f99 = percentile(floor, 50) * ms, percentile(floor, 99) * ms
    print(f"enqueue p50 {e50:.2f} ms p99 {e99:.2f} ms | floor p50 {f50:.2f} ms "
          f"p99 {f99:.2f} ms | p99 ratio {e99 / f99:.2f} (target <= 3)")
    print(f"  n={args.n}, 3 x {SCAN // 1024} KB scans, dir={args.dir}; means: enqueue "
          f"{statistics.mean(enqueue) * ms:.2f} ms, floor {statistics.mean(floor) * ms:.2f} ms; "
          f"p50 ratio {e50 / f50:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
