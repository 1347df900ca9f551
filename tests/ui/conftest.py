"""Fixtures shared by the UI tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def english() -> None:
    """The English .qm (scripts/setup.sh builds it; a bare pytest run may not have it)."""
    ts = Path(__file__).resolve().parents[2] / "ui" / "i18n" / "kiosk_en.ts"
    qm = ts.with_suffix(".qm")
    if not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime:
        lrelease = Path(sys.executable).parent / "pyside6-lrelease"
        subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(qm)], check=True)
