"""Start-up: process start to the first rendered frame, kiosk against a bare Qt Quick window.

    .venv/bin/python bench/bench_startup.py            # 10 runs of each
    .venv/bin/python bench/bench_startup.py --runs 3

Both subjects are fresh ``python`` processes of the project venv, spawned alternately
(kiosk, bare, kiosk, bare, …) so that both see the same machine load, with
``QT_QPA_PLATFORM=offscreen`` (unless already set) and ``QT_IM_MODULE=qtvirtualkeyboard``:

* **kiosk**: ``main.py demo --data-dir FRESH --screenshot PNG`` — the real entry point in
  demo mode over a fresh empty data directory each time, so every run pays what a first
  boot pays: the data directory, logging, the embedded reference platform, key generation
  and enrollment over loopback, the verified catalogue, the sync worker, the simulated
  devices, the QML of the attract screen and the on-screen keyboard;
* **bare**: this script with ``--child-bare`` — PySide6, a ``QQmlApplicationEngine`` and a
  ``Window`` holding one ``Text`` and a Qt Virtual Keyboard ``InputPanel``, nothing else.

Both run with bytecode caches, as an installed kiosk does (pip compiles the ``.pyc`` files):
``PYTHONDONTWRITEBYTECODE`` is dropped for the children and ``PYTHONPYCACHEPREFIX`` points at
a temporary directory, so the unmeasured first pair writes the caches there and the working
tree is not touched. (Without caches every project module is compiled from source at every
start: ``--no-bytecode-cache`` measures that.)

The clock starts just before ``subprocess.Popen`` and stops at the child's first
``QQuickWindow.frameSwapped``: the child prints ``time.monotonic()`` there
(CLOCK_MONOTONIC is system-wide on Linux, so the two clocks agree). For the kiosk that line
comes from ``ui.app.run`` in ``--screenshot`` mode. The kiosk draws its attract screen
before it builds the core (``ui/app.py``), so it also prints when it is **ready**: core
built, view-models bound, devices started; that time is reported beside, not compared.
Prints the median and range of each, and the ratio of the first-frame medians (target
≤ 1.3).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.3
STAMP = re.compile(r"first frame at monotonic (\d+\.\d+)")
READY = re.compile(r"kiosk ready at monotonic (\d+\.\d+)")

BARE_QML = """
import QtQuick
import QtQuick.Window
import QtQuick.VirtualKeyboard

Window {
    width: 1080; height: 1920; visible: true; color: "white"
    Text { anchors.centerIn: parent; text: "政务服务自助终端"; font.pixelSize: 48 }
    InputPanel { anchors.left: parent.left; anchors.right: parent.right; y: parent.height }
}
"""


def child_bare() -> int:
    """The baseline child: the smallest PySide6 QML window with the virtual keyboard."""
    from PySide6.QtCore import QByteArray, QUrl
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtQml import QQmlApplicationEngine
    from PySide6.QtQuick import QQuickWindow

    app = QGuiApplication(sys.argv[:1])
    engine = QQmlApplicationEngine()
    engine.loadData(QByteArray(BARE_QML.encode()), QUrl("bare.qml"))
    window = engine.rootObjects()[0]
    assert isinstance(window, QQuickWindow)

    def first_frame() -> None:
        print(f"first frame at monotonic {time.monotonic():.6f}", flush=True)
        window.frameSwapped.disconnect(first_frame)
        app.exit(0)

    window.frameSwapped.connect(first_frame)
    return app.exec()


def spawn(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from just before the spawn to the child's first swapped frame, and to
    "ready" (the kiosk only; 0 for the bare window)."""
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    match = STAMP.search(proc.stdout)
    if proc.returncode != 0 or match is None:
        raise RuntimeError(f"{args[0]} exited {proc.returncode} without a first frame:\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    ready = READY.search(proc.stdout)
    return float(match.group(1)) - t0, float(ready.group(1)) - t0 if ready else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each subject (10)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="leave PYTHONDONTWRITEBYTECODE / PYTHONPYCACHEPREFIX as they are")
    parser.add_argument("--child-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_bare:
        return child_bare()

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["QT_IM_MODULE"] = "qtvirtualkeyboard"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    pycache = tempfile.TemporaryDirectory(prefix="bench-startup-pycache-")
    if not args.no_bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache.name
    kiosk: list[float] = []
    bare: list[float] = []
    ready: list[float] = []
    # one unmeasured run of each first: the page cache, the .pyc files, the QML disk cache
    for i in range(args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            k, r = spawn(["main.py", "demo", "--data-dir", f"{tmp}/data",
                          "--screenshot", f"{tmp}/first.png"], env)
        b, _ = spawn([str(Path(__file__).resolve().relative_to(ROOT)), "--child-bare"], env)
        if i > 0:
            kiosk.append(k)
            bare.append(b)
            ready.append(r)
            print(f"run {i:2d}: kiosk {k * 1000:7.0f} ms   bare {b * 1000:7.0f} ms   "
                  f"ratio {k / b:.2f}   (kiosk ready {r * 1000:5.0f} ms)", flush=True)

    km, bm = statistics.median(kiosk), statistics.median(bare)
    ratios = [k / b for k, b in zip(kiosk, bare, strict=True)]
    print(f"kiosk first frame: median {km * 1000:.0f} ms "
          f"(range {min(kiosk) * 1000:.0f}–{max(kiosk) * 1000:.0f}) | "
          f"bare QML + virtual keyboard: median {bm * 1000:.0f} ms "
          f"(range {min(bare) * 1000:.0f}–{max(bare) * 1000:.0f}) | "
          f"ratio of medians {km / bm:.2f} (per-pair {min(ratios):.2f}–{max(ratios):.2f}; "
          f"target <= {TARGET})")
    print(f"kiosk ready (core built, view-models bound, devices started): median "
          f"{statistics.median(ready) * 1000:.0f} ms (range {min(ready) * 1000:.0f}–"
          f"{max(ready) * 1000:.0f})")
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"bytecode caches {'as in the environment' if args.no_bytecode_cache else 'on'}")
    pycache.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
