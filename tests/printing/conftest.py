"""Fixtures for the printing tests: a catalogue service, this kiosk, receipt data, artifacts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kiosk.catalogue import Catalogue, Service, load_catalogue
from kiosk.config import KioskIdentity
from printing.model import ReceiptData, build_receipt
from tests.printing.fake_printer import FakeNetworkPrinter

T0 = 1_795_320_000.0  # 2026-11-22 12:00 +08:00
FULL_ID = "11010519491231002X"
FULL_NAME = "欧阳娜娜"
PROVISIONAL = "DEMO0001-20261122-000017-3"
RECEIVED = [("idcard", "B"), ("hukou_book", "A"), ("move_in_proof", "C")]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def service(catalogue: Catalogue) -> Service:
    return catalogue.service("QR00107002")


@pytest.fixture(scope="session")
def identity() -> KioskIdentity:
    return KioskIdentity()


def source(**kw: Any) -> SimpleNamespace:
    """A stand-in for SubmitReceipt/ApplicationView. Deliberately carries the *full* name
    and ID in the masked fields: the model must mask them again."""
    base: dict[str, Any] = {
        "provisional_no": PROVISIONAL, "case_no": None, "service_code": "QR00107002",
        "service_name": "户口迁出（省内）", "masked_name": FULL_NAME, "masked_id": FULL_ID,
        "state": "pending", "created_at": T0}
    base.update(kw)
    return SimpleNamespace(**base)


MakeData = Callable[..., ReceiptData]


@pytest.fixture
def make_data(service: Service, identity: KioskIdentity) -> MakeData:
    def _make(materials: Any = RECEIVED, query_url: str | None = None,
              ident: KioskIdentity | None = None, **kw: Any) -> ReceiptData:
        return build_receipt(source(**kw), service, ident or identity, materials=materials,
                             query_url=query_url, department_name="贵阳市公安局")
    return _make


@pytest.fixture(scope="session")
def printing_artifacts(artifacts_dir: Path) -> Path:
    path = artifacts_dir / "printing"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def fake_printer() -> Iterator[FakeNetworkPrinter]:
    with FakeNetworkPrinter() as fp:
        yield fp
