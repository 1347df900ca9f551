"""GUI-thread stalls while 1,000 queued applications sync and ID cards are read.

    .venv/bin/python bench/bench_responsiveness.py                # 1,000 items, 5 rounds
    .venv/bin/python bench/bench_responsiveness.py --items 200 --rounds 1
    .venv/bin/python bench/bench_responsiveness.py --diagnose     # + GUI stack at each stall

The kiosk runs as in production in this process: ``kiosk.bootstrap.build`` and
``ui.app.create_window`` (the real view-models and QML, offscreen), the sync worker on its
thread, the ID-card poller of the real ``SerialIdCardReader`` on its thread. Two helper
processes play the outside world, so their work does not share this process's GIL:

* the reference platform (``main.py platform serve --no-faults``) on loopback; the kiosk is
  enrolled with it (``platform.embedded = false``); ``--embedded`` runs it in-process
  instead, as demo mode does;
* the SAM emulator of ``tests/devices/idcard/emulator.py`` on the device side of a pty,
  paced at 115200 baud; while told to, it places a card, leaves it ``--card-s`` seconds,
  takes it away for as long, and again.

The kiosk stands on the 身份核验 screen of a service, so every read goes through the
identify view-model (identity, masking, the redaction registry, property signals).

**Stall**: a ``Qt.PreciseTimer`` heartbeat of ``--interval-ms`` (5 ms) on the GUI thread
records each tick; a stall is the gap between two ticks minus the interval. Each round:

1. the sync worker is stopped and ``--items`` applications are queued through
   ``Outbox.submit_application`` (not measured);
2. **load**: the worker is started and the emulator starts its card cycle; the heartbeat
   runs until a helper thread sees the queue empty (``Outbox.stats().undelivered == 0``);
3. **idle baseline**: the cards stop, the worker stays running with nothing due, and the
   heartbeat runs for as long as the load phase lasted.

Prints, per phase, the longest stall, p99 and the count of stalls over 16 ms and 50 ms,
with the number of cards read and items delivered. Target: longest stall ≤ 50 ms under
load. ``--diagnose`` adds a watchdog thread that samples the GUI thread's Python stack
whenever the heartbeat is more than 30 ms late, and prints the most frequent ones.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVICE = "QR00107002"
TARGET_MS = 50.0


# --------------------------------------------------------------------------- child: the reader
def child_emulator(card_s: float) -> int:
    """The SAM emulator in its own process: prints the tty path, then obeys stdin lines
    ``on`` (start the place/remove cycle) and ``off`` (stop it, card removed)."""
    from devices.idcard.simulated import sample_card
    from tests.devices.idcard.emulator import SamEmulator

    cycling = threading.Event()
    done = threading.Event()
    with SamEmulator(pace_baud=115200) as emu:
        print(emu.path, flush=True)

        def cycle() -> None:
            cards = [sample_card("resident"), sample_card("resident_long_term")]
            n = 0
            while not done.is_set():
                if not cycling.wait(0.1):
                    continue
                emu.place(cards[n % 2])
                n += 1
                done.wait(card_s)
                emu.remove()
                done.wait(card_s)

        thread = threading.Thread(target=cycle, daemon=True)
        thread.start()
        for line in sys.stdin:
            if line.strip() == "on":
                cycling.set()
            elif line.strip() == "off":
                cycling.clear()
        done.set()
        thread.join(5)
    return 0


# --------------------------------------------------------------------------- measuring
class Heartbeat:
    """A precise GUI-thread timer; ``gaps`` are the stalls (ms) of the current phase."""

    def __init__(self, interval_ms: int) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval_ms = interval_ms
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.stalls: list[float] = []
        self.long: list[tuple[float, float]] = []  # (end, stall ms) of stalls over 30 ms

    def _tick(self) -> None:
        now = time.perf_counter()
        stall = max(0.0, (now - self.last) * 1000 - self.interval_ms)
        self.stalls.append(stall)
        if stall > 30:
            self.long.append((now, stall))
        self.last = now

    def start(self) -> None:
        self.stalls = []
        self.long = []
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.stalls


class Watchdog(threading.Thread):
    """A 10-ms loop on its own thread. When it too wakes up late (``gaps``), the whole
    process was held up (the GIL held in C code, or the process not scheduled on a busy
    machine), not the GUI thread alone. With ``sample``, it also records the GUI thread's
    Python stack whenever the heartbeat is more than 30 ms late (``--diagnose``)."""

    def __init__(self, beat: Heartbeat, *, sample: bool, late_ms: float = 30.0) -> None:
        super().__init__(name="bench-watchdog", daemon=True)
        self.beat = beat
        self.sample = sample
        self.late_s = late_ms / 1000
        self.gui = threading.main_thread().ident
        self.stacks: collections.Counter[str] = collections.Counter()
        self.gaps: list[tuple[float, float]] = []  # (start, end) of its own late wake-ups
        self.halt = threading.Event()

    def held_up(self, end: float, stall_ms: float) -> bool:
        """Was this thread also late for most of a GUI stall ending at ``end``?"""
        start = end - stall_ms / 1000
        overlap = sum(max(0.0, min(e, end) - max(s, start)) for s, e in self.gaps)
        return overlap > 0.5 * stall_ms / 1000

    def run(self) -> None:
        sampled_for = 0.0
        before = time.perf_counter()
        while not self.halt.wait(0.01):
            now = time.perf_counter()
            if now - before > 0.03:
                self.gaps.append((before + 0.01, now))
            before = now
            if not self.sample:
                continue
            last = self.beat.last
            if not self.beat.timer.isActive() or last == sampled_for:
                continue
            if time.perf_counter() - last > self.late_s:
                frame = sys._current_frames().get(self.gui or 0)
                if frame is not None:
                    lines = traceback.format_stack(frame, limit=12)
                    self.stacks["".join(lines[-6:])] += 1
                sampled_for = last


def summary(label: str, beat: Heartbeat, stalls: list[float], seconds: float,
            watchdog: Watchdog, extra: str) -> float:
    longest = max(stalls, default=0.0)
    p99 = statistics.quantiles(stalls, n=100)[98] if len(stalls) >= 100 else longest
    over16 = sum(s > 16 for s in stalls)
    over50 = sum(s > 50 for s in stalls)
    print(f"  {label:6s} {seconds:5.1f} s, {len(stalls):5d} ticks: longest stall "
          f"{longest:6.1f} ms, p99 {p99:5.1f} ms, >16 ms: {over16:3d}, >50 ms: {over50:2d}"
          f"{extra}", flush=True)
    held = [f"{ms:.0f}{'*' if watchdog.held_up(end, ms) else ''}" for end, ms in beat.long]
    if held:
        print(f"{'':9s}stalls over 30 ms: {' '.join(held)} ms "
              "(* = the whole process was held up too)", flush=True)
    return longest


# --------------------------------------------------------------------------- the run
def start_platform(work: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str, str]:
    from refplatform.spawn import spawn_platform

    return spawn_platform(work / "platform", cwd=ROOT, env=env)


def run(args: argparse.Namespace, work: Path) -> None:
    from PySide6.QtCore import QCoreApplication, QTimer

    from kiosk.bootstrap import build
    from kiosk.config import load_config
    from kiosk.logsetup import shutdown_logging
    from sync.outbox import ApplicationDraft, Person
    from sync.service import enroll_kiosk
    from ui.app import create_window, ensure_app

    env = dict(os.environ)
    emulator = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child-emulator",
         "--card-s", str(args.card_s)],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert emulator.stdin is not None and emulator.stdout is not None
    tty_path = emulator.stdout.readline().strip()
    platform_proc = None
    overrides: dict[str, Any] = {
        "data_dir": str(work / "kiosk"),
        "devices.idcard.backend": "serial",
        "devices.idcard.options": {"port": tty_path, "baudrate": 115200},
        "offline.max_queued_items": args.items * 2 + 100,
        "offline.min_free_disk_bytes": 1,
    }
    if not args.embedded:
        platform_proc, url, token = start_platform(work, env)
        overrides.update({"platform.embedded": False, "platform.url": url})
    cfg = load_config(env={}, overrides=overrides)
    if not args.embedded:
        enroll_kiosk(cfg, token, url=url)
    app = ensure_app()  # before the core's threads start, as ``ui.app.run`` does
    core = build(cfg, console_log=False)
    assert core.sync is not None
    kw = create_window(core)
    vm = kw.view_model
    reads = [0]
    vm.identify_vm.idcard_bridge.cardRead.connect(lambda _card: reads.__setitem__(0, reads[0] + 1))

    def pump(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.002)

    core.sync.worker.run_once(pull_status=True)  # in contact: the service is available
    pump(0.5)
    assert vm.linkState == "up", vm.linkState
    vm.wake()
    vm.openService(SERVICE)
    vm.startApplication()
    pump(0.5)
    assert vm.screen == "identify", vm.screen
    beat = Heartbeat(args.interval_ms)
    watchdog = Watchdog(beat, sample=args.diagnose)
    watchdog.start()
    person = Person(name="张三丰", id_number="11010519491231002X", phone="13812345678",
                    address="贵州省贵阳市观山湖区长岭北路 1 号")
    worst_load: list[float] = []
    worst_idle: list[float] = []
    outbox = core.sync.outbox
    try:
        for rnd in range(1, args.rounds + 1):
            core.sync.worker.stop()
            t = time.perf_counter()
            for i in range(args.items):
                if i and i % 250 == 0:
                    print(f"  queued {i} in {time.perf_counter() - t:.1f} s", flush=True)
                outbox.submit_application(ApplicationDraft(
                    service_code=SERVICE, service_name="户口迁出（省内）",
                    catalogue_version=core.catalogue.version, applicant=person,
                    form={"reason": f"工作调动 {rnd}-{i}", "destination": "贵州省遵义市红花岗区",
                          "household_no": f"{520100000000 + i}"}))
            print(f"round {rnd}: {args.items} applications queued in "
                  f"{time.perf_counter() - t:.1f} s", flush=True)

            # -- load: sync + card reads until the queue is empty
            drained = threading.Event()

            def watch_queue(ev: threading.Event = drained) -> None:
                while outbox.stats().undelivered > 0:
                    time.sleep(0.05)
                ev.set()

            reads[0] = 0

            def check(ev: threading.Event = drained) -> None:
                if ev.is_set():
                    app.exit(0)

            poll = QTimer()
            poll.setInterval(50)
            poll.timeout.connect(check)
            emulator.stdin.write("on\n")
            emulator.stdin.flush()
            beat.start()
            t = time.perf_counter()
            core.sync.worker.start()
            core.sync.worker.wake()  # deliver now, without the reconnect spread
            threading.Thread(target=watch_queue, daemon=True).start()
            poll.start()
            app.exec()
            poll.stop()
            load_s = time.perf_counter() - t
            load = beat.stop()
            load_long = beat.long
            emulator.stdin.write("off\n")
            emulator.stdin.flush()
            load_reads = reads[0]
            pump(2 * args.card_s + 0.5)  # the card is away and the poller has seen it

            # -- idle baseline: the same app, nothing to send, no cards, as long
            reads[0] = 0
            beat.start()
            QTimer.singleShot(int(load_s * 1000), lambda: app.exit(0))
            app.exec()
            idle = beat.stop()
            idle_long, beat.long = beat.long, load_long
            worst_load.append(summary("load", beat, load, load_s, watchdog,
                                      f" | {args.items} delivered, {load_reads} cards read"))
            beat.long = idle_long
            worst_idle.append(summary("idle", beat, idle, load_s, watchdog,
                                      f" | {reads[0]} cards read"))
    finally:
        watchdog.halt.set()
        watchdog.join(2)
        emulator.stdin.close()
        emulator.wait(10)
        kw.close()
        core.close()
        shutdown_logging()
        if platform_proc is not None:
            platform_proc.terminate()
            platform_proc.wait(10)

    print(f"longest stall under load: {max(worst_load):.1f} ms (rounds "
          f"{', '.join(f'{w:.1f}' for w in worst_load)}) | idle baseline "
          f"{max(worst_idle):.1f} ms (rounds {', '.join(f'{w:.1f}' for w in worst_idle)}) "
          f"| target <= {TARGET_MS:.0f} ms | platform "
          f"{'in-process' if args.embedded else 'separate process'}")
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if watchdog.stacks:
        print("\nGUI-thread stacks sampled during stalls (most frequent first):")
        for stack, n in watchdog.stacks.most_common(8):
            print(f"--- {n} ×\n{stack}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000, help="queued applications (1000)")
    parser.add_argument("--rounds", type=int, default=5, help="load + idle rounds (5)")
    parser.add_argument("--interval-ms", type=int, default=5, help="heartbeat interval (5)")
    parser.add_argument("--card-s", type=float, default=0.3,
                        help="seconds a card stays on the reader, and away (0.3)")
    parser.add_argument("--embedded", action="store_true",
                        help="run the platform in this process, as demo mode does")
    parser.add_argument("--diagnose", action="store_true",
                        help="sample the GUI thread's stack during stalls")
    parser.add_argument("--child-emulator", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_emulator:
        return child_emulator(args.card_s)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    with tempfile.TemporaryDirectory(prefix="bench-responsiveness-") as tmp:
        run(args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
