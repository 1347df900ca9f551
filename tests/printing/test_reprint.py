"""补打 from the real queue: same content, a 补打 mark, an audit event without personal data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.catalogue import Catalogue, Service
from kiosk.config import KioskIdentity, OfflineLimits
from kiosk.crypto import EncryptionKeyPair
from kiosk.errors import ValidationError
from printing.cups import SimulatedA4Printer
from printing.escpos import SimulatedReceiptPrinter
from printing.model import build_receipt
from printing.reprint import Reprinter
from sync.audit import AuditLog
from sync.outbox import ApplicationDraft, Consent, MaterialInput, Outbox, Person
from tests.printing.conftest import FULL_ID, FULL_NAME, T0
from tests.printing.escpos_decoder import decode

CASE_NO = "520100-QR00107002-20261122-000123"
MATERIALS = [MaterialInput("idcard", "B", b"scan-of-id-card" * 50),
             MaterialInput("hukou_book", "A", None, reference="HK-520100-0001"),
             MaterialInput("move_in_proof", "C", b"scan-of-contract" * 50)]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(tmp_path: Path, clock: Clock) -> Iterator[Outbox]:
    ob = Outbox.open(tmp_path / "q.sqlite3", tmp_path / "att", kiosk_code="DEMO0001",
                     platform_encryption_key=EncryptionKeyPair.generate().public_b64(),
                     limits=OfflineLimits(min_free_disk_bytes=1), clock=clock)
    yield ob
    ob.close()


def draft(service: Service) -> ApplicationDraft:
    return ApplicationDraft(
        service_code=service.code, service_name=service.name, catalogue_version="2026.11.1",
        applicant=Person(name=FULL_NAME, id_number=FULL_ID, phone="13812345678"),
        materials=MATERIALS, consent=Consent(personal_info=True))


def audit_bodies(outbox: Outbox) -> list[dict[str, object]]:
    items = [i for i in outbox.due(now=T0 + 10**6, limit=100) if i.kind == "audit"]
    return [json.loads(i.payload)["body"] for i in items]


def test_reprint_is_identical_but_marked_and_audited(outbox: Outbox, clock: Clock,
                                                     catalogue: Catalogue, service: Service,
                                                     identity: KioskIdentity) -> None:
    receipt = outbox.submit_application(draft(service))
    printer = SimulatedReceiptPrinter(paper_width_mm=58)
    original = printer.print_receipt(build_receipt(receipt, service, identity,
                                                   materials=MATERIALS))
    assert original.printed
    clock.now = T0 + 3600
    reprinter = Reprinter(outbox, identity, catalogue=catalogue, receipt_printer=printer,
                          materials_of=lambda view: MATERIALS, clock=clock,
                          audit=AuditLog(outbox))
    result = reprinter.reprint(receipt.provisional_no, actor="staff:0421")
    assert result.outcome.printed
    first, second = (decode(job) for job in printer.jobs)
    mark = "【补打】2026-11-22 13:00"
    assert mark in second.lines and mark not in first.lines
    assert [ln for ln in second.lines if ln != mark] == first.lines
    assert second.qr_codes == first.qr_codes
    assert "申请人：欧阳**" in first.lines

    (body,) = audit_bodies(outbox)
    assert body["action"] == "reprint" and body["actor"] == "staff:0421"
    assert body["detail"] == {"receipt_no": receipt.provisional_no, "case_no": None,
                              "service_code": "QR00107002", "document": "receipt"}
    assert body["seq"] == 1 and body["prev_hash"] == "0" * 64
    (entry,) = AuditLog(outbox).entries()
    assert entry.body() == body and result.audit_key
    assert AuditLog(outbox).verify().ok
    flat = json.dumps(body, ensure_ascii=False)
    for personal in (FULL_ID, FULL_NAME, receipt.masked_id, receipt.masked_name):
        assert personal not in flat


def test_reprint_by_case_number_after_acceptance(outbox: Outbox, catalogue: Catalogue,
                                                 service: Service,
                                                 identity: KioskIdentity) -> None:
    receipt = outbox.submit_application(draft(service))
    outbox.mark_delivered(receipt.key, case_no=CASE_NO, state="accepted")
    printer = SimulatedReceiptPrinter(paper_width_mm=80)
    a4 = SimulatedA4Printer()
    reprinter = Reprinter(outbox, identity, catalogue=catalogue, receipt_printer=printer,
                          a4_printer=a4, materials_of=lambda view: MATERIALS,
                          audit=AuditLog(outbox))
    slip = reprinter.reprint(CASE_NO, actor="staff:0421")
    lines = decode(printer.jobs[0]).lines
    assert f"办件编号：{CASE_NO}" in lines
    assert f"临时受理编号：{receipt.provisional_no}" in lines
    assert "办理状态：已受理" in lines and slip.number == CASE_NO
    notice = reprinter.reprint(receipt.provisional_no, actor="staff:0421", document="notice")
    assert notice.outcome.printed and a4.documents[0].pdf.startswith(b"%PDF")
    bodies = audit_bodies(outbox)
    assert [b["seq"] for b in bodies] == [1, 2]
    assert bodies[1]["prev_hash"] == bodies[0]["hash"]
    assert bodies[1]["detail"] == {"receipt_no": receipt.provisional_no, "case_no": CASE_NO,
                                   "service_code": "QR00107002", "document": "notice"}


def test_unknown_number_is_a_clear_error(outbox: Outbox, identity: KioskIdentity) -> None:
    reprinter = Reprinter(outbox, identity, receipt_printer=SimulatedReceiptPrinter(),
                          audit=AuditLog(outbox))
    with pytest.raises(ValidationError) as exc:
        reprinter.reprint("DEMO0001-20261122-999999-0", actor="staff:1")
    assert exc.value.user_message == "未找到该办件，请核对受理编号"
    assert audit_bodies(outbox) == []


def test_reprint_without_paper_is_still_audited_and_offers_fallback(
        outbox: Outbox, catalogue: Catalogue, service: Service,
        identity: KioskIdentity) -> None:
    receipt = outbox.submit_application(draft(service))
    printer = SimulatedReceiptPrinter(status="paper_end")
    result = Reprinter(outbox, identity, catalogue=catalogue, receipt_printer=printer,
                       audit=AuditLog(outbox)).reprint(receipt.provisional_no, actor="s:1")
    assert not result.outcome.printed and result.outcome.fallback
    assert printer.jobs == [] and len(audit_bodies(outbox)) == 1


def test_a_reprint_after_delivery_still_lists_the_materials_received(
        outbox: Outbox, catalogue: Catalogue, service: Service,
        identity: KioskIdentity) -> None:
    """The sealed payload is purged once the platform has the application; the materials
    and their trust levels stay readable on the record (revision 0003), so the 补打 slip
    lists them like the original."""
    receipt = outbox.submit_application(draft(service))
    outbox.mark_delivered(receipt.key, CASE_NO)
    view = outbox.lookup(CASE_NO)
    assert view is not None and view.purged
    printer = SimulatedReceiptPrinter()
    reprinter = Reprinter(outbox, identity, catalogue=catalogue, receipt_printer=printer,
                          audit=AuditLog(outbox))  # default: the record's own materials
    data = reprinter.receipt_data(CASE_NO)
    got = {m.material_id: m.trust_level for m in data.materials if m.received}
    assert got == {"idcard": "B", "hukou_book": "A", "move_in_proof": "C"}
    assert reprinter.reprint(CASE_NO, actor="staff:0421").outcome.printed
    text = "\n".join(decode(printer.jobs[-1]).lines)
    assert "居民户口簿" in text and "A" in text
