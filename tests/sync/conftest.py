"""Fixtures for the queue tests: a real SQLite file in ``tmp_path``, the platform's key pair,
a settable clock and a draft factory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import OfflineLimits
from kiosk.crypto import EncryptionKeyPair
from sync.outbox import ApplicationDraft, Channel, Consent, MaterialInput, Outbox, Person

T0 = 1_795_320_000.0  # 2026-11-22 12:00 +08:00


class FakeClock:
    """A wall clock the test sets; it may jump forwards and backwards like a real RTC."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# Generous limits: the disk-full tests set their own.
ROOMY = OfflineLimits(min_free_disk_bytes=1, max_queued_items=10_000,
                      max_queued_bytes=10_000_000_000)


@pytest.fixture(scope="session")
def platform_keys() -> EncryptionKeyPair:
    return EncryptionKeyPair.generate()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


OpenOutbox = Callable[..., Outbox]


@pytest.fixture
def open_outbox(tmp_path: Path, platform_keys: EncryptionKeyPair,
                clock: FakeClock) -> Iterator[OpenOutbox]:
    """``open_outbox(**overrides)`` opens (or reopens) the queue under ``tmp_path``; every
    queue opened is closed at teardown."""
    opened: list[Outbox] = []

    def _open(**kw: Any) -> Outbox:
        args: dict[str, Any] = {
            "db_path": tmp_path / "data" / "kiosk.sqlite3",
            "attachments_dir": tmp_path / "data" / "attachments",
            "kiosk_code": "DEMO0001",
            "platform_encryption_key": platform_keys.public_b64(),
            "limits": ROOMY,
            "clock": clock,
        }
        args.update(kw)
        ob = Outbox.open(args.pop("db_path"), args.pop("attachments_dir"), **args)
        opened.append(ob)
        return ob

    yield _open
    for ob in opened:
        ob.close()


@pytest.fixture
def outbox(open_outbox: OpenOutbox) -> Outbox:
    return open_outbox()


def make_draft(i: int = 0, *, name: str = "张三丰", id_number: str = "11010519491231002X",
               phone: str = "13812345678", scans: int = 1, scan_bytes: int = 4096,
               content: bytes | None = None, **kw: Any) -> ApplicationDraft:
    materials = [MaterialInput(f"m{j + 1}", "C",
                               content if content is not None else os.urandom(scan_bytes))
                 for j in range(scans)]
    materials.append(MaterialInput("licence", "A", None, reference=f"LIC-{i}"))
    fields: dict[str, Any] = {
        "service_code": "QR00107002",
        "service_name": "居住证签注",
        "catalogue_version": "2026.11.1",
        "applicant": Person(name=name, id_number=id_number, phone=phone,
                            address="贵州省贵阳市南明区花果园大街1号"),
        "form": {"reason": "工作", "n": i, "contact_phone": phone},
        "materials": materials,
        "channel": Channel(),
        "consent": Consent(personal_info=True, sensitive_info=True),
    }
    fields.update(kw)
    return ApplicationDraft(**fields)


@pytest.fixture
def draft() -> Callable[..., ApplicationDraft]:
    return make_draft
