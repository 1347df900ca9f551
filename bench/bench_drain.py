"""Drain throughput: the real sync worker against a bare keep-alive POST loop.

    .venv/bin/python bench/bench_drain.py            # 10,000 applications
    .venv/bin/python bench/bench_drain.py --items 1000

One kiosk queue is filled through ``Outbox.submit_application`` (realistic small
applications, sealed, no attachments). The same payload bytes are then delivered twice, in
the same batches of 50, to ``POST /api/v1/applications:batch`` of the reference platform on
loopback, without the fault proxy (``PlatformServer(faults=False)``), each time to a *fresh*
platform data directory (same platform keys, empty database) so that neither run meets the
other's idempotency records:

* **baseline**: a loop over ``PlatformClient.submit_batch`` — one keep-alive
  ``requests.Session``, the same Ed25519 request signing, the answer parsed, nothing else;
* **worker**: ``SyncWorker(batch_size=50).run_once()`` in a loop until a pass finds nothing
  due — ``due`` → ``mark_sending`` → POST → ``mark_delivered_many`` (purging the envelopes),
  plus the status pulls the worker makes when they are due (every 30 s);
* **delivery only**: the same with ``run_once(pull_status=False)``, on a byte copy of the
  filled queue, to separate the cost of the status pulls from the delivery path.

Platform and kiosk share this process (and its GIL), as in the integration tests; the
figures are for comparing the two loops on the same box, not absolute capacity. Prints
items/s for both and the ratio (target ≥ 0.80). Method and figures: docs/stress.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kiosk.config import OfflineLimits  # noqa: E402
from kiosk.crypto import SigningKeyPair  # noqa: E402
from refplatform import PlatformServer  # noqa: E402
from sync.backoff import BackoffPolicy  # noqa: E402
from sync.client import PlatformClient, enroll  # noqa: E402
from sync.outbox import ApplicationDraft, Outbox, Person  # noqa: E402
from sync.worker import SyncWorker  # noqa: E402

KIOSK = "GYBENCH01"
BATCH = 50


def draft(i: int) -> ApplicationDraft:
    return ApplicationDraft(
        service_code="QR00107002", service_name="户口迁出（省内）",
        catalogue_version="2025.06.1",
        applicant=Person(name="张三丰", id_number="11010519491231002X", phone="13812345678",
                         address="贵州省贵阳市观山湖区长岭北路 1 号"),
        form={"reason": f"工作调动 {i}", "destination": "贵州省遵义市红花岗区",
              "household_no": f"{520100000000 + i}"})


def platform(data_dir: Path) -> PlatformServer:
    return PlatformServer(data_dir, faults=False, accept_after_s=None, complete_after_s=None)


def enroll_kiosk(server: PlatformServer, key: SigningKeyPair) -> str:
    keys = enroll(server.url, kiosk_id=KIOSK, region_code="520100", hall_name="基准测试大厅",
                  public_key_b64=key.public_b64(), token=server.state.mint_enrollment_token())
    return str(keys["platform_encryption_key"])


def drain(outbox: Outbox, server: PlatformServer, key: SigningKeyPair, items: int, *,
          pull_status: bool | None) -> dict[str, float]:
    """``run_once`` in a loop until a pass finds nothing due; returns the figures."""
    enroll_kiosk(server, key)
    client = PlatformClient(server.url, KIOSK, key)
    worker = SyncWorker(outbox, client, batch_size=BATCH, policy=BackoffPolicy(spread_s=0.0))
    passes = updates = 0
    try:
        cpu, t = time.process_time(), time.perf_counter()
        while True:
            report = worker.run_once(pull_status=pull_status)
            assert report.error is None, report
            passes += 1
            updates += report.status_updates
            if report.due == 0:
                break
            if passes > items // BATCH + 50:
                raise AssertionError(f"not drained after {passes} passes")
        elapsed, cpu_s = time.perf_counter() - t, time.process_time() - cpu
    finally:
        client.close()
    assert outbox.stats().undelivered == 0
    stats = server.state.stats()
    assert stats["applications"] == stats["distinct_application_keys"] == items
    return {"s": elapsed, "cpu": cpu_s, "passes": passes, "updates": updates,
            "requests": stats["total_requests"]}


def run(items: int, work: Path) -> dict[str, float]:
    key = SigningKeyPair.generate()
    # the platform's keys once, copied into every fresh data directory: the envelopes the
    # kiosk sealed must open on all of them
    seed_dir = work / "platform-keys"
    with platform(seed_dir) as seed:
        enc = seed.state.encryption_public_b64

    def fresh(name: str) -> Path:
        d = work / name
        shutil.copytree(seed_dir / "keys", d / "keys")
        return d

    limits = OfflineLimits(min_free_disk_bytes=1, max_queued_items=items + 1,
                           max_queued_bytes=10_000_000_000)

    def open_queue(name: str) -> Outbox:
        return Outbox.open(work / name / "queue.sqlite3", work / name / "att",
                           kiosk_code=KIOSK, platform_encryption_key=enc, limits=limits)

    t = time.perf_counter()
    with open_queue("kiosk") as outbox:
        for i in range(items):
            outbox.submit_application(draft(i))
        fill_s = time.perf_counter() - t
        due = outbox.due(limit=items)
    assert len(due) == items
    payloads = [d.payload for d in due]
    size = sum(len(p) for p in payloads)
    # the same queue twice (a closed SQLite file copied byte for byte): one drain with the
    # worker's status pulls, one without
    shutil.copytree(work / "kiosk", work / "kiosk-copy")
    print(f"queue: {items} applications, {size / items:.0f} B each on the wire, "
          f"filled in {fill_s:.1f} s ({items / fill_s:.0f}/s through submit_application)")

    # -- baseline: the bare signed POST loop
    with platform(fresh("platform-baseline")) as server:
        enroll_kiosk(server, key)
        client = PlatformClient(server.url, KIOSK, key)
        try:
            cpu, t = time.process_time(), time.perf_counter()
            for n in range(0, items, BATCH):
                results = client.submit_batch(payloads[n:n + BATCH])
                assert all(r.status == "accepted" for r in results), results[:1]
            base_s, base_cpu = time.perf_counter() - t, time.process_time() - cpu
        finally:
            client.close()
        base_requests = server.state.stats()["total_requests"]

    # -- the real worker, as it runs (status pulls every 30 s), then delivery only
    with open_queue("kiosk") as outbox, platform(fresh("platform-worker")) as server:
        full = drain(outbox, server, key, items, pull_status=None)
    with open_queue("kiosk-copy") as outbox, platform(fresh("platform-delivery")) as server:
        bare = drain(outbox, server, key, items, pull_status=False)

    base_rate = items / base_s
    print(f"baseline (signed keep-alive POST loop):   {base_rate:6.0f} items/s  {base_s:6.1f} s  "
          f"CPU {base_cpu:5.1f} s  {base_requests} requests")
    rates = {}
    for label, r in (("SyncWorker.run_once(), batch 50:", full),
                     ("run_once(pull_status=False):", bare)):
        rates[label] = items / r["s"]
        print(f"{label:41s}{rates[label]:6.0f} items/s  {r['s']:6.1f} s  CPU {r['cpu']:5.1f} s  "
              f"{r['requests']:.0f} requests, {r['passes']:.0f} passes, "
              f"{r['updates']:.0f} status updates pulled")
    worker_rate, delivery_rate = rates.values()
    print(f"ratio worker / baseline: {worker_rate / base_rate:.2f} (target >= 0.80); "
          f"delivery only / baseline: {delivery_rate / base_rate:.2f}")
    return {"baseline_items_s": base_rate, "worker_items_s": worker_rate,
            "delivery_items_s": delivery_rate, "ratio": worker_rate / base_rate}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="applications (10000)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep it (default: a temporary directory)")
    args = parser.parse_args(argv)
    if args.items < BATCH:
        parser.error(f"--items must be at least {BATCH}")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=False)
        run(args.items, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-drain-") as tmp:
            run(args.items, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
