"""Shared fixtures. Qt runs offscreen; every test must leave no threads behind."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never read the developer's KIOSK_* settings (every KIOSK_* variable is a setting,
# and an unknown one is a configuration error); test knobs are KTEST_*.
for _name in [n for n in os.environ if n.startswith("KIOSK_")]:
    del os.environ[_name]

ROOT = Path(__file__).resolve().parent.parent

# PySide6 6.12.0 takes a reference from None at every void call and from True at every
# emit: the test process makes enough of both to abort (ui/app.py), whichever test runs first
from ui.app import pin_singleton_refcounts  # noqa: E402

pin_singleton_refcounts()


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"test leaked threads: {[t.name for t in leaked]}"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(os.environ.get("KTEST_ARTIFACTS", ROOT / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
# The kiosk's keyboard must be the one Qt loads in UI tests too.
os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
