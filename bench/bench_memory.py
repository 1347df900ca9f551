"""Memory over many citizen sessions: peak RSS and RSS growth after a warm-up.

    .venv/bin/python bench/bench_memory.py                  # 500 sessions, warm-up 20
    .venv/bin/python bench/bench_memory.py --sessions 50    # quick check
    .venv/bin/python bench/bench_memory.py --diagnose       # + object counts by type

The kiosk runs in this process as in production — ``kiosk.bootstrap.build`` and
``ui.app.create_window``: the real view-models and QML (offscreen), simulated devices, the
sync worker running — against the reference platform in a separate process on loopback
(``main.py platform serve --no-faults``; ``--embedded`` puts it in this process as demo
mode does, and then its memory counts too).

Each session is the whole journey of ``tests/ui/journey_helpers.py``, driven through the
view-models as a person would with the screen: wake, open a service, place the ID card,
form (typed values), one material scanned with the simulated 高拍仪, face capture for
services that need it, signature, consent, review, submit (online: official number),
result, receipt printed, 好差评, farewell and wipe, card taken away. Four services take
turns, two of them with face capture. Waits are nested Qt event loops, so deferred
deletions and queued signals are processed as in ``app.exec()``.

The kiosk's queue already exists at the head revision, as on every start of a kiosk in
service (``--first-start`` measures the very first start, when this process creates the
queue through Alembic, which then stays loaded).

Figures from ``/proc/self/status``: ``VmRSS`` (after ``gc.collect()``), split into
``RssAnon`` and ``RssFile``, and ``VmHWM``, the peak. **Baseline**: the RSS of the app
loaded and idle (window shown, 2 s of event loop), before any session. **Growth**: RSS
after the last session minus RSS after the warm-up. Targets: peak ≤ 350 MB, growth
≤ 10 MB. ``--diagnose`` prints the Python object counts by type and the QObject children
of the view-model and the engine that grew between the end of the warm-up and the end.
"""

from __future__ import annotations

import argparse
import collections
import gc
import importlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: (service, material scanned); QR00108002 and JF00202001 need face capture
SERVICES = [("QR00107002", "hukou_book"), ("QR00108002", ""), ("GF00109001", "residence_proof"),
            ("JF00202001", "")]
PEAK_TARGET_MB = 350.0
GROWTH_TARGET_MB = 10.0


def status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def split() -> str:
    """Anonymous memory (heaps, Python objects, Qt's data) and file-backed pages (the code
    of the shared libraries, touched as features are first used)."""
    return f"anon {status_mb('RssAnon'):.1f} + file {status_mb('RssFile'):.1f}"


def rss_mb() -> float:
    gc.collect()
    return status_mb("VmRSS")


