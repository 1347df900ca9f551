"""补打: reprint a receipt (or its A4 notice / materials list) still held on this kiosk.

``Reprinter(outbox, identity, catalogue=…, receipt_printer=…, a4_printer=…)`` finds the
application with ``Outbox.lookup(number)`` (provisional or case number), rebuilds exactly
the data of the original receipt (same template, same masked values, same submission time,
same QR) marked "补打" with the reprint time, records an entry in the kiosk-wide audit
log (``audit``, an ``AuditSink``: on the kiosk the one ``sync.audit.AuditLog``, which
also sends it upstream as an ``audit`` event) and prints::

    reprint(number, *, actor, document="receipt") -> ReprintResult
    receipt_data(number, *, at=None) -> ReceiptData      (for the screen, no audit)

The audit entry is written *before* printing, so no reprint happens unaudited (a full
queue raises ``StorageError`` and nothing is printed). It is ``actor``, ``action:
"reprint"`` and ``detail: {"receipt_no", "case_no", "service_code", "document"}`` —
numbers and codes only, no personal data; the log chains it (``seq``, ``prev_hash``,
``hash``) with every other maintenance action of the kiosk.

The received materials are not part of ``ApplicationView``; ``materials_of(view)`` supplies
them (default: ``view.materials`` when present), else the slip lists none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.errors import ValidationError
from printing.model import PrintOutcome, ReceiptData, build_receipt

if TYPE_CHECKING:
    from kiosk.catalogue import Catalogue, Service
    from kiosk.config import KioskIdentity
    from printing.cups import A4Printer
    from printing.escpos import ReceiptPrinter

__all__ = ["AuditSink", "ReprintResult", "Reprinter"]

DOCUMENTS = ("receipt", "notice", "materials")
MSG_NOT_FOUND = "未找到该办件，请核对受理编号"


class AuditSink(Protocol):
    """Where maintenance actions are audited (the kiosk's ``sync.audit.AuditLog``);
    ``record`` returns the key of the upstream audit event."""

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> str: ...


class _Queue(Protocol):
    def lookup(self, number: str) -> Any: ...


@dataclass(frozen=True)
class ReprintResult:
    number: str
    document: str
    data: ReceiptData
    outcome: PrintOutcome
    audit_key: str


class Reprinter:
    def __init__(self, outbox: _Queue, identity: KioskIdentity, *,
                 catalogue: Catalogue | Callable[[str], Service | None] | None = None,
                 receipt_printer: ReceiptPrinter | None = None,
                 a4_printer: A4Printer | None = None, query_url: str | None = None,
                 materials_of: Callable[[Any], Iterable[Any] | None] | None = None,
                 audit: AuditSink,
                 clock: Callable[[], float] = time.time) -> None:
        self.outbox = outbox
        self.identity = identity
        self.catalogue = catalogue
        self.receipt_printer = receipt_printer
        self.a4_printer = a4_printer
        self.query_url = query_url
        self.materials_of = materials_of or (lambda view: getattr(view, "materials", None))
        self.audit = audit
        self.clock = clock

    def _service(self, code: str) -> tuple[Service | None, str]:
        cat = self.catalogue
        if cat is None:
            return None, ""
        if callable(cat):
            return cat(code), ""
        try:
            service = cat.service(code)
        except LookupError:
            return None, ""
        try:
            dept = cat.department(service.department_id).name
        except LookupError:
            dept = ""
        return service, dept

    def find(self, number: str) -> Any:
        view = self.outbox.lookup(number)
        if view is None:
            raise ValidationError(f"no application {number!r} on this kiosk", field="number",
                                  user_message=MSG_NOT_FOUND)
        return view

    def receipt_data(self, number: str, *, at: float | None = None) -> ReceiptData:
        view = self.find(number)
        service, dept = self._service(view.service_code)
        data = build_receipt(view, service, self.identity, materials=self.materials_of(view),
                             query_url=self.query_url, department_name=dept)
        return data.as_reprint(self.clock() if at is None else at)

    def reprint(self, number: str, *, actor: str, document: str = "receipt") -> ReprintResult:
        if document not in DOCUMENTS:
            raise ValidationError(f"unknown document {document!r}", field="document")
        printer: Any = self.receipt_printer if document == "receipt" else self.a4_printer
        if printer is None:
            raise ValidationError(f"no printer for {document}", field="document",
                                  user_message="本机未配置该打印机")
        data = self.receipt_data(number)
        key = self.audit.record(actor, "reprint", {
            "receipt_no": data.provisional_no, "case_no": data.case_no,
            "service_code": data.service_code, "document": document})
        if document == "receipt":
            outcome = printer.print_receipt(data)
        else:
            outcome = printer.print_document(document, data)
        return ReprintResult(data.number, document, data, outcome, key)
