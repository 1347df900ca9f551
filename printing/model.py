"""What a receipt, an A4 notice and a materials list say — and what a printer answered.

Pure: no I/O, no vendor libraries. Everything printed comes from a :class:`ReceiptData`,
built by :func:`build_receipt` from

* the queue's answer for the application (``sync.outbox.SubmitReceipt`` right after
  submission, or ``ApplicationView`` from ``Outbox.lookup`` for a reprint; any object with
  ``provisional_no``, ``service_code``, ``service_name``, ``masked_name``, ``masked_id``,
  ``state``, ``created_at`` and optionally ``case_no`` will do),
* the catalogue's ``Service`` (material list with trust levels, time limits, fee, where the
  result is collected, channels),
* this terminal's ``KioskIdentity`` (code and hall name),
* the materials actually received (``MaterialInput`` objects or ``(material_id,
  trust_level)`` pairs).

Privacy rules enforced here, whatever the caller passes:

* name and ID number are (re-)masked with ``kiosk.masking`` (masking is idempotent, so a
  masked value passes unchanged and a full value never reaches paper);
* the QR payload is only a query key (the provisional number) or a query URL built from a
  configured template whose only placeholder is ``{number}`` — never personal data.

The printed number is the official case number (办件编号) once the platform has accepted the
application, otherwise the provisional number (临时受理编号) marked "待上报". The QR always
carries the provisional number: it never changes, and 办件查询 accepts either.

Printer answers (shared by the ESC/POS and CUPS backends): :class:`PrinterStatus` (one
:class:`PrinterState`; ``UNKNOWN`` whenever the printer did not answer — never "OK") and
:class:`PrintOutcome` (printed / not printed / uncertain, with the fallbacks to offer).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kiosk.errors import ConfigError
from kiosk.masking import mask_id_number, mask_name

if TYPE_CHECKING:
    from kiosk.catalogue import Service
    from kiosk.config import KioskIdentity

__all__ = [
    "FALLBACKS",
    "FLAGS",
    "FORM_LABELS",
    "PLACEHOLDERS",
    "TRUST_LABELS",
    "TRUST_LEVEL_TEXT",
    "MaterialLine",
    "PrintOutcome",
    "PrintResult",
    "PrinterState",
    "PrinterStatus",
    "ReceiptData",
    "build_receipt",
    "format_time",
    "qr_payload_for",
    "sanitize",
]

CHINA_TZ = timezone(timedelta(hours=8), "CST")

#: Short labels printed next to a material (PRODUCT.md §5).
TRUST_LABELS: Mapping[str, str] = {
    "A": "电子证照",
    "B": "已核验原件",
    "C": "原件待窗口核验",
    "D": "告知承诺",
}
#: The legend printed on the A4 materials list.
TRUST_LEVEL_TEXT: Mapping[str, str] = {
    "A": "A级：有权机关签发的电子证照，无需再交原件",
    "B": "B级：工作人员已当场核对原件",
    "C": "C级：申请人自行上传，原件须到窗口核验",
    "D": "D级：申请人书面承诺，事后核查",
}
FORM_LABELS: Mapping[str, str] = {"original": "原件", "copy": "复印件", "electronic": "电子件"}

# Undelivered states show "待上报" on paper whatever the queue is doing right now.
_PLATFORM_STATES = frozenset({"submitted", "accepted", "needs_correction", "refused",
                              "completed"})
_STATE_LABELS: Mapping[str, str] = {
    "submitted": "已上报", "accepted": "已受理", "needs_correction": "需补正",
    "refused": "不予受理", "completed": "已办结",
}
_QUERY_URL_RE = re.compile(r"https?://[^\s{}]+")


_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_BOX = "□"
_SPACES = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")


def _is_variation_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def sanitize(text: str) -> str:
    """NFC; line breaks and tabs → space; control/format/surrogate/variation selectors
    dropped; unassigned and private-use → □. Total: never raises."""
    with contextlib.suppress(UnicodeError):  # lone surrogates
        text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        if ch in _SPACES:
            out.append(" ")
            continue
        cat = unicodedata.category(ch)
        if cat in _DROP_CATEGORIES or _is_variation_selector(ord(ch)):
            continue
        out.append(_BOX if cat in ("Co", "Cn") else ch)
    return "".join(out)



def format_time(ts: float) -> str:
    """Unix seconds → ``2026-11-22 12:00`` in China Standard Time."""
    return datetime.fromtimestamp(ts, tz=CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _days(n: int) -> str:
    return "即办" if n <= 0 else f"{n}个工作日"


@dataclass(frozen=True)
class MaterialLine:
    """One material of the service's list, with what the kiosk received for it."""

    material_id: str
    name: str
    received: bool
    trust_level: str  # level of the received material, else the guide's level
    required: bool = True
    condition: str | None = None
    forms: tuple[str, ...] = ()
    count: int = 1
    note: str = ""

    @property
    def trust_label(self) -> str:
        return TRUST_LABELS.get(self.trust_level, "")

    @property
    def forms_text(self) -> str:
        return "/".join(FORM_LABELS.get(f, f) for f in self.forms)

    @property
    def requirement_text(self) -> str:
        if self.required:
            return "必须提交"
        return f"按条件提交：{self.condition}" if self.condition else "按条件提交"