class Bot:
    """The two ``qtbot`` methods ``journey_helpers`` uses, over nested Qt event loops."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        # one loop and one timer for every wait: a new QEventLoop with a timer connected to
        # its quit() (what pytest-qt's qtbot.wait does) leaves one Python block behind per
        # wait in PySide6 6.12, ~200 per session here, which would count as the kiosk's growth
        self._loop = QEventLoop()
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._loop.quit)

    def wait(self, ms: int) -> None:
        self._timer.start(ms)
        self._loop.exec()

    def waitUntil(self, predicate: Callable[[], Any], timeout: int = 5000) -> None:  # noqa: N802
        end = time.monotonic() + timeout / 1000
        while not predicate():
            if time.monotonic() > end:
                raise TimeoutError(f"condition not met within {timeout} ms")
            self.wait(5)


def object_counts() -> collections.Counter[str]:
    gc.collect()
    return collections.Counter(type(o).__qualname__ for o in gc.get_objects())


def start_platform(work: Path) -> tuple[subprocess.Popen[str], str, str]:
    from refplatform.spawn import spawn_platform

    return spawn_platform(work / "platform", cwd=ROOT)


def run(args: argparse.Namespace, work: Path) -> None:
    from PySide6.QtCore import QObject

    from kiosk.bootstrap import build
    from kiosk.config import load_config
    from kiosk.logsetup import shutdown_logging
    from sync.service import enroll_kiosk
    # imported by name: the test helpers are not part of what mypy checks from bench/
    helpers = importlib.import_module("tests.ui.journey_helpers")
    finish_session, submit, to_review = helpers.finish_session, helpers.submit, helpers.to_review
    from ui.app import create_window, ensure_app

    start_mb = status_mb("VmRSS")
    overrides: dict[str, Any] = {"data_dir": str(work / "kiosk"), "log_level": "WARNING"}
    platform_proc = None
    if not args.embedded:
        platform_proc, url, token = start_platform(work)
        overrides.update({"platform.embedded": False, "platform.url": url})
    cfg = load_config(env={}, overrides=overrides)
    if not args.embedded:
        enroll_kiosk(cfg, token, url=url)
    if not args.first_start:
        # a kiosk in service restarts with its queue already at the head revision (its
        # first start ever created it, through Alembic): create it in a child process, so
        # this one measures the everyday start (sync.db.HEAD_REVISION)
        subprocess.run([sys.executable, "-c", "import sys; from sync.db import Database; "
                        "Database.open(sys.argv[1]).close()", str(cfg.db_path)],
                       check=True, cwd=ROOT, timeout=120)
    ensure_app()  # before the core's threads start, as ``ui.app.run`` does
    core = build(cfg, console_log=False)
    assert core.sync is not None
    kw = create_window(core)
    vm = kw.view_model
    bot = Bot()
    try:
        core.sync.worker.run_once(pull_status=True)
        bot.waitUntil(lambda: vm.linkState == "up")
        bot.wait(2000)
        idle_mb = rss_mb()
        print(f"after the imports {start_mb:.1f} MB; app loaded and idle (baseline) "
              f"{idle_mb:.1f} MB ({split()})", flush=True)

        warm_mb = counts_warm = children_warm = None
        t = time.monotonic()
        for n in range(1, args.sessions + 1):
            code, material = SERVICES[n % len(SERVICES)]
            scan = (material,) if material and not args.no_scan else ()
            to_review(bot, kw, code, scan=scan)
            submit(bot, kw)
            assert vm.screen == "result", vm.screen
            finish_session(bot, kw, rating=5 - n % 5)
            vm.identify_vm.simulateRemoveIdCard()
            bot.waitUntil(lambda: not vm.identify_vm.idcardPresent)
            bot.wait(20)
            if n == args.warmup:
                warm_mb = rss_mb()
                if args.diagnose:
                    counts_warm = object_counts()
                    children_warm = (len(vm.findChildren(QObject)),
                                     len(kw.engine.findChildren(QObject)))
            if n % args.every == 0 or n == args.sessions:
                print(f"session {n:4d}: RSS {rss_mb():6.1f} MB ({split()}), peak "
                      f"{status_mb('VmHWM'):6.1f} MB ({(time.monotonic() - t) / n:.2f} s per "
                      "session)", flush=True)
        end_mb = rss_mb()
        peak_mb = status_mb("VmHWM")
        assert warm_mb is not None
        growth = end_mb - warm_mb
        per_session = growth * 1024 / (args.sessions - args.warmup)
        print(f"peak RSS {peak_mb:.1f} MB (target <= {PEAK_TARGET_MB:.0f}) | growth "
              f"{growth:+.1f} MB from session {args.warmup} ({warm_mb:.1f} MB) to session "
              f"{args.sessions} ({end_mb:.1f} MB) = {per_session:.1f} KB/session "
              f"(target <= {GROWTH_TARGET_MB:.0f} MB) | baseline: loaded and idle {idle_mb:.1f} MB"
              f" | platform {'in-process' if args.embedded else 'separate process'}")
        if args.diagnose and counts_warm is not None and children_warm is not None:
            counts = object_counts()
            grown = (counts - counts_warm).most_common(20)
            print("Python objects that grew since the warm-up (type: +count):")
            for name, n in grown:
                print(f"  {name}: +{n} (now {counts[name]})")
            print(f"QObject children: view-model {children_warm[0]} -> "
                  f"{len(vm.findChildren(QObject))}, engine {children_warm[1]} -> "
                  f"{len(kw.engine.findChildren(QObject))}")
    finally:
        kw.close()
        core.close()
        shutdown_logging()
        if platform_proc is not None:
            platform_proc.terminate()
            platform_proc.wait(10)
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=500, help="citizen sessions (500)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="sessions before the growth reference (20)")
    parser.add_argument("--every", type=int, default=50, help="print RSS every N sessions")
    parser.add_argument("--no-scan", action="store_true", help="skip the material scans")
    parser.add_argument("--first-start", action="store_true",
                        help="a fresh data directory: the queue is created in this process "
                             "(through Alembic), as on a kiosk's very first start")
    parser.add_argument("--embedded", action="store_true",
                        help="run the platform in this process, as demo mode does")
    parser.add_argument("--diagnose", action="store_true",
                        help="object counts by type and QObject children that grew")
    args = parser.parse_args(argv)
    if not 0 < args.warmup < args.sessions:
        parser.error("--warmup must be between 0 and --sessions")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        run(args, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
