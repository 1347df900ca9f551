"""Templates are data: a catalogue bundle's ``print_templates`` reaches both printers."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kiosk.catalogue import load_catalogue
from kiosk.errors import CatalogueError
from printing.cups import SimulatedA4Printer
from printing.escpos import SimulatedReceiptPrinter
from tests.printing.conftest import MakeData
from tests.printing.escpos_decoder import decode
from ui.devices import KioskDevices

OVERLAY = {
    "kinds": {"notice": {"title": "贵阳市政务服务受理告知书"}},
    "services": {"QR00107002": {"receipt": {
        "title": "户籍业务受理回执", "steps": ["请于三日内携带原件到迁入地派出所办理落户。"]}}},
}


def bundle(**extra: Any) -> bytes:
    raw = resources.files("kiosk.data").joinpath("catalogue.json").read_bytes()
    doc = json.loads(raw)
    doc.update(extra)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def pdftext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True, timeout=30).stdout
    return "".join(out.split())


def test_catalogue_schema_accepts_print_templates_and_keeps_them() -> None:
    cat = load_catalogue(bundle(print_templates=OVERLAY))
    assert cat.print_templates == OVERLAY
    assert load_catalogue().print_templates is None


def test_catalogue_schema_refuses_a_malformed_print_templates_member() -> None:
    with pytest.raises(CatalogueError, match=r"\$\.print_templates"):
        load_catalogue(bundle(print_templates={"kinds": {}, "colour": "red"}))
    with pytest.raises(CatalogueError, match=r"print_templates\.services"):
        load_catalogue(bundle(print_templates={"services": {"not-a-code": {}}}))


def test_both_printers_print_with_the_catalogue_templates(make_data: MakeData,
                                                          tmp_path: Path) -> None:
    receipt, a4 = SimulatedReceiptPrinter(), SimulatedA4Printer()
    devices = KioskDevices(receipt_printer=receipt, a4_printer=a4)
    devices.apply_catalogue(load_catalogue(bundle(print_templates=OVERLAY)).print_templates)
    with receipt, a4:
        assert receipt.print_receipt(make_data()).printed
        n = len(receipt.output)
        assert receipt.print_receipt(make_data(service_code="GF00000001")).printed
        assert a4.print_notice(make_data()).printed
    first, second = receipt.output[:n], receipt.output[n:]
    lines = decode(first).lines
    assert "户籍业务受理回执" in lines
    assert any("请于三日内携带原件到迁入地派出所办理落户。" in ln for ln in lines)
    other = decode(second).lines
    assert "户籍业务受理回执" not in other and "政务服务受理回执" in other  # per service
    assert "贵阳市政务服务受理告知书" in pdftext(a4.documents[0].pdf, tmp_path)
    assert devices.faults == {}


def test_an_invalid_catalogue_overlay_is_kept_out_and_reported(make_data: MakeData) -> None:
    receipt = SimulatedReceiptPrinter()
    devices = KioskDevices(receipt_printer=receipt)
    devices.apply_catalogue({"kinds": {"receipt": {"steps": ["{full_id}"]}}})
    assert devices.health()["receipt_printer"] == "fault"
    with receipt:
        assert receipt.print_receipt(make_data()).printed
    assert "政务服务受理回执" in decode(receipt.output).lines  # the default still prints
