"""Drain throughput: the real sync worker against a bare keep-alive POST loop.

    .venv/bin/python bench/bench_drain.py            # 10,000 applications
    .venv/bin/python bench/bench_drain.py --items 1000
    .venv/bin/python bench/bench_drain.py --keep /tmp/d1      # keep the filled queue …
    .venv/bin/python bench/bench_drain.py --filled /tmp/d1    # … and start from it again

One kiosk queue is filled through ``Outbox.submit_application`` (realistic small
applications, sealed, no attachments). The same payload bytes are then delivered three
times, in batches of 50, to ``POST /api/v1/applications:batch`` of three reference
platforms on loopback without the fault proxy (``PlatformServer(faults=False)``), each
with a *fresh* data directory (same platform keys, empty database) so that no contender
meets another's idempotency records:

* **baseline**: a loop over ``PlatformClient.submit_batch`` — one keep-alive
  ``requests.Session``, the same Ed25519 request signing, the answer parsed, nothing else;
* **worker**: ``SyncWorker(batch_size=50).run_once()`` in a loop until a pass finds nothing
  due — ``due`` → ``mark_sending`` → POST → ``mark_delivered_many`` (purging the envelopes,
  and taking the next batch in the same transaction), plus the status pulls the worker
  makes when they are due (every 30 s); the queue's COMMITs are counted;
* **delivery only**: the same with ``run_once(pull_status=False)``, on a byte copy of the
  filled queue, to separate the cost of the status pulls from the delivery path.

The three take turns, in rounds: one worker pass (up to 20 batches, 1,000 items), one
delivery-only pass, 1,000 items of the baseline loop, the order rotating every round; each
contender's clock runs only during its turns. On a shared box the load drifts by a factor
of two within a minute; taking turns exposes the three to the same drift, where running
them one after the other measured the drift as much as the code. The spread of the
per-round ratios is printed too.

Platform and kiosk share this process (and its GIL), as in the integration tests; the
figures are for comparing the contenders on the same box, not absolute capacity. Prints
items/s for each, the ratio (target ≥ 0.80) and the load average. Filling 10,000 items
takes minutes (every submission checks the queue's limits); ``--keep DIR`` keeps a copy of
the filled queue and ``--filled DIR`` starts from it. Method and figures: docs/stress.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from kiosk.config import OfflineLimits  # noqa: E402
from kiosk.crypto import SigningKeyPair  # noqa: E402
from refplatform import PlatformServer  # noqa: E402
from sync.backoff import BackoffPolicy  # noqa: E402
from sync.client import PlatformClient, enroll  # noqa: E402
from sync.outbox import ApplicationDraft, Outbox, Person  # noqa: E402
from sync.worker import SyncWorker  # noqa: E402

KIOSK = "GYBENCH01"
BATCH = 50
ROUND = 20 * BATCH  # a worker pass delivers up to 20 batches (SyncWorker.batches_per_pass)


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


@dataclass
class Contender:
    """One of the three, with the time it spent in its own turns."""

    label: str
    turn: Callable[[], int]  # one turn; returns the items it delivered, 0 once drained
    s: float = 0.0
    cpu: float = 0.0
    turns: int = 0
    delivered: int = 0
    done: bool = False
    round_rates: list[float] = field(default_factory=list)

    def take_turn(self) -> None:
        cpu, t = time.process_time(), time.perf_counter()
        n = self.turn()
        elapsed = time.perf_counter() - t
        self.s += elapsed
        self.cpu += time.process_time() - cpu
        self.turns += 1
        self.delivered += n
        self.done = n == 0
        if n:
            self.round_rates.append(n / elapsed)


def worker_turns(outbox: Outbox, server: PlatformServer, key: SigningKeyPair,
                 stack: contextlib.ExitStack, *, pull_status: bool | None,
                 figures: dict[str, int]) -> Callable[[], int]:
    """``run_once`` per turn; the last turn is the pass that finds nothing due."""
    enroll_kiosk(server, key)
    client = PlatformClient(server.url, KIOSK, key)
    stack.callback(client.close)
    worker = SyncWorker(outbox, client, batch_size=BATCH, policy=BackoffPolicy(spread_s=0.0))

    def count_commit(_conn: object) -> None:
        figures["commits"] += 1

    event.listen(outbox.db.engine, "commit", count_commit)
    stack.callback(event.remove, outbox.db.engine, "commit", count_commit)

    def turn() -> int:
        report = worker.run_once(pull_status=pull_status)
        assert report.error is None, report
        figures["updates"] += report.status_updates
        return report.due

    return turn


def baseline_turns(server: PlatformServer, key: SigningKeyPair, payloads: list[bytes],
                   stack: contextlib.ExitStack) -> Callable[[], int]:
    enroll_kiosk(server, key)
    client = PlatformClient(server.url, KIOSK, key)
    stack.callback(client.close)
    sent = [0]

    def turn() -> int:
        chunk = payloads[sent[0]:sent[0] + ROUND]
        for n in range(0, len(chunk), BATCH):
            results = client.submit_batch(chunk[n:n + BATCH])
            assert all(r.status == "accepted" for r in results), results[:1]
        sent[0] += len(chunk)
        return len(chunk)

    return turn


def run(items: int, work: Path, *, filled: Path | None = None,
        keep_filled: bool = False) -> dict[str, float]:
    key = SigningKeyPair.generate()
    load_before = os.getloadavg()[0]
    # the platform's keys once, copied into every fresh data directory: the envelopes the
    # kiosk sealed must open on all of them
    seed_dir = work / "platform-keys"
    if filled is not None:
        shutil.copytree(filled / "platform-keys", seed_dir)
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

    if filled is not None:
        shutil.copytree(filled / "kiosk-filled", work / "kiosk")
        fill = "taken from " + str(filled)
    else:
        t = time.perf_counter()
        with open_queue("kiosk") as outbox:
            for i in range(items):
                outbox.submit_application(draft(i))
        fill_s = time.perf_counter() - t
        fill = f"filled in {fill_s:.1f} s ({items / fill_s:.0f}/s through submit_application)"
        if keep_filled:
            shutil.copytree(work / "kiosk", work / "kiosk-filled")
    with open_queue("kiosk") as outbox:
        due = outbox.due(limit=items)
    assert len(due) == items, f"the queue holds {len(due)} due items, not {items}"
    payloads = [d.payload for d in due]
    size = sum(len(p) for p in payloads)
    # the same queue twice (a closed SQLite file copied byte for byte): one drain with the
    # worker's status pulls, one without
    shutil.copytree(work / "kiosk", work / "kiosk-copy")
    print(f"queue: {items} applications, {size / items:.0f} B each on the wire, {fill}")

    full_figures = {"commits": 0, "updates": 0}
    bare_figures = {"commits": 0, "updates": 0}
    with contextlib.ExitStack() as stack:
        servers = {name: stack.enter_context(platform(fresh(name)))
                   for name in ("platform-baseline", "platform-worker", "platform-delivery")}
        full_q = stack.enter_context(open_queue("kiosk"))
        bare_q = stack.enter_context(open_queue("kiosk-copy"))
        base = Contender("baseline (signed keep-alive POST loop):", baseline_turns(
            servers["platform-baseline"], key, payloads, stack))
        full = Contender("SyncWorker.run_once(), batch 50:", worker_turns(
            full_q, servers["platform-worker"], key, stack, pull_status=None,
            figures=full_figures))
        bare = Contender("run_once(pull_status=False):", worker_turns(
            bare_q, servers["platform-delivery"], key, stack, pull_status=False,
            figures=bare_figures))
        order = [full, bare, base]
        for rnd in range(items // BATCH + 50):
            for c in order[rnd % 3:] + order[:rnd % 3]:
                if not c.done:
                    c.take_turn()
            if all(c.done for c in order):
                break
        else:
            raise AssertionError(f"not drained after {rnd + 1} rounds")
        for q in (full_q, bare_q):
            assert q.stats().undelivered == 0
        requests = {}
        for name, server in servers.items():
            stats = server.state.stats()
            assert stats["applications"] == stats["distinct_application_keys"] == items
            requests[name] = stats["total_requests"]

    assert base.delivered == full.delivered == bare.delivered == items
    rates = {c.label: items / c.s for c in order}
    for c, name, figures in ((base, "platform-baseline", None),
                             (full, "platform-worker", full_figures),
                             (bare, "platform-delivery", bare_figures)):
        extra = "" if figures is None else (
            f", {c.turns} passes, {figures['commits']} queue commits, "
            f"{figures['updates']} status updates pulled")
        print(f"{c.label:41s}{rates[c.label]:6.0f} items/s  {c.s:6.1f} s  CPU {c.cpu:5.1f} s  "
              f"{requests[name]} requests{extra}")
    base_rate, worker_rate, delivery_rate = (rates[c.label] for c in (base, full, bare))
    per_round = [w / b for w, b in zip(full.round_rates, base.round_rates, strict=False)]
    print(f"ratio worker / baseline: {worker_rate / base_rate:.2f} (target >= 0.80; rounds "
          f"{min(per_round):.2f}-{max(per_round):.2f}); delivery only / baseline: "
          f"{delivery_rate / base_rate:.2f}; load average {load_before:.1f} -> "
          f"{os.getloadavg()[0]:.1f}")
    return {"baseline_items_s": base_rate, "worker_items_s": worker_rate,
            "delivery_items_s": delivery_rate, "ratio": worker_rate / base_rate}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="applications (10000)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep it, with a copy of the filled queue "
                             "(default: a temporary directory)")
    parser.add_argument("--filled", type=Path, metavar="DIR",
                        help="start from the filled queue kept by an earlier --keep DIR "
                             "(--items must match it)")
    args = parser.parse_args(argv)
    if args.items < BATCH:
        parser.error(f"--items must be at least {BATCH}")
    if args.filled is not None and not (args.filled / "kiosk-filled").is_dir():
        parser.error(f"{args.filled} holds no filled queue (kiosk-filled); make one with --keep")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=False)
        run(args.items, args.keep, filled=args.filled, keep_filled=args.filled is None)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-drain-") as tmp:
            run(args.items, Path(tmp), filled=args.filled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
