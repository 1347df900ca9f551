"""Shared pieces of the stress tests: drafts, limits, knobs and a read-only look into a
kiosk's queue file. Method and figures: docs/stress.md."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from kiosk.config import OfflineLimits
from sync.outbox import ApplicationDraft, MaterialInput, Person

ROOMY = OfflineLimits(min_free_disk_bytes=1, max_queued_items=100_000,
                      max_queued_bytes=10_000_000_000)


def knob(name: str, default: int) -> int:
    """An integer test knob from the environment (``KTEST_*``; ``tests/conftest.py`` removes
    every ``KIOSK_*`` variable, those are kiosk settings)."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def draft(i: int, *, scans: int = 0, size: int = 0) -> ApplicationDraft:
    """A realistic small application: ~1.2 KB sealed item, ``scans`` materials of
    ``size`` bytes each (distinct content per application and material)."""
    return ApplicationDraft(
        service_code="QR00107002", service_name="户口迁出（省内）",
        catalogue_version="2025.06.1",
        applicant=Person(name="张三丰", id_number="11010519491231002X", phone="13812345678",
                         address="贵州省贵阳市观山湖区长岭北路 1 号"),
        form={"reason": f"工作调动 {i}", "destination": "贵州省遵义市红花岗区",
              "household_no": f"{520100000000 + i}"},
        materials=[MaterialInput(f"m{j}", "C",
                                 (i.to_bytes(4, "big") + bytes([j])) * (size // 5 + 1))
                   for j in range(scans)])


def ro_connect(db_path: Path) -> sqlite3.Connection:
    """A read-only connection to a kiosk queue that no process is using (never checkpoints
    or rewrites the files a crashed process left behind)."""
    return sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True,
                           isolation_level=None)