@dataclass(frozen=True)
class ReceiptData:
    """Everything a slip, a notice and a materials list show. Holds no personal data
    beyond the masked name and ID number."""

    kiosk_code: str
    hall_name: str
    service_name: str
    service_code: str
    provisional_no: str
    case_no: str | None
    state: str  # ItemState value
    masked_name: str
    masked_id: str
    submitted_at: float
    materials: tuple[MaterialLine, ...] = ()
    department_name: str = ""
    time_limit_promised_days: int = 0
    time_limit_legal_days: int = 0
    fee: str = ""
    result_collection: str = ""
    channels: tuple[str, ...] = ()
    faq: tuple[tuple[str, str], ...] = ()
    qr_payload: str = ""
    reprint_at: float | None = None

    # -- derived --------------------------------------------------------------------------
    @property
    def delivered(self) -> bool:
        return self.state in _PLATFORM_STATES

    @property
    def number(self) -> str:
        return self.case_no or self.provisional_no

    @property
    def number_label(self) -> str:
        return "办件编号" if self.case_no else "临时受理编号"

    @property
    def status_label(self) -> str:
        return _STATE_LABELS.get(self.state, "待上报") if self.delivered else "待上报"

    @property
    def received_materials(self) -> tuple[MaterialLine, ...]:
        return tuple(m for m in self.materials if m.received)

    @property
    def reprint(self) -> bool:
        return self.reprint_at is not None

    def flags(self) -> frozenset[str]:
        """Conditions a template's ``when`` can test."""
        out = {"delivered" if self.delivered else "undelivered"}
        if self.case_no:
            out.add("case_no")
        if self.reprint:
            out.add("reprint")
        levels = {m.trust_level for m in self.received_materials}
        if "C" in levels:
            out.add("originals_needed")
        if "D" in levels:
            out.add("commitment")
        if self.received_materials:
            out.add("materials")
        if self.channels:
            out.add("channels")
        if self.result_collection:
            out.add("result_collection")
        return frozenset(out)

    def placeholders(self) -> dict[str, str]:
        """Values for ``{name}`` placeholders in templates (see ``printing.templates``)."""
        return {
            "kiosk_code": self.kiosk_code,
            "hall_name": self.hall_name,
            "service_name": self.service_name,
            "service_code": self.service_code,
            "department_name": self.department_name,
            "number": self.number,
            "number_label": self.number_label,
            "provisional_no": self.provisional_no,
            "case_no": self.case_no or "",
            "status_label": self.status_label,
            "masked_name": self.masked_name,
            "masked_id": self.masked_id,
            "submitted_at": format_time(self.submitted_at),
            "reprinted_at": format_time(self.reprint_at) if self.reprint_at is not None else "",
            "promised_time_limit": _days(self.time_limit_promised_days),
            "legal_time_limit": _days(self.time_limit_legal_days),
            "fee": self.fee or "不收费",
            "result_collection": self.result_collection,
            "channels": "、".join(self.channels),
            "material_count": str(len(self.received_materials)),
        }

    def as_reprint(self, at: float) -> ReceiptData:
        """The same receipt, marked 补打 at ``at``."""
        return dataclasses.replace(self, reprint_at=at)


PLACEHOLDERS: frozenset[str] = frozenset(
    ReceiptData("K", "", "", "", "", None, "pending", "", "", 0.0).placeholders())


def qr_payload_for(provisional_no: str, query_url: str | None = None) -> str:
    """The QR content: the provisional number, or ``query_url`` with ``{number}`` filled.

    ``query_url`` must be an http(s) URL whose only placeholder is ``{number}``
    (``ConfigError`` otherwise): nothing personal can get into it.
    """
    if not query_url:
        return provisional_no
    if query_url.count("{number}") != 1 or not _QUERY_URL_RE.fullmatch(
            query_url.replace("{number}", "N")):
        raise ConfigError(f"printing.query_url: expected an http(s) URL with exactly one "
                          f"{{number}} placeholder, got {query_url!r}", key="printing.query_url")
    return query_url.replace("{number}", provisional_no)


def _received(materials: Iterable[Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in materials or ():
        if isinstance(m, tuple):
            material_id, level = str(m[0]), str(m[1])
        else:
            material_id, level = str(m.material_id), str(m.trust_level)
        out[material_id] = level
    return out


def build_receipt(source: Any, service: Service | None, identity: KioskIdentity, *,
                  materials: Iterable[Any] | None = None, query_url: str | None = None,
                  department_name: str = "", reprint_at: float | None = None) -> ReceiptData:
    """Build the printable data; see the module docstring. ``service`` may be ``None`` when
    the catalogue no longer lists the service (an old receipt): the guide parts stay empty.
    ``materials=None`` takes ``source.materials`` when the source has one."""
    if materials is None:
        materials = getattr(source, "materials", None)
    received = _received(materials)
    lines: list[MaterialLine] = []
    if service is not None:
        for m in service.materials:
            level = received.pop(m.id, None)
            lines.append(MaterialLine(
                material_id=m.id, name=m.name, received=level is not None,
                trust_level=level or m.trust_level, required=m.required,
                condition=m.condition, forms=tuple(m.forms), count=m.count, note=m.note))
    for material_id, level in received.items():  # received but not in (this) catalogue
        lines.append(MaterialLine(material_id=material_id, name=f"材料（{material_id}）",
                                  received=True, trust_level=level))
    state = getattr(source, "state", "pending")
    state = str(getattr(state, "value", state))
    return ReceiptData(
        kiosk_code=identity.code,
        hall_name=identity.hall_name,
        service_name=str(source.service_name),
        service_code=str(source.service_code),
        provisional_no=str(source.provisional_no),
        case_no=getattr(source, "case_no", None) or None,
        state=state,
        masked_name=mask_name(str(source.masked_name)),
        masked_id=mask_id_number(str(source.masked_id)),
        submitted_at=float(source.created_at),
        materials=tuple(lines),
        department_name=department_name,
        time_limit_promised_days=service.time_limit_promised_days if service else 0,
        time_limit_legal_days=service.time_limit_legal_days if service else 0,
        fee=service.fee if service else "",
        result_collection=service.result_collection if service else "",
        channels=tuple(service.channels) if service else (),
        faq=tuple(service.faq) if service else (),
        qr_payload=qr_payload_for(str(source.provisional_no), query_url),
        reprint_at=reprint_at,
    )


# -- printer answers ----------------------------------------------------------------------

class PrinterState(StrEnum):
    PAPER_OK = "paper_ok"
    NEAR_END = "near_end"
    PAPER_END = "paper_end"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"  # offline or in error (cutter jam, head overheat …)
    UNKNOWN = "unknown"  # no (plausible) answer: never treated as OK

    @property
    def label(self) -> str:
        return _PRINTER_LABELS[self]


_PRINTER_LABELS: Mapping[PrinterState, str] = {
    PrinterState.PAPER_OK: "正常",
    PrinterState.NEAR_END: "纸将用完",
    PrinterState.PAPER_END: "缺纸",
    PrinterState.COVER_OPEN: "纸仓盖未关",
    PrinterState.OFFLINE: "离线或故障",
    PrinterState.UNKNOWN: "状态未知（无应答）",
}


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    detail: str = ""
    raw: Mapping[int, int] = field(default_factory=dict)  # DLE EOT n → reply byte
    reasons: tuple[str, ...] = ()  # CUPS printer-state-reasons

    @property
    def can_print(self) -> bool:
        return self.state in (PrinterState.PAPER_OK, PrinterState.NEAR_END)

    @property
    def label_zh(self) -> str:
        return self.state.label

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state.value, "label_zh": self.label_zh,
                "can_print": self.can_print, "detail": self.detail,
                "raw": {str(k): f"0x{v:02X}" for k, v in sorted(self.raw.items())},
                "reasons": list(self.reasons)}


class PrintResult(StrEnum):
    PRINTED = "printed"  # status OK before and after the job
    NOT_PRINTED = "not_printed"  # nothing (usable) came out: offer the fallbacks
    UNCERTAIN = "uncertain"  # the job went out, but the printer cannot confirm it: ask


#: Conditions a template's ``when`` may name (prefix ``!`` to negate).
FLAGS: frozenset[str] = frozenset({"delivered", "undelivered", "case_no", "reprint",
                                   "originals_needed", "commitment", "materials", "channels",
                                   "result_collection"})

#: What the UI may offer instead of, or besides, the slip.
FALLBACKS = ("a4_notice", "screen_qr")

MSG_PRINTED = "请取走您的回执"
MSG_NOT_PRINTED = ("回执暂时无法打印，您的申请已保存。请扫描屏幕上的二维码记下受理编号，"
                   "或打印A4受理通知书")
MSG_UNCERTAIN = ("回执可能没有完整打印，请确认是否已取得回执；如未取得，请扫描屏幕上的"
                 "二维码或打印A4受理通知书")


@dataclass(frozen=True)
class PrintOutcome:
    """The answer of a print job. Never lost: ``number`` and ``qr_payload`` travel with it
    so the screen can always show the QR instead."""

    result: PrintResult
    status_before: PrinterStatus
    status_after: PrinterStatus | None
    number: str = ""
    qr_payload: str = ""
    detail: str = ""
    job_id: str | None = None
    bytes_sent: int = 0

    @property
    def printed(self) -> bool:
        return self.result is PrintResult.PRINTED

    @property
    def fallback(self) -> tuple[str, ...]:
        return () if self.printed else FALLBACKS

    @property
    def check_with_citizen(self) -> bool:
        return self.result is PrintResult.UNCERTAIN

    @property
    def paper_low(self) -> bool:
        last = self.status_after or self.status_before
        return last.state is PrinterState.NEAR_END

    @property
    def message_zh(self) -> str:
        return {PrintResult.PRINTED: MSG_PRINTED, PrintResult.NOT_PRINTED: MSG_NOT_PRINTED,
                PrintResult.UNCERTAIN: MSG_UNCERTAIN}[self.result]

    def as_dict(self) -> dict[str, Any]:
        return {"result": self.result.value, "message_zh": self.message_zh,
                "fallback": list(self.fallback), "number": self.number,
                "qr_payload": self.qr_payload, "detail": self.detail, "job_id": self.job_id,
                "bytes_sent": self.bytes_sent, "status_before": self.status_before.as_dict(),
                "status_after": self.status_after.as_dict() if self.status_after else None}
