"""The durable queue: applications and events waiting for the provincial platform.

This is the repository the UI (submit, 办件查询, staff queue view) and the sync worker use.
Design and figures: ``docs/queue.md``; wire format: ``docs/platform-api.md`` §2–§6.

Opening
=======

``Outbox.open(db_path, attachments_dir, *, kiosk_code, platform_encryption_key, limits,
clock=time.time, max_backoff_s=900.0) -> Outbox`` checks the database (``PRAGMA
integrity_check``; a damaged file is quarantined, never deleted — see ``outbox.open_report``,
an ``OpenReport`` with ``quarantined_path`` and a Chinese ``message_zh`` to show and alert),
upgrades the schema, reschedules items a crash left in ``sending`` and removes orphan
attachment files. One process owns a queue (``flock``); all methods are thread-safe and all
writes go through one SQLite connection under one lock. ``close()`` is idempotent; the
object is a context manager. ``clock`` is Unix seconds; it is used for timestamps only —
order is always the local sequence ``seq``.

Producing (UI thread or a background job)
=========================================

``submit_application(draft, *, client_ref=None) -> SubmitReceipt``
    Seals the personal data (``kiosk.crypto.seal``, AAD = the new UUID4 idempotency key),
    encrypts and durably writes the material scans, then in **one** ``BEGIN IMMEDIATE``
    transaction takes the next daily sequence, builds the provisional number and the exact
    platform item (§4, ``canonical_json``), and stores outbox row + application row +
    attachment rows + first history row. Show "已提交" only after it returns. Personal data
    is stored only inside the envelope and the encrypted files; readable columns hold masked
    values. ``client_ref`` (the caller's draft id) makes a re-submission of the same draft
    return the stored receipt (``resubmitted=True``) instead of a second application.
    Raises ``ValidationError`` (bad draft), ``StorageError`` (disk, queue limits — checked
    *before* anything is written; Chinese ``user_message``).
``submit_correction(original, draft, *, client_ref=None) -> SubmitReceipt``
    需补正 resubmission: ``original`` is the key, provisional or case number of an
    application the platform put in ``needs_correction`` (any record of the case: a
    correction resolves to the case's first record). A NEW outbox item with a NEW key and
    its own provisional number, whose item and sealed document carry ``supersedes`` (the
    original key) and ``case_no``; the platform attaches it to the same case. Refused with
    ``CorrectionNotAllowedError`` (Chinese ``user_message``) unless the case is in
    ``needs_correction`` with no correction already on its way, the service is the same and
    the applicant's ID number matches. The original's history gets a note in the same
    transaction. Docs: ``docs/queue.md`` (需补正 and 代办).
``enqueue_event(kind, body, *, key=None) -> key``
    ``kind`` ∈ rating, help_request, heartbeat, audit (§5); body is sent as is (it is not
    sealed: put no personal data in it). Re-enqueueing an existing ``key`` with the same
    kind and body returns it; with anything else raises ``KeyReuseError``. A stored payload
    is never overwritten (also enforced by a database trigger).
``check_capacity(incoming_bytes=0)``
    Raises the ``StorageError`` a submission of that size would meet (for disabling the
    submit button early).

Delivering (the sync worker)
============================

``due(now=None, limit=50) -> list[DueItem]``
    Items in ``pending`` / ``retry_scheduled`` whose ``next_attempt_at`` has come, oldest
    ``seq`` first, with the exact ``payload`` bytes to POST (identical on every retry) and
    ``pending_attachments`` (ids not yet fully uploaded; upload them first, §3). A
    ``next_attempt_at`` more than ``max_backoff_s`` in the future can only come from a clock
    that moved back; it is clamped to ``now + max_backoff_s`` (persisted), so nothing starves.
``next_due_at(now=None) -> float | None``  when to wake up next (``now`` if something is due).
``attachment_state(sha) -> AttachmentState`` / ``set_uploaded(sha, offset)``
    Resumable upload progress (``offset == size`` marks it done; a smaller offset from a 409
    ``offset_mismatch`` is accepted). ``read_attachment_chunk(sha, offset, size) -> bytes``.
``mark_sending(keys)``
    First thing after ``due()``, before uploading attachments and before the POST
    (``pending``/``retry_scheduled`` → ``sending``); ``schedule_retry`` and a lost
    acknowledgement both start from ``sending``. A crash leaves items ``sending``; the next
    ``open`` makes them due again.
``mark_delivered(key, case_no=None, state="submitted", reason=None)``
    The platform acknowledged (``accepted`` or ``duplicate``). Links the case number, moves
    the application to the platform's state, and **purges personal data**: the stored
    payload (envelope) is cleared and the attachment files deleted after COMMIT; masked
    metadata and history stay. Repeating it is harmless. ``mark_delivered_many(acks)`` does
    a list of ``Ack`` in one transaction.
``schedule_retry(key, next_attempt_at, error)``
    Failed attempt: ``attempts += 1``, ``next_attempt_at`` and ``last_error`` persisted (a
    reboot does not reset the backoff). The worker computes the delay from
    ``DueItem.attempts`` (full jitter, base 2 s, cap 15 min, Retry-After).
``dead_letter(key, reason_zh, detail)`` — conflict/rejected: stop retrying, tell staff.
``retry_dead_letters(keys=None) -> int`` — staff decision: back to ``pending``.
``apply_status_update(update) -> str`` / ``apply_status_updates(updates, next_cursor)``
    A §6 status update (``applied`` / ``unchanged`` / ``unknown`` / ``illegal``). The batch
    form applies a page and stores the cursor in the same transaction. ``get_cursor()``,
    ``set_cursor(n)``.
``record_contact(at=None)`` — the platform answered a signed request (persisted at most
    every 30 s).

Reading (any thread)
====================

``lookup(number) -> ApplicationView | None`` by provisional or case number;
``lookup_by_person(masked_name, masked_id)``; ``lookup_by_id(id_number)`` (办件查询 with the
ID card: one salted scrypt digest, ``kiosk.masking.id_digest``, matched against the
``id_digest`` column); ``id_digest(id_number)`` (the same digest, with this kiosk's salt);
``application(key)``; ``history(key) -> list[HistoryEntry]``; ``stats(now=None) ->
QueueStats`` (depth by state, oldest undelivered age, queued bytes, last contact).

Maintenance: ``sweep_orphans() -> int``, ``checkpoint(truncate=False)``,
``prune_delivered_events(older_than_s, now=None) -> int``, ``add_listener(fn)`` (called
with a ``StateChange`` after each committed state change, outside the lock).

States, Chinese labels and the allowed transitions: ``sync.models.ItemState``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.config import OfflineLimits
from kiosk.crypto import CryptoError, canonical_json, seal, seal_attachment, sha256_hex
from kiosk.errors import ConfigError, KioskError, StorageError, ValidationError
from kiosk.masking import id_digest, mask_id_number, mask_name
from sync import receipts
from sync.attachments import AttachmentStore, free_bytes
from sync.db import MSG_DISK_FULL, QUARANTINE_DIR_NAME, Database, OpenReport, UnitOfWork
from sync.models import (
    EVENT_KINDS,
    PLATFORM_STATES,
    UNDELIVERED_STATES,
    Application,
    Attachment,
    Counter,
    IllegalTransitionError,
    ItemState,
    OutboxItem,
    Setting,
    Transition,
    check_transition,
)

__all__ = [
    "MAX_BACKOFF_S",
    "Ack",
    "ApplicationDraft",
    "ApplicationView",
    "AttachmentState",
    "Channel",
    "Consent",
    "CorrectionNotAllowedError",
    "CorrectionRequest",
    "DueItem",
    "HistoryEntry",
    "IllegalTransitionError",
    "ItemState",
    "KeyReuseError",
    "MaterialInput",
    "MaterialRecord",
    "OpenReport",
    "Outbox",
    "Person",
    "QueueStats",
    "StateChange",
    "SubmitReceipt",
    "UnknownItemError",
]

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 900.0
MAX_EVENT_BYTES = 1_000_000
CONTACT_PERSIST_INTERVAL_S = 30.0
SEQUENCE_BASE_STEP = 100_000  # a database started after a quarantine numbers from here
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_SERVICE_CODE = re.compile(r"[A-Z]{2}[0-9]{8}")
_UNDELIVERED = tuple(s.value for s in UNDELIVERED_STATES)
_DUE_STATES = (ItemState.PENDING.value, ItemState.RETRY_SCHEDULED.value)
_IN_CHUNK = 500  # keys per "IN (…)": far below SQLite's limit on bound parameters
_PLAIN_UPDATE = frozenset({"seq", "idempotency_key", "provisional_no", "case_no", "state",
                           "reason", "updated_at"})  # the members of a §6 status update
_PLATFORM_STATE_VALUES = frozenset(s.value for s in PLATFORM_STATES)
# Core tables for the delivery path's set-based statements (the ORM would turn them into
# per-object work)
_OUTBOX_T = cast(Table, OutboxItem.__table__)
_ATTACHMENTS_T = cast(Table, Attachment.__table__)

FaceStatus = Literal["not_required", "pending_verification", "verified", "failed"]

MSG_QUEUE_ITEMS = "本机待上报的申请已达上限，暂不能受理新的申请，请稍后再试或到窗口办理"
MSG_QUEUE_BYTES = "本机待上报的材料已达容量上限，暂不能受理新的申请，请稍后再试或到窗口办理"

REASON_CREATED = "申请已保存在本机，等待上报政务服务平台"
REASON_EVENT_CREATED = "已保存在本机，等待上报"
REASON_SENDING = "正在上报政务服务平台"
REASON_RETRY = "暂时无法连接政务服务平台，稍后自动重试"
REASON_DELIVERED = "已上报政务服务平台"
REASON_RESUMED = "终端重启，重新安排上报"
REASON_DEAD_RETRY = "工作人员已重新安排上报"
REASON_CORRECTION_CREATED = "补正材料已保存在本机，等待上报政务服务平台"
REASON_CORRECTION_NOTE = "已提交补正材料（临时受理编号 {no}），待上报"

MSG_NOT_CORRECTABLE = "该办件当前状态为“{label}”，不需要补正"
MSG_CORRECTION_PENDING = "该办件的补正材料已提交，请等待审核结果"
MSG_CORRECTION_SERVICE = "补正材料须针对原办件的事项提交"
MSG_CORRECTION_APPLICANT = "补正须由原申请人（或其代办人代原申请人）提交"

SIGNATURE_ROLES = ("applicant", "agent")
_ENTERED_BY = re.compile(r"citizen|staff:[A-Za-z0-9_-]{1,40}")
_ID_SALT_SETTING = "id_digest_salt"
DIGEST_CACHE = 16
_DIGEST = re.compile(r"[0-9a-f]{64}")


class KeyReuseError(KioskError, ValueError):
    """An idempotency key that already exists was offered with a different payload."""

    default_user_message = "数据重复提交，请联系工作人员"


class CorrectionNotAllowedError(KioskError, ValueError):
    """A 需补正 resubmission that the case's state does not allow; nothing was written."""

    default_user_message = "该办件当前不能提交补正材料"


class UnknownItemError(KioskError, LookupError):
    """No item, application or attachment with that key or id (or it was purged)."""

    default_user_message = "未找到该办件"


# -- inputs ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """An applicant or agent as read from the ID card and the form. Sealed, never stored."""

    name: str
    id_number: str
    id_type: str = "resident_id"  # 居民身份证; or passport, hk_macao_permit, …
    phone: str = ""
    address: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # e.g. ethnicity, birth date

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id_type": self.id_type, "id_number": self.id_number,
                "phone": self.phone, "address": self.address, "extra": dict(self.extra)}


@dataclass(frozen=True)
class MaterialInput:
    """One material (申请材料) with its trust level A–D (PRODUCT.md §5).

    ``content`` is the scan (encrypted into an attachment); ``None`` for an electronic
    licence referenced by ``reference`` (A) or a self-declared item (D).
    """

    material_id: str
    trust_level: str
    content: bytes | None = None
    media_type: str = "image/jpeg"
    reference: str | None = None  # e-licence number etc.; sealed
    name: str = ""  # the catalogue's material name, kept readable for receipts


@dataclass(frozen=True)
class Channel:
    """``self_service`` or ``assisted`` (帮办代办: ``staff_id`` required).

    代办 — someone (``agent``) acts for the applicant, who is the principal
    (``ApplicationDraft.applicant``): ``proxy_relationship`` (e.g. "子女") and the id of the
    authorisation letter (授权委托书) among the draft's materials travel in the clear;
    both people, the letter's scan and both signatures (``ApplicationDraft.signature`` of
    the principal, ``agent_signature``) only sealed. An agent needs all three of
    relationship, letter and the agent's signature."""

    kind: Literal["self_service", "assisted"] = "self_service"
    staff_id: str | None = None
    proxy_relationship: str | None = None
    agent: Person | None = None
    authorisation_material_id: str | None = None  # the 授权委托书 in draft.materials
    agent_signature: bytes | None = None  # the agent's handwritten signature; sealed

    @property
    def proxy(self) -> bool:
        return self.agent is not None

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.staff_id:
            out["staff_id"] = self.staff_id
        if self.proxy_relationship:
            out["proxy"] = {"relationship": self.proxy_relationship}
            if self.authorisation_material_id:
                out["proxy"]["authorisation_material"] = self.authorisation_material_id
        return out


@dataclass(frozen=True)
class Consent:
    personal_info: bool  # 个人信息处理告知同意 (required)
    sensitive_info: bool = False  # 敏感个人信息单独同意 (PIPL art. 29)
    face: bool = False  # 人脸识别单独同意 (required when a face is used)
    commitment: bool = False  # 告知承诺 (required for D-level materials)


@dataclass(frozen=True)
class ApplicationDraft:
    service_code: str
    service_name: str
    catalogue_version: str
    applicant: Person
    form: Mapping[str, Any] = field(default_factory=dict)
    materials: Sequence[MaterialInput | tuple[Any, ...]] = ()
    channel: Channel = field(default_factory=Channel)
    consent: Consent = field(default_factory=lambda: Consent(personal_info=True))
    face_status: FaceStatus = "not_required"
    signature: bytes | None = None  # the applicant's (principal's) signature image; sealed
    # who entered each form field: "citizen" or "staff:<id>" (帮办 hand-off); sealed
    entered_by: Mapping[str, str] = field(default_factory=dict)
    # ``Outbox.id_digest(applicant.id_number)`` computed ahead (in the background once the
    # card is read) so that submitting does not pay the scrypt; computed at submit if None
    id_digest: str | None = None


# -- outputs --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubmitReceipt:
    key: str
    provisional_no: str
    service_code: str
    service_name: str
    masked_name: str
    masked_id: str
    state: ItemState
    created_at: float
    attachments: tuple[str, ...]
    resubmitted: bool = False  # True: this draft was already stored; nothing new written
    supersedes: str | None = None  # 需补正: the key of the case's original application
    case_no: str | None = None  # 需补正: the case number the correction belongs to

    @property
    def state_label(self) -> str:
        return self.state.label

    @property
    def created_at_iso(self) -> str:
        """Kiosk time in China Standard Time, for the printed receipt."""
        return _iso(self.created_at)


@dataclass(frozen=True)
class DueItem:
    key: str
    seq: int
    kind: str
    payload: bytes  # canonical JSON of the platform item; POST exactly these bytes
    payload_sha256: str  # the platform's fingerprint of it
    attempts: int  # failed attempts so far: the backoff exponent
    pending_attachments: tuple[str, ...]  # upload these first (§3)
    provisional_no: str | None = None


@dataclass(frozen=True)
class AttachmentState:
    sha256: str
    size: int
    uploaded_offset: int
    done: bool
    purged: bool


@dataclass(frozen=True)
class HistoryEntry:
    at: float
    from_state: ItemState | None
    to_state: ItemState
    reason_zh: str
    detail: str | None

    @property
    def label(self) -> str:
        return self.to_state.label


@dataclass(frozen=True)
class MaterialRecord:
    """A material received with the application: id, catalogue name, trust level A–D."""

    material_id: str
    name: str
    trust_level: str


@dataclass(frozen=True)
class CorrectionRequest:
    """What the platform asked to correct (需补正, platform-api.md §6): form field ids,
    material ids and a Chinese note. Non-personal by contract."""

    fields: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    note_zh: str = ""

    @classmethod
    def from_wire(cls, obj: Any) -> CorrectionRequest | None:
        """Parse the wire form; ``None`` when absent or malformed (logged, not raised: a
        status update is applied even when its correction request cannot be read)."""
        if obj is None:
            return None
        ok = (isinstance(obj, Mapping)
              and all(isinstance(obj.get(k, []), list) for k in ("fields", "materials"))
              and isinstance(obj.get("note_zh", ""), str))
        ids = [*obj.get("fields", []), *obj.get("materials", [])] if ok else []
        if not ok or not all(isinstance(i, str) and 0 < len(i) <= 80 for i in ids) \
                or len(ids) > 200 or len(obj.get("note_zh", "")) > 2000:
            log.warning("malformed correction request ignored")
            return None
        return cls(tuple(obj.get("fields", [])), tuple(obj.get("materials", [])),
                   obj.get("note_zh", ""))

    def as_dict(self) -> dict[str, Any]:
        return {"fields": list(self.fields), "materials": list(self.materials),
                "note_zh": self.note_zh}


@dataclass(frozen=True)
class ApplicationView:
    """What 办件查询 and the staff queue show: masked data, state, reason, history."""

    key: str
    provisional_no: str
    case_no: str | None
    service_code: str
    service_name: str
    catalogue_version: str
    channel_kind: str
    masked_name: str
    masked_id: str
    face_status: str
    state: ItemState
    reason_zh: str | None
    created_at: float
    last_updated: float
    purged: bool
    attempts: int
    last_error: str | None
    history: tuple[HistoryEntry, ...]
    materials: tuple[MaterialRecord, ...] = ()
    proxy: bool = False  # 代办
    # 需补正: the key of the case's original application (this record is a correction);
    # ``case_no`` of a correction is the case's number, taken from the original
    supersedes: str | None = None
    superseded_by: tuple[str, ...] = ()  # keys of corrections submitted for this record
    # the platform's last correction request; it stays for history after the case moves
    # on, so show it as a to-do only while ``state`` is needs_correction
    correction: CorrectionRequest | None = None

    @property
    def state_label(self) -> str:
        return self.state.label


@dataclass(frozen=True)
class QueueStats:
    depth: dict[str, int]  # outbox items by delivery state (heartbeat "queue_depth")
    applications: dict[str, int]  # applications by state
    undelivered: int
    dead_letters: int
    oldest_undelivered_age_s: float | None
    queued_bytes: int
    last_contact_at: float | None

    def hours_since_contact(self, now: float) -> float | None:
        if self.last_contact_at is None:
            return None
        return max(0.0, now - self.last_contact_at) / 3600.0


@dataclass(frozen=True)
class Ack:
    key: str
    case_no: str | None = None
    state: str = ItemState.SUBMITTED.value
    reason: str | None = None


@dataclass(frozen=True)
class StateChange:
    key: str
    kind: str
    provisional_no: str | None
    state: ItemState
    reason_zh: str


# -- helpers --------------------------------------------------------------------------------

def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=receipts.CHINA_TZ).isoformat(timespec="seconds")


def _material(m: MaterialInput | tuple[Any, ...]) -> MaterialInput:
    return m if isinstance(m, MaterialInput) else MaterialInput(*m)


def _validate(draft: ApplicationDraft) -> list[MaterialInput]:
    def bad(fld: str, detail: str, msg: str) -> ValidationError:
        return ValidationError(detail, field=fld, user_message=msg)

    if not _SERVICE_CODE.fullmatch(draft.service_code):
        raise bad("service_code", f"bad service code {draft.service_code!r}",
                  "事项编码有误，请联系工作人员")
    if not draft.service_name.strip() or not draft.catalogue_version.strip():
        raise bad("service_name", "service name and catalogue version are required",
                  "事项信息不完整，请联系工作人员")
    if not draft.applicant.name.strip() or not draft.applicant.id_number.strip():
        raise bad("applicant", "applicant name and id number are required",
                  "请先读取身份证或填写申请人信息")
    if not draft.consent.personal_info:
        raise bad("consent", "personal-information consent missing",
                  "请先阅读并同意个人信息处理规则")
    if draft.face_status != "not_required" and not draft.consent.face:
        raise bad("consent", "face data used without separate consent",
                  "使用人脸识别需要您单独同意")
    ch = draft.channel
    if ch.kind not in ("self_service", "assisted"):
        raise bad("channel", f"unknown channel {ch.kind!r}", "受理渠道有误，请联系工作人员")
    if ch.kind == "assisted" and not (ch.staff_id or "").strip():
        raise bad("channel", "assisted channel without staff id", "帮办代办需要工作人员登录")
    if ch.agent is not None and not (ch.proxy_relationship or "").strip():
        raise bad("channel", "agent without relationship", "请选择代办人与申请人的关系")
    if ch.agent is None and (ch.authorisation_material_id or ch.agent_signature):
        raise bad("channel", "authorisation letter or agent signature without an agent",
                  "代办信息不完整，请联系工作人员")
    if ch.agent is not None:
        if not ch.agent.name.strip() or not ch.agent.id_number.strip():
            raise bad("channel", "agent name and id number are required",
                      "请先读取代办人的身份证")
        if not ch.agent_signature:
            raise bad("signature", "proxy application without the agent's signature",
                      "请代办人在屏幕上签名")
    for sig in (draft.signature, ch.agent_signature):
        if sig is not None and not isinstance(sig, (bytes, bytearray)):
            raise bad("signature", "signature must be bytes", "签名格式有误，请重新签名")
    for fid, who in draft.entered_by.items():
        if not (isinstance(fid, str) and 0 < len(fid) <= 80 and isinstance(who, str)
                and _ENTERED_BY.fullmatch(who)):
            raise bad("entered_by", f"bad entered_by entry for field {fid!r}",
                      "表单填写记录有误，请联系工作人员")
    if draft.id_digest is not None and not _DIGEST.fullmatch(draft.id_digest):
        raise bad("applicant", "id_digest is not 64 lower-case hex characters",
                  "申请人信息有误，请重新读取身份证")
    materials = [_material(m) for m in draft.materials]
    if ch.agent is not None:
        letter = next((m for m in materials
                       if m.material_id == ch.authorisation_material_id), None)
        if letter is None or (letter.content is None and not letter.reference):
            raise bad("materials", "proxy application without the authorisation letter",
                      "代办需要提交授权委托书")
    for m in materials:
        if not m.material_id.strip():
            raise bad("materials", "material without id", "材料信息有误，请联系工作人员")
        if m.trust_level not in ("A", "B", "C", "D"):
            raise bad("materials", f"trust level {m.trust_level!r} not in A-D",
                      "材料信息有误，请联系工作人员")
        if m.trust_level == "D" and not draft.consent.commitment:
            raise bad("consent", "self-declared material without commitment",
                      "自行承诺的材料需要您确认告知承诺书")
        if m.content is not None and not isinstance(m.content, (bytes, bytearray)):
            raise bad("materials", "material content must be bytes", "材料格式有误")
    return materials


def _signatures(draft: ApplicationDraft) -> list[tuple[str, bytes]]:
    """``(role, image)`` of the signatures given: the applicant's (the principal's when an
    agent acts), then the agent's."""
    given = zip(SIGNATURE_ROLES, (draft.signature, draft.channel.agent_signature),
                strict=True)
    return [(role, bytes(sig)) for role, sig in given if sig]


def _material_records(stored: str | None) -> tuple[MaterialRecord, ...]:
    if not stored:
        return ()
    return tuple(MaterialRecord(str(m["id"]), str(m.get("name") or ""), str(m["trust"]))
                 for m in json.loads(stored))


def _sealed_document(draft: ApplicationDraft, materials: Sequence[MaterialInput], *,
                     supersedes: str | None = None, case_no: str | None = None) -> bytes:
    """The personal data, sealed. Materials are listed in the order of ``meta.materials``
    in the item, which maps each to its attachment id (known only after sealing);
    signatures likewise in the order of ``meta.signatures``."""
    ch = draft.channel
    doc = {
        "v": 1,
        "service_code": draft.service_code,
        "catalogue_version": draft.catalogue_version,
        "applicant": draft.applicant.as_dict(),
        "agent": ch.agent.as_dict() if ch.agent else None,
        "proxy": {"relationship": ch.proxy_relationship,
                  "authorisation_material_id": ch.authorisation_material_id}
        if ch.agent else None,
        "form": dict(draft.form),
        "entered_by": dict(draft.entered_by),
        "consent": dataclasses.asdict(draft.consent),
        "materials": [
            {"material_id": m.material_id, "trust_level": m.trust_level,
             "media_type": m.media_type if m.content is not None else None,
             "reference": m.reference}
            for m in materials
        ],
        "face": draft.face_status,
        "signatures": [{"role": role, "media_type": "image/png"}
                       for role, _ in _signatures(draft)],
        "supersedes": supersedes,
        "case_no": case_no,
    }
    try:
        return canonical_json(doc)
    except (TypeError, ValueError) as err:
        raise ValidationError(f"form values are not JSON: {err}", field="form",
                              user_message="表单内容有误，请检查") from err


def _state(value: str | ItemState) -> ItemState:
    try:
        return ItemState(value)
    except ValueError as err:
        raise IllegalTransitionError(f"unknown state {value!r}") from err


def _chunks(keys: list[str]) -> Iterator[list[str]]:
    for n in range(0, len(keys), _IN_CHUNK):
        yield keys[n:n + _IN_CHUNK]


@dataclass(slots=True)
class _Current:
    """Where an item stands, for the set-based delivery path (``Outbox._current``)."""

    key: str
    kind: str
    state: ItemState  # the application's state for applications, the item's for events
    provisional_no: str | None
    case_no: str | None
    delivered: bool
    # a 需补正 correction: its case number is the original's (``_case_no``), never linked
    # to this row (``applications.case_no`` is unique)
    corrects: bool = False


@dataclass(frozen=True, slots=True)
class _Move:
    cur: _Current
    old: ItemState
    new: ItemState
    reason_zh: str
    detail: str | None


@dataclass
class _Writes:
    """What one transaction of the delivery path changes, planned in Python first and then
    written with one executemany per statement (``Outbox._write``)."""

    moves: list[_Move] = field(default_factory=list)
    linked: dict[str, str] = field(default_factory=dict)  # application key -> case number
    delivered: dict[str, _Current] = field(default_factory=dict)  # purge these now
    touched: dict[str, _Current] = field(default_factory=dict)


# The four statements that write every row of a batch go to the driver as SQL text with
# positional rows (executemany: one prepared statement, many rows). Through Core they cost
# more in SQLAlchemy's per-row parameter processing than in SQLite; the columns are those
# of sync.models (tests/sync/test_migrations.py checks the models against the schema).
_SQL_ITEM_STATE = 'UPDATE outbox SET state = ?, updated_at = ? WHERE "key" = ?'
_SQL_ITEM_DELIVERED = (  # and the envelope is no longer needed: purge it
    'UPDATE outbox SET state = ?, updated_at = ?, delivered_at = ?, next_attempt_at = NULL, '
    'payload = NULL WHERE "key" = ?')
_SQL_APP_STATE = (  # case_no: a new one or the one held; purged_at: set once
    'UPDATE applications SET state = ?, reason_zh = ?, detail = ?, updated_at = ?, '
    'case_no = coalesce(?, case_no), purged_at = coalesce(purged_at, ?) WHERE "key" = ?')
_SQL_APP_LINK = (
    'UPDATE applications SET updated_at = ?, case_no = coalesce(?, case_no), '
    'purged_at = coalesce(purged_at, ?) WHERE "key" = ?')
_SQL_TRANSITION = ('INSERT INTO transitions ("key", at, from_state, to_state, reason_zh, detail) '
                   'VALUES (?, ?, ?, ?, ?, ?)')
# Reads, built once (SQLAlchemy then skips rebuilding and re-keying them per call).
_SQL_CURRENT = (
    select(OutboxItem.key, OutboxItem.kind, OutboxItem.state, OutboxItem.delivered_at,
           Application.state, Application.provisional_no, Application.case_no,
           Application.supersedes)
    .outerjoin(Application, Application.key == OutboxItem.key)
    .where(OutboxItem.key.in_(bindparam("b_keys", expanding=True))))
# One index range per state, in seq order, each stopping at the limit: with "state IN (…)
# ORDER BY seq" SQLite reads and sorts every due row of the queue (10,000 rows for each
# batch of 50 of a long queue), then keeps 50.
_SQL_DUE = (
    select(OutboxItem.key, OutboxItem.seq, OutboxItem.kind, OutboxItem.payload,
           OutboxItem.payload_sha256, OutboxItem.attempts, OutboxItem.state,
           OutboxItem.delivered_at, Application.state, Application.provisional_no,
           Application.case_no, Application.supersedes)
    .outerjoin(Application, Application.key == OutboxItem.key)
    .where(OutboxItem.state == bindparam("b_state"),
           OutboxItem.next_attempt_at.is_(None)
           | (OutboxItem.next_attempt_at <= bindparam("b_now")))
    .order_by(OutboxItem.seq).limit(bindparam("b_limit")))
_SQL_PENDING_ATTACHMENTS = (
    select(Attachment.app_key, Attachment.sha256)
    .where(Attachment.app_key.in_(bindparam("b_keys", expanding=True)),
           Attachment.done.is_(False), Attachment.purged_at.is_(None))
    .order_by(Attachment.created_at, Attachment.sha256))


def _current_of(key: str, kind: str, item_state: str, delivered_at: float | None,
                app_state: str | None, provisional_no: str | None,
                case_no: str | None, supersedes: str | None = None) -> _Current:
    if kind == "application":
        if app_state is None:  # the schema makes this impossible
            raise UnknownItemError(f"application {key} has no application row")
        return _Current(key, kind, ItemState(app_state), provisional_no, case_no,
                        delivered_at is not None, supersedes is not None)
    return _Current(key, kind, ItemState(item_state), None, None, delivered_at is not None)


# -- the repository -------------------------------------------------------------------------

class Outbox:
    """See the module docstring."""

    def __init__(self, db: Database, store: AttachmentStore, *, kiosk_code: str,
                 platform_encryption_key: str, limits: OfflineLimits,
                 clock: Callable[[], float], max_backoff_s: float) -> None:
        self._db = db
        self.attachments = store
        self.kiosk_code = kiosk_code
        self._platform_key = platform_encryption_key
        self.limits = limits
        self._clock = clock
        self.max_backoff_s = max_backoff_s
        self._listeners: list[Callable[[StateChange], None]] = []
        self._listeners_lock = threading.Lock()
        self._contact_lock = threading.Lock()
        self._last_contact: float | None = None
        self._last_contact_saved: float | None = None
        self._sequence_base = 0
        self._id_salt = b""  # read (or made) at open
        # recent ID digests, keyed by an HMAC under a key that lives only in this process:
        # no clear ID number is kept, only values as revealing as the stored digests
        self._digest_key = secrets.token_bytes(32)
        self._digests: OrderedDict[bytes, str] = OrderedDict()
        self._digests_lock = threading.Lock()
        self.open_report = db.report

    # -- lifecycle ------------------------------------------------------------------------

    @classmethod
    def open(cls, db_path: Path | str, attachments_dir: Path | str, *, kiosk_code: str,
             platform_encryption_key: str, limits: OfflineLimits,
             clock: Callable[[], float] = time.time,
             max_backoff_s: float = MAX_BACKOFF_S) -> Outbox:
        if not re.fullmatch(r"[A-Z0-9]{4,12}", kiosk_code):
            raise ConfigError(f"kiosk.code: expected 4-12 of [A-Z0-9], got {kiosk_code!r}",
                              key="kiosk.code")
        try:
            seal(b"", platform_encryption_key, aad=b"probe")
        except CryptoError as err:
            raise ConfigError("platform.encryption_public_key: not an X25519 public key",
                              key="platform.encryption_public_key") from err
        db_path, attachments_dir = Path(db_path), Path(attachments_dir)
        db = Database.open(db_path, also_quarantine=[attachments_dir], clock=clock)
        try:
            store = AttachmentStore(attachments_dir)
            outbox = cls(db, store, kiosk_code=kiosk_code,
                         platform_encryption_key=platform_encryption_key, limits=limits,
                         clock=clock, max_backoff_s=max_backoff_s)
            resumed = outbox._prepare(db_path)
            swept = outbox.sweep_orphans()
        except BaseException:
            db.close()
            raise
        outbox.open_report = dataclasses.replace(db.report, swept_orphans=swept,
                                                 resumed_in_flight=resumed)
        return outbox

    def _prepare(self, db_path: Path) -> int:
        now = self._clock()
        changes: list[StateChange] = []
        with self._db.write() as uow:
            s = uow.session
            base = s.get(Setting, "sequence_base")
            if base is None:
                qdir = db_path.parent / QUARANTINE_DIR_NAME
                generations = len(list(qdir.iterdir())) if qdir.is_dir() else 0
                base = Setting(name="sequence_base",
                               value=str(SEQUENCE_BASE_STEP * min(generations, 9)))
                s.add(base)
            self._sequence_base = int(base.value)
            salt = s.get(Setting, _ID_SALT_SETTING)
            if salt is None:  # once per kiosk database
                salt = Setting(name=_ID_SALT_SETTING, value=secrets.token_hex(16))
                s.add(salt)
            self._id_salt = bytes.fromhex(salt.value)
            contact = s.get(Setting, "last_contact_at")
            if contact is not None:
                self._last_contact = self._last_contact_saved = float(contact.value)
            stuck = s.scalars(select(OutboxItem).where(
                OutboxItem.state == ItemState.SENDING.value).order_by(OutboxItem.seq)).all()
            for item in stuck:
                item.next_attempt_at = now
                changes.append(self._transition(
                    s, item, ItemState.RETRY_SCHEDULED, REASON_RESUMED,
                    "left in 'sending' by an interrupted run", now))
            uow.commit()
        if stuck:
            log.info("rescheduled %d item(s) left in 'sending'", len(stuck))
        self._notify(changes)
        return len(stuck)

    def close(self) -> None:
        with contextlib.suppress(KioskError):
            self._persist_contact(force=True)
        self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def db(self) -> Database:
        return self._db

    # -- listeners ---------------------------------------------------------------------------

    def add_listener(self, fn: Callable[[StateChange], None]) -> None:
        with self._listeners_lock:
            self._listeners.append(fn)

    def remove_listener(self, fn: Callable[[StateChange], None]) -> None:
        with self._listeners_lock:
            self._listeners.remove(fn)

    def _notify(self, changes: Iterable[StateChange]) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for change in changes:
            for fn in listeners:
                try:
                    fn(change)
                except Exception:
                    log.exception("outbox listener failed")

    # -- state transitions ------------------------------------------------------------------

    def _transition(self, s: Session, item: OutboxItem, new: ItemState, reason_zh: str,
                    detail: str | None, now: float,
                    app: Application | None = None) -> StateChange:
        """Validate and apply ``new`` to the item (and its application), record history."""
        if item.kind == "application":
            app = app or s.get(Application, item.key)
            assert app is not None
            current = ItemState(app.state)
        else:
            current = ItemState(item.state)
            if new not in UNDELIVERED_STATES and new is not ItemState.SUBMITTED:
                raise IllegalTransitionError(f"events stop at 'submitted', not {new.value}")
        check_transition(current, new)
        item.state = new.value if new in UNDELIVERED_STATES else ItemState.SUBMITTED.value
        item.updated_at = now
        if app is not None:
            app.state = new.value
            app.reason_zh = reason_zh
            app.detail = detail
            app.updated_at = now
        s.add(Transition(key=item.key, at=now, from_state=current.value, to_state=new.value,
                         reason_zh=reason_zh, detail=detail))
        return StateChange(item.key, item.kind, app.provisional_no if app else None, new,
                           reason_zh)

    # The delivery path changes a batch at a time, set-based: one SELECT for where the
    # items stand (``_current``), the rules checked in Python (``_move``, the same as
    # ``_transition``), then one executemany per statement (``_write``): about ten
    # statements per batch instead of ~6 per item through the ORM (docs/stress.md §3).

    def _current(self, s: Session, keys: Sequence[str]) -> dict[str, _Current]:
        out: dict[str, _Current] = {}
        for part in _chunks(list(dict.fromkeys(keys))):
            for row in s.execute(_SQL_CURRENT, {"b_keys": part}):
                out[row[0]] = _current_of(*row)
        missing = [k for k in keys if k not in out]
        if missing:
            raise UnknownItemError(f"no queued item with key {missing[0]}")
        return out

    @staticmethod
    def _move(w: _Writes, cur: _Current, new: ItemState, reason_zh: str,
              detail: str | None) -> None:
        """Validate ``new`` like ``_transition`` and plan it; ``cur`` follows at once, so a
        second move of the same item in one transaction is checked against the first."""
        if cur.kind != "application" and new not in UNDELIVERED_STATES \
                and new is not ItemState.SUBMITTED:
            raise IllegalTransitionError(f"events stop at 'submitted', not {new.value}")
        check_transition(cur.state, new)
        w.moves.append(_Move(cur, cur.state, new, reason_zh, detail))
        w.touched[cur.key] = cur
        cur.state = new

    @staticmethod
    def _write(s: Session, w: _Writes, now: float) -> list[StateChange]:
        """Write what ``w`` planned: each touched item's final state, its application's
        state, reason, case number and purge time, one history row per move."""
        items: list[tuple[Any, ...]] = []
        delivered: list[tuple[Any, ...]] = []
        for key, cur in w.touched.items():
            state = (cur.state.value if cur.state in UNDELIVERED_STATES
                     else ItemState.SUBMITTED.value)
            if key in w.delivered:
                delivered.append((state, now, now, key))
            else:
                items.append((state, now, key))
        last: dict[str, _Move] = {m.cur.key: m for m in w.moves if m.cur.kind == "application"}
        apps = [(m.new.value, m.reason_zh, m.detail, now, w.linked.get(k),
                 now if k in w.delivered else None, k) for k, m in last.items()]
        links = [(now, w.linked.get(k), now if k in w.delivered else None, k)
                 for k, cur in w.touched.items()
                 if cur.kind == "application" and k not in last]
        history = [(m.cur.key, now, m.old.value, m.new.value, m.reason_zh, m.detail)
                   for m in w.moves]
        conn = s.connection()
        for sql, rows in ((_SQL_ITEM_STATE, items), (_SQL_ITEM_DELIVERED, delivered),
                          (_SQL_APP_STATE, apps), (_SQL_APP_LINK, links),
                          (_SQL_TRANSITION, history)):
            if rows:
                conn.exec_driver_sql(sql, rows)
        return [StateChange(m.cur.key, m.cur.kind, m.cur.provisional_no, m.new, m.reason_zh)
                for m in w.moves]

    def _item(self, s: Session, key: str) -> OutboxItem:
        item = s.scalars(select(OutboxItem).where(OutboxItem.key == key)).one_or_none()
        if item is None:
            raise UnknownItemError(f"no queued item with key {key}")
        return item

    # -- capacity -----------------------------------------------------------------------------

    def check_capacity(self, incoming_bytes: int = 0, *, application: bool = True) -> None:
        """Raise ``StorageError`` when a write of ``incoming_bytes`` must be refused."""
        free = min(self.attachments.free_bytes(),
                   free_bytes(self._db.path.parent, self.attachments.statvfs))
        if free - incoming_bytes < self.limits.min_free_disk_bytes:
            raise StorageError(
                f"free disk {free} B - {incoming_bytes} B incoming < "
                f"min_free_disk_bytes {self.limits.min_free_disk_bytes}",
                user_message=MSG_DISK_FULL)
        if not application:
            return
        with self._db.read() as s:
            n_apps = s.scalar(select(func.count()).select_from(OutboxItem).where(
                OutboxItem.kind == "application", OutboxItem.state.in_(_UNDELIVERED))) or 0
            queued = s.scalar(select(func.coalesce(
                func.sum(OutboxItem.payload_size + OutboxItem.attachments_bytes), 0)).where(
                OutboxItem.state.in_(_UNDELIVERED))) or 0
        if n_apps >= self.limits.max_queued_items:
            raise StorageError(f"{n_apps} undelivered applications >= max_queued_items "
                               f"{self.limits.max_queued_items}", user_message=MSG_QUEUE_ITEMS)
        if queued + incoming_bytes > self.limits.max_queued_bytes:
            raise StorageError(f"{queued} B queued + {incoming_bytes} B > max_queued_bytes "
                               f"{self.limits.max_queued_bytes}", user_message=MSG_QUEUE_BYTES)

    # -- producing ------------------------------------------------------------------------------

    def submit_application(self, draft: ApplicationDraft, *,
                           client_ref: str | None = None) -> SubmitReceipt:
        return self._submit(draft, client_ref, None)

    def submit_correction(self, original: str, draft: ApplicationDraft, *,
                          client_ref: str | None = None) -> SubmitReceipt:
        """需补正 resubmission of the case ``original`` (key, provisional or case number of
        any of its records); see the module docstring."""
        _validate(draft)
        if client_ref is not None:
            with self._db.read() as s:
                existing = self._receipt_for_ref(s, client_ref)
            if existing is not None:
                return existing
        with self._db.read() as s:
            root = self._case_root(s, original)
            root_key = root.key
            root_digest = root.id_digest
        digest = draft.id_digest or self.id_digest(draft.applicant.id_number)
        if root_digest is not None and root_digest != digest:
            raise CorrectionNotAllowedError("correction by a different applicant",
                                            user_message=MSG_CORRECTION_APPLICANT)
        with self._db.read() as s:
            root = self._correctable(s, root_key, draft)
            case_no = root.case_no
        return self._submit(draft, client_ref, (root_key, case_no), digest)

    def _case_root(self, s: Session, number: str) -> Application:
        """The case's first record for a key, provisional or case number of any record."""
        text = number.strip()
        app = s.get(Application, text) if _UUID4.fullmatch(text) else None
        if app is None and text:
            app = s.scalars(select(Application).where(
                (Application.provisional_no == receipts.normalise(text))
                | (Application.case_no == text))).first()
        for _ in range(100):  # a chain of corrections, each naming the case's first record
            if app is None or app.supersedes is None:
                break
            app = s.get(Application, app.supersedes)
        if app is None:
            raise UnknownItemError(f"no application {number!r} to correct")
        return app

    def _correctable(self, s: Session, root_key: str, draft: ApplicationDraft) -> Application:
        """The case record, if a correction may be submitted for it now."""
        root = s.get(Application, root_key)
        if root is None:
            raise UnknownItemError(f"no application {root_key} to correct")
        state = ItemState(root.state)
        if state is not ItemState.NEEDS_CORRECTION:
            raise CorrectionNotAllowedError(
                f"case {root_key} is {state.value}, not needs_correction",
                user_message=MSG_NOT_CORRECTABLE.format(label=state.label))
        if draft.service_code != root.service_code:
            raise CorrectionNotAllowedError(
                f"correction for {draft.service_code} of a {root.service_code} case",
                user_message=MSG_CORRECTION_SERVICE)
        # a correction on its way since the platform last asked for one blocks another
        # (history ids, not wall clock: the clock may have jumped)
        asked = s.scalar(select(func.max(Transition.id)).where(
            Transition.key == root_key,
            Transition.to_state == ItemState.NEEDS_CORRECTION.value,
            Transition.from_state != ItemState.NEEDS_CORRECTION.value)) or 0
        pending = s.scalar(select(func.count()).select_from(Application).where(
            Application.supersedes == root_key,
            Application.state != ItemState.DEAD_LETTER.value,
            select(func.min(Transition.id)).where(Transition.key == Application.key)
            .scalar_subquery() > asked))
        if pending:
            raise CorrectionNotAllowedError(f"case {root_key} has a correction on its way",
                                            user_message=MSG_CORRECTION_PENDING)
        return root

    def id_digest(self, id_number: str) -> str:
        """``kiosk.masking.id_digest`` with this kiosk's salt: one scrypt (~45 ms), then
        remembered for the last ``DIGEST_CACHE`` numbers — so calling it in the background
        once the card is read spares the submission and 办件查询 that cost."""
        tag = hmac.digest(self._digest_key, id_number.strip().upper().encode("utf-8"),
                          "sha256")
        with self._digests_lock:
            known = self._digests.get(tag)
            if known is not None:
                self._digests.move_to_end(tag)
                return known
        digest = id_digest(id_number, self._id_salt)
        with self._digests_lock:
            self._digests[tag] = digest
            while len(self._digests) > DIGEST_CACHE:
                self._digests.popitem(last=False)
        return digest

    def _submit(self, draft: ApplicationDraft, client_ref: str | None,
                correcting: tuple[str, str | None] | None,
                digest: str | None = None) -> SubmitReceipt:
        """Store an application; ``correcting`` = (the case's original key, case number)
        for a 需补正 resubmission, already checked by ``submit_correction`` (and checked
        again inside the transaction)."""
        materials = _validate(draft)
        if client_ref is not None:
            if not 0 < len(client_ref) <= 64:
                raise ValidationError("client_ref must be 1-64 characters", field="client_ref")
            with self._db.read() as s:
                existing = self._receipt_for_ref(s, client_ref)
            if existing is not None:
                return existing
        if digest is None:
            digest = draft.id_digest or self.id_digest(draft.applicant.id_number)
        supersedes, case_no = correcting if correcting is not None else (None, None)
        key = str(uuid.uuid4())
        # Seal the document first: its fresh data key also encrypts the scans, so each
        # attachment id (SHA-256 of the encrypted bytes) exists only afterwards. The data
        # key is dropped here and never stored; the platform unwraps it from the envelope.
        sealed = seal(_sealed_document(draft, materials, supersedes=supersedes,
                                       case_no=case_no),
                      self._platform_key, aad=key.encode())
        blobs: list[bytes] = []
        shas: list[str | None] = []
        parts: list[str] = []  # the material id of each blob
        for m in materials:
            if m.content is None:
                shas.append(None)
            else:
                blobs.append(seal_attachment(bytes(m.content), sealed.data_key))
                shas.append(sha256_hex(blobs[-1]))
                parts.append(m.material_id)
        signatures: list[dict[str, str]] = []
        for role, image in _signatures(draft):
            blobs.append(seal_attachment(image, sealed.data_key))
            signatures.append({"role": role, "attachment": sha256_hex(blobs[-1])})
            parts.append(f"signature:{role}")
        envelope = sealed.envelope
        del sealed
        attachment_ids = [sha for sha in shas if sha is not None]
        attachment_ids += [sig["attachment"] for sig in signatures]
        attachments_bytes = sum(len(b) for b in blobs)
        envelope_size = len(canonical_json(envelope))
        self.check_capacity(attachments_bytes + envelope_size + 4096)
        now = self._clock()
        day = receipts.day_of(now)
        self.attachments.write_many(blobs, attachment_ids)
        uow: UnitOfWork | None = None
        changes: list[StateChange] = []
        try:
            with self._db.write() as uow:
                s = uow.session
                if client_ref is not None:
                    existing = self._receipt_for_ref(s, client_ref)
                    if existing is not None:  # a concurrent submit of the same draft won
                        self.attachments.discard(attachment_ids)
                        return existing
                root = (self._correctable(s, supersedes, draft)
                        if supersedes is not None else None)
                if self._count_undelivered_apps(s) >= self.limits.max_queued_items:
                    raise StorageError("max_queued_items reached (concurrent submissions)",
                                       user_message=MSG_QUEUE_ITEMS)
                sequence = self._next_sequence(s, day)
                provisional_no = receipts.format_number(self.kiosk_code, day, sequence)
                masked_name = mask_name(draft.applicant.name)
                masked_id = mask_id_number(draft.applicant.id_number)
                created_reason = REASON_CORRECTION_CREATED if supersedes else REASON_CREATED
                item_dict: dict[str, Any] = {
                    "idempotency_key": key,
                    "provisional_no": provisional_no,
                    "service_code": draft.service_code,
                    "catalogue_version": draft.catalogue_version,
                    "created_at": _iso(now),
                    "channel": draft.channel.wire(),
                    "attachments": attachment_ids,
                    "envelope": envelope,
                    "meta": {
                        "masked_name": masked_name,
                        "masked_id": masked_id,
                        "materials": [{"material_id": m.material_id,
                                       "trust_level": m.trust_level, "attachment": sha}
                                      for m, sha in zip(materials, shas, strict=True)],
                        "face": draft.face_status,
                    },
                }
                if signatures:
                    item_dict["meta"]["signatures"] = signatures
                if supersedes is not None:
                    item_dict["supersedes"] = supersedes
                    if case_no:
                        item_dict["case_no"] = case_no
                payload = canonical_json(item_dict)
                item = OutboxItem(key=key, kind="application", state=ItemState.PENDING.value,
                                  payload=payload, payload_sha256=sha256_hex(payload),
                                  payload_size=len(payload),
                                  attachments_bytes=attachments_bytes, created_at=now,
                                  updated_at=now, attempts=0, next_attempt_at=None,
                                  client_ref=client_ref)
                s.add(item)
                s.flush()
                s.add(Application(
                    key=key, provisional_no=provisional_no, case_no=None,
                    service_code=draft.service_code, service_name=draft.service_name,
                    catalogue_version=draft.catalogue_version,
                    channel_kind=draft.channel.kind, staff_id=draft.channel.staff_id,
                    masked_name=masked_name, masked_id=masked_id,
                    face_status=draft.face_status, material_count=len(materials),
                    state=ItemState.PENDING.value, reason_zh=created_reason, detail=None,
                    created_at=now, updated_at=now, purged_at=None,
                    materials=json.dumps(
                        [{"id": m.material_id, "name": m.name, "trust": m.trust_level}
                         for m in materials], ensure_ascii=False),
                    id_digest=digest, proxy=draft.channel.proxy, supersedes=supersedes,
                    correction=None))
                s.flush()
                for material_id, sha, blob in zip(parts, attachment_ids, blobs, strict=True):
                    s.add(Attachment(sha256=sha, app_key=key, material_id=material_id,
                                     size=len(blob), uploaded_offset=0, done=False,
                                     created_at=now, purged_at=None))
                s.add(Transition(key=key, at=now, from_state=None,
                                 to_state=ItemState.PENDING.value, reason_zh=created_reason,
                                 detail=f"seq {item.seq}, {len(attachment_ids)} attachment(s)"
                                 + (f", corrects {supersedes}" if supersedes else "")))
                if root is not None:  # a note in the case's history; its state stays
                    note = REASON_CORRECTION_NOTE.format(no=provisional_no)
                    state = ItemState(root.state)
                    root.reason_zh, root.updated_at = note, now
                    s.add(Transition(key=root.key, at=now, from_state=state.value,
                                     to_state=state.value, reason_zh=note,
                                     detail=f"correction {key}"))
                    changes.append(StateChange(root.key, "application", root.provisional_no,
                                               state, note))
                uow.commit()
                changes.append(StateChange(key, "application", provisional_no,
                                           ItemState.PENDING, created_reason))
        except BaseException as err:
            # A COMMIT that failed with an I/O error may still be found committed in the
            # WAL after a restart: then leave the files to the next sweep, which keeps
            # whatever a row references. Otherwise the files are ours to remove now.
            ambiguous = (uow is not None and uow.commit_attempted and not uow.committed
                         and isinstance(err, StorageError)
                         and err.user_message != MSG_DISK_FULL)
            if ambiguous:
                self.attachments.release(attachment_ids)
            else:
                self.attachments.discard(attachment_ids)
            raise
        self.attachments.release(attachment_ids)
        log.info("application %s stored as %s (%s): %d attachment(s), %d bytes",
                 key, provisional_no, draft.service_code, len(attachment_ids),
                 len(payload) + attachments_bytes)
        self._notify(changes)
        return SubmitReceipt(key=key, provisional_no=provisional_no,
                             service_code=draft.service_code, service_name=draft.service_name,
                             masked_name=masked_name, masked_id=masked_id,
                             state=ItemState.PENDING, created_at=now,
                             attachments=tuple(attachment_ids), supersedes=supersedes,
                             case_no=case_no)

    def _receipt_for_ref(self, s: Session, client_ref: str) -> SubmitReceipt | None:
        row = s.execute(select(OutboxItem, Application).join(
            Application, Application.key == OutboxItem.key).where(
            OutboxItem.client_ref == client_ref)).one_or_none()
        if row is None:
            return None
        item, app = row
        if item.payload is not None:
            shas = json.loads(item.payload).get("attachments", [])
        else:
            shas = s.scalars(select(Attachment.sha256).where(Attachment.app_key == app.key)
                             .order_by(Attachment.sha256)).all()
        return SubmitReceipt(key=item.key, provisional_no=app.provisional_no,
                             service_code=app.service_code, service_name=app.service_name,
                             masked_name=app.masked_name, masked_id=app.masked_id,
                             state=ItemState(app.state), created_at=app.created_at,
                             attachments=tuple(shas), resubmitted=True,
                             supersedes=app.supersedes, case_no=self._case_no(s, app))

    @staticmethod
    def _case_no(s: Session, app: Application) -> str | None:
        """The case number; a correction shows the number of the case it belongs to."""
        if app.case_no is None and app.supersedes is not None:
            return s.scalar(select(Application.case_no)
                            .where(Application.key == app.supersedes))
        return app.case_no

    def _count_undelivered_apps(self, s: Session) -> int:
        return s.scalar(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.kind == "application", OutboxItem.state.in_(_UNDELIVERED))) or 0

    def _next_sequence(self, s: Session, day: str) -> int:
        stmt = sqlite_insert(Counter).values(name=f"receipt:{day}", value=1)
        stmt = stmt.on_conflict_do_update(index_elements=[Counter.name],
                                          set_={"value": Counter.value + 1})
        value = s.execute(stmt.returning(Counter.value)).scalar_one()
        sequence = self._sequence_base + value
        if sequence > receipts.MAX_SEQUENCE:
            raise StorageError(f"daily sequence exhausted for {day}",
                               user_message="本机今日受理量已达上限，请到窗口办理")
        return sequence

    def enqueue_event(self, kind: str, body: Mapping[str, Any], *,
                      key: str | None = None) -> str:
        if kind not in EVENT_KINDS:
            raise ValidationError(f"unknown event kind {kind!r}", field="kind")
        if key is None:
            key = str(uuid.uuid4())
        elif not _UUID4.fullmatch(key):
            raise ValidationError(f"idempotency key must be a lower-case UUID4, got {key!r}",
                                  field="key")
        now = self._clock()
        try:
            item_dict = {"idempotency_key": key, "kind": kind, "created_at": _iso(now),
                         "body": dict(body)}
            payload = canonical_json(item_dict)
        except (TypeError, ValueError) as err:
            raise ValidationError(f"event body is not JSON: {err}", field="body") from err
        if len(payload) > MAX_EVENT_BYTES:
            raise ValidationError(f"event of {len(payload)} bytes is too large", field="body")
        self.check_capacity(len(payload) + 4096, application=False)
        with self._db.write() as uow:
            s = uow.session
            existing = s.scalars(select(OutboxItem).where(OutboxItem.key == key)).one_or_none()
            if existing is not None:
                same = False
                if existing.payload is not None and existing.kind == kind:
                    stored = json.loads(existing.payload)
                    same = canonical_json(stored.get("body")) == canonical_json(dict(body))
                if not same:
                    raise KeyReuseError(f"key {key} already holds a different or purged "
                                        f"{existing.kind} payload; not overwritten")
                return key
            s.add(OutboxItem(key=key, kind=kind, state=ItemState.PENDING.value,
                             payload=payload, payload_sha256=sha256_hex(payload),
                             payload_size=len(payload), attachments_bytes=0, created_at=now,
                             updated_at=now, attempts=0, next_attempt_at=None))
            s.flush()
            s.add(Transition(key=key, at=now, from_state=None, to_state=ItemState.PENDING.value,
                             reason_zh=REASON_EVENT_CREATED, detail=kind))
            uow.commit()
        self._notify([StateChange(key, kind, None, ItemState.PENDING, REASON_EVENT_CREATED)])
        return key

    # -- delivering ------------------------------------------------------------------------------

    def _clamp_future(self, now: float) -> None:
        """A schedule beyond ``now + cap`` means the clock went back: pull it in."""
        horizon = now + self.max_backoff_s
        with self._db.read() as s:
            far = s.scalar(select(func.count()).select_from(OutboxItem).where(
                OutboxItem.state == ItemState.RETRY_SCHEDULED.value,
                OutboxItem.next_attempt_at > horizon))
        if far:
            with self._db.write() as uow:
                uow.session.execute(update(OutboxItem).where(
                    OutboxItem.state == ItemState.RETRY_SCHEDULED.value,
                    OutboxItem.next_attempt_at > horizon).values(next_attempt_at=horizon))
                uow.commit()
            log.warning("clock moved back: %d retry time(s) pulled in to now + %.0f s",
                        far, self.max_backoff_s)

    def due(self, now: float | None = None, limit: int = 50) -> list[DueItem]:
        now = self._clock() if now is None else now
        self._clamp_future(now)
        with self._db.read() as s:
            return [item for item, _ in self._due(s, now, limit)]

    def _due(self, s: Session, now: float, limit: int) -> list[tuple[DueItem, _Current]]:
        rows = sorted((row for state in _DUE_STATES for row in s.execute(
            _SQL_DUE, {"b_state": state, "b_now": now, "b_limit": limit})),
            key=lambda r: r.seq)[:limit]
        todo: dict[str, list[str]] = {}
        keys = [row.key for row in rows if row.kind == "application"]
        if keys:
            for app_key, sha in s.execute(_SQL_PENDING_ATTACHMENTS, {"b_keys": keys}):
                todo.setdefault(app_key, []).append(sha)
        out = []
        for (key, seq, kind, payload, payload_sha256, attempts, item_state, delivered_at,
             app_state, provisional_no, case_no, supersedes) in rows:
            if payload is None:  # cannot happen for undelivered items
                log.error("undelivered item %s has no payload", key)
                continue
            out.append((DueItem(key=key, seq=seq, kind=kind, payload=payload,
                                payload_sha256=payload_sha256, attempts=attempts,
                                pending_attachments=tuple(self._ordered_attachments(
                                    payload, todo.get(key, []))),
                                provisional_no=provisional_no),
                        _current_of(key, kind, item_state, delivered_at, app_state,
                                    provisional_no, case_no, supersedes)))
        return out

    @staticmethod
    def _ordered_attachments(payload: bytes, pending: list[str]) -> list[str]:
        if len(pending) < 2:
            return pending
        order = json.loads(payload).get("attachments", [])
        rank = {sha: i for i, sha in enumerate(order)}
        return sorted(pending, key=lambda sha: rank.get(sha, len(rank)))

    def next_due_at(self, now: float | None = None) -> float | None:
        now = self._clock() if now is None else now
        with self._db.read() as s:
            if s.scalar(select(OutboxItem.seq).where(
                    OutboxItem.state == ItemState.PENDING.value).limit(1)) is not None:
                return now  # (not a count: that reads the whole pending range)
            nxt = s.scalar(select(func.min(OutboxItem.next_attempt_at)).where(
                OutboxItem.state == ItemState.RETRY_SCHEDULED.value))
        if nxt is None:
            return None
        return max(now, min(nxt, now + self.max_backoff_s))

    def mark_sending(self, keys: Iterable[str]) -> None:
        now = self._clock()
        keys = list(keys)
        if not keys:
            return
        with self._db.write() as uow:
            current = self._current(uow.session, keys)
            w = _Writes()
            for key in keys:
                self._move(w, current[key], ItemState.SENDING, REASON_SENDING, None)
            changes = self._write(uow.session, w, now)
            uow.commit()
        self._notify(changes)

    def mark_delivered(self, key: str, case_no: str | None = None,
                       state: str | ItemState = ItemState.SUBMITTED,
                       reason: str | None = None) -> None:
        self.mark_delivered_many([Ack(key, case_no, _state(state).value, reason)])

    def mark_delivered_many(self, acks: Sequence[Ack], *, take_next: int = 0,
                            ) -> list[DueItem]:
        """Record acknowledgements in one transaction. With ``take_next`` > 0 the same
        transaction then does what ``due(limit=take_next)`` + ``mark_sending`` do and
        returns those items (the worker's next batch): one FULL commit per batch instead of
        two. Atomic like each of them: a crash before COMMIT leaves this batch ``sending``
        (resent at the next open, answered ``duplicate``) and the next one untouched."""
        if not acks and take_next <= 0:
            return []
        now = self._clock()
        purge: list[str] = []
        taken: list[DueItem] = []
        with self._db.write() as uow:
            s = uow.session
            w = _Writes()
            current = self._current(s, [a.key for a in acks])
            self._plan_deliveries(s, w, [(current[a.key], a) for a in acks], now, purge)
            if take_next > 0:
                horizon = now + self.max_backoff_s
                pulled = s.connection().execute(update(_OUTBOX_T).where(  # as _clamp_future
                    _OUTBOX_T.c.state == ItemState.RETRY_SCHEDULED.value,
                    _OUTBOX_T.c.next_attempt_at > horizon).values(next_attempt_at=horizon))
                if pulled.rowcount:
                    log.warning("clock moved back: %d retry time(s) pulled in to now + %.0f s",
                                pulled.rowcount, self.max_backoff_s)
                for item, cur in self._due(s, now, take_next):
                    self._move(w, cur, ItemState.SENDING, REASON_SENDING, None)
                    taken.append(item)
            changes = self._write(s, w, now)
            uow.commit()
        self.attachments.delete(purge)
        self._notify(changes)
        return taken

    def _deliver(self, s: Session, item: OutboxItem, ack: Ack, now: float,
                 purge: list[str], attachments: Mapping[str, list[str]]) -> list[StateChange]:
        """One acknowledgement for an item the ORM session holds (status updates)."""
        s.flush()  # the set-based statements must see (and must not undo) pending changes
        w = _Writes()
        current = self._current(s, [item.key])
        self._plan_deliveries(s, w, [(current[item.key], ack)], now, purge, attachments)
        changes = self._write(s, w, now)
        s.expire_all()  # loaded objects are stale now; reload them on next use
        return changes

    def _plan_deliveries(self, s: Session, w: _Writes, acks: Sequence[tuple[_Current, Ack]],
                         now: float, purge: list[str],
                         attachments: Mapping[str, list[str]] | None = None) -> None:
        """The platform acknowledged these items: link numbers, move state, purge personal
        data (envelopes by ``_write``; attachment rows here, their files after COMMIT via
        ``purge``)."""
        for cur, ack in acks:
            new = _state(ack.state)
            if new not in PLATFORM_STATES:
                raise IllegalTransitionError(
                    f"delivery state must be a platform state, got {new}")
            if cur.kind != "application":
                new = ItemState.SUBMITTED
            elif ack.case_no and cur.case_no != ack.case_no and not cur.corrects:
                cur.case_no = w.linked[cur.key] = ack.case_no
                w.touched[cur.key] = cur
            if cur.state is not new:
                if cur.state in UNDELIVERED_STATES:
                    self._move(w, cur, new, ack.reason or REASON_DELIVERED,
                               f"case_no {ack.case_no}")
                else:
                    try:  # already delivered (a replayed or late acknowledgement)
                        self._move(w, cur, new, ack.reason or new.label,
                                   f"case_no {ack.case_no}")
                    except IllegalTransitionError:
                        log.info("ignored stale acknowledgement %s for %s (now %s)",
                                 new.value, cur.key, cur.state.value)
            if not cur.delivered:
                cur.delivered = True
                w.delivered[cur.key] = w.touched[cur.key] = cur
        app_keys = [k for k, c in w.delivered.items() if c.kind == "application"]
        for part in _chunks(app_keys):
            if attachments is None:
                shas = list(s.scalars(select(Attachment.sha256).where(
                    Attachment.app_key.in_(part), Attachment.purged_at.is_(None))))
            else:
                shas = [sha for k in part for sha in attachments.get(k, [])]
            if shas:  # most applications have no scans
                s.execute(update(_ATTACHMENTS_T).where(_ATTACHMENTS_T.c.sha256.in_(shas))
                          .values(purged_at=now))
                purge.extend(shas)

    def schedule_retry(self, key: str, next_attempt_at: float, error: str) -> None:
        now = self._clock()
        with self._db.write() as uow:
            item = self._item(uow.session, key)
            change = self._transition(uow.session, item, ItemState.RETRY_SCHEDULED,
                                      REASON_RETRY, error[:2000], now)
            item.attempts += 1
            item.next_attempt_at = next_attempt_at
            item.last_error = error[:2000]
            uow.commit()
        self._notify([change])

    def dead_letter(self, key: str, reason_zh: str, detail: str) -> None:
        now = self._clock()
        with self._db.write() as uow:
            item = self._item(uow.session, key)
            change = self._transition(uow.session, item, ItemState.DEAD_LETTER, reason_zh,
                                      detail[:2000], now)
            item.next_attempt_at = None
            item.last_error = detail[:2000]
            uow.commit()
        log.warning("item %s dead-lettered: %s", key, detail[:200])
        self._notify([change])

    def retry_dead_letters(self, keys: Iterable[str] | None = None) -> int:
        now = self._clock()
        changes = []
        with self._db.write() as uow:
            s = uow.session
            query = select(OutboxItem).where(OutboxItem.state == ItemState.DEAD_LETTER.value)
            if keys is not None:
                query = query.where(OutboxItem.key.in_(list(keys)))
            for item in s.scalars(query.order_by(OutboxItem.seq)).all():
                changes.append(self._transition(s, item, ItemState.PENDING, REASON_DEAD_RETRY,
                                                f"previous error: {item.last_error}", now))
                item.attempts = 0
                item.next_attempt_at = None
            uow.commit()
        self._notify(changes)
        return len(changes)

    # -- attachments ---------------------------------------------------------------------------

    def attachment_state(self, sha: str) -> AttachmentState:
        with self._db.read() as s:
            row = s.get(Attachment, sha)
            if row is None:
                raise UnknownItemError(f"no attachment {sha}")
            return AttachmentState(row.sha256, row.size, row.uploaded_offset, row.done,
                                   row.purged_at is not None)

    def set_uploaded(self, sha: str, offset: int) -> AttachmentState:
        with self._db.write() as uow:
            row = uow.session.get(Attachment, sha)
            if row is None:
                raise UnknownItemError(f"no attachment {sha}")
            if not 0 <= offset <= row.size:
                raise ValueError(f"offset {offset} outside 0..{row.size}")
            row.uploaded_offset = offset
            row.done = offset == row.size
            uow.commit()
            return AttachmentState(row.sha256, row.size, row.uploaded_offset, row.done,
                                   row.purged_at is not None)

    def read_attachment_chunk(self, sha: str, offset: int, size: int) -> bytes:
        state = self.attachment_state(sha)
        if state.purged:
            raise UnknownItemError(f"attachment {sha} was purged after delivery")
        try:
            return self.attachments.read_chunk(sha, offset, size)
        except FileNotFoundError as err:
            raise StorageError(f"attachment file {sha} is missing",
                               user_message="材料文件缺失，请联系技术人员") from err

    # -- status updates ------------------------------------------------------------------------

    def apply_status_update(self, update_: Mapping[str, Any]) -> str:
        return self.apply_status_updates([update_], None)[0]

    def apply_status_updates(self, updates: Sequence[Mapping[str, Any]],
                             next_cursor: int | None) -> list[str]:
        """Apply a page of §6 updates and, in the same transaction, store ``next_cursor``."""
        now = self._clock()
        results: list[str] = []
        changes: list[StateChange] = []
        purge: list[str] = []
        with self._db.write() as uow:
            s = uow.session
            # Most updates of a page repeat what the kiosk holds (its own deliveries coming
            # back as "submitted"): those are answered from one read of the page's rows.
            held_now = self._status_snapshot(s, updates)
            repeats = [self._repeats(up, held_now) for up in updates]
            held = self._load_apps(s, [up for up, r in zip(updates, repeats, strict=True)
                                       if not r])
            for up, repeat in zip(updates, repeats, strict=True):
                key = str(up.get("idempotency_key") or "")
                if repeat and key in held_now:
                    results.append("unchanged")
                    continue
                results.append(self._apply_one(s, up, now, changes, purge))
                if key:  # what the page says next about this one is judged afresh
                    held_now.pop(key, None)
                else:  # found by its provisional number: any of them may have changed
                    held_now.clear()
            del held  # referenced until here: the identity map serves ``get`` only then
            if next_cursor is not None:
                self._set_setting(s, "status_cursor", str(int(next_cursor)))
            uow.commit()
        self.attachments.delete(purge)
        self._notify(changes)
        return results

    @staticmethod
    def _status_snapshot(s: Session, updates: Sequence[Mapping[str, Any]],
                         ) -> dict[str, tuple[str, str | None, str | None]]:
        """key -> (state, reason, case number) of the page's applications, Core rows."""
        keys = list(dict.fromkeys(str(u["idempotency_key"]) for u in updates
                                  if u.get("idempotency_key")))
        out: dict[str, tuple[str, str | None, str | None]] = {}
        for part in _chunks(keys):
            for key, state, reason, case_no in s.execute(
                    select(Application.key, Application.state, Application.reason_zh,
                           Application.case_no).where(Application.key.in_(part))):
                out[key] = (state, reason, case_no)
        return out

    @staticmethod
    def _repeats(up: Mapping[str, Any],
                 held: Mapping[str, tuple[str, str | None, str | None]]) -> bool:
        """True when ``_apply_one`` would answer ``unchanged`` without touching anything:
        a plain §6 update (no member beyond these; a correction request, say, is never
        a repeat) of a delivered application already in that state, with that reason and
        no other case number."""
        if not up.keys() <= _PLAIN_UPDATE:
            return False
        row = held.get(str(up.get("idempotency_key") or ""))
        if row is None:
            return False
        state, reason, case_no = row
        if str(up.get("state")) != state or state not in _PLATFORM_STATE_VALUES:
            return False
        if str(up.get("reason") or ItemState(state).label) != reason:
            return False
        return not up.get("case_no") or str(up["case_no"]) == case_no

    @staticmethod
    def _load_apps(s: Session, updates: Sequence[Mapping[str, Any]]) -> list[Application]:
        """The applications of these updates in one statement per 500 keys, so that
        ``get`` in ``_apply_one`` finds them in the identity map."""
        keys = list(dict.fromkeys(str(u["idempotency_key"]) for u in updates
                                  if u.get("idempotency_key")))
        held: list[Application] = []
        for part in _chunks(keys):
            held += s.scalars(select(Application).where(Application.key.in_(part)))
        return held

    def _apply_one(self, s: Session, up: Mapping[str, Any], now: float,
                   changes: list[StateChange], purge: list[str]) -> str:
        app = None
        if up.get("idempotency_key"):
            app = s.get(Application, str(up["idempotency_key"]))
        if app is None and up.get("provisional_no"):
            app = s.scalars(select(Application).where(
                Application.provisional_no == receipts.normalise(str(up["provisional_no"]))
            )).one_or_none()
        if app is None:
            log.warning("status update for an unknown application (seq %s)", up.get("seq"))
            return "unknown"
        try:
            new = ItemState(str(up.get("state")))
        except ValueError:
            log.warning("status update with unknown state %r", up.get("state"))
            return "illegal"
        if new not in PLATFORM_STATES:
            return "illegal"
        reason = str(up.get("reason") or new.label)
        case_no = str(up["case_no"]) if up.get("case_no") else None
        current = ItemState(app.state)
        if current in UNDELIVERED_STATES and new is ItemState.NEEDS_CORRECTION:
            request = CorrectionRequest.from_wire(up.get("correction"))
            if request is not None:
                app.correction = canonical_json(request.as_dict()).decode()
        if current in UNDELIVERED_STATES:
            # the platform has it although our acknowledgement was lost
            before = len(changes)
            item = self._item(s, app.key)
            attachments = {app.key: list(s.scalars(select(Attachment.sha256).where(
                Attachment.app_key == app.key, Attachment.purged_at.is_(None))))}
            changes += self._deliver(s, item, Ack(app.key, case_no, new.value, reason), now,
                                     purge, attachments)
            return "applied" if len(changes) > before else "unchanged"
        linked = False
        if case_no and app.case_no != case_no and app.supersedes is None:
            app.case_no = case_no
            app.updated_at = now
            linked = True
        if new is ItemState.NEEDS_CORRECTION:
            request = CorrectionRequest.from_wire(up.get("correction"))
            stored = canonical_json(request.as_dict()).decode() if request else None
            if stored is not None and stored != app.correction:
                app.correction = stored
                app.updated_at = now
                linked = True
        if current is new:
            if reason != app.reason_zh:
                app.reason_zh = reason
                app.updated_at = now
                linked = True
            return "applied" if linked else "unchanged"
        item = self._item(s, app.key)
        try:
            changes.append(self._transition(s, item, new, reason,
                                            f"status seq {up.get('seq')}", now, app))
        except IllegalTransitionError as err:
            log.warning("ignored status update for %s: %s", app.key, err)
            return "illegal"
        return "applied"

    def get_cursor(self) -> int:
        with self._db.read() as s:
            row = s.get(Setting, "status_cursor")
            return int(row.value) if row is not None else 0

    def set_cursor(self, cursor: int) -> None:
        with self._db.write() as uow:
            self._set_setting(uow.session, "status_cursor", str(int(cursor)))
            uow.commit()

    @staticmethod
    def _set_setting(s: Session, name: str, value: str) -> None:
        row = s.get(Setting, name)
        if row is None:
            s.add(Setting(name=name, value=value))
        else:
            row.value = value

    def record_contact(self, at: float | None = None) -> None:
        at = self._clock() if at is None else at
        with self._contact_lock:
            self._last_contact = at
        self._persist_contact(force=False)

    def _persist_contact(self, *, force: bool) -> None:
        with self._contact_lock:
            at, saved = self._last_contact, self._last_contact_saved
        if at is None or at == saved:
            return
        if not force and saved is not None and 0 <= at - saved < CONTACT_PERSIST_INTERVAL_S:
            return
        with self._db.write() as uow:
            self._set_setting(uow.session, "last_contact_at", repr(at))
            uow.commit()
        with self._contact_lock:
            self._last_contact_saved = at

    # -- reading ---------------------------------------------------------------------------------

    def lookup(self, number: str) -> ApplicationView | None:
        text = number.strip()
        if not text:
            return None
        with self._db.read() as s:
            app = s.scalars(select(Application).where(
                (Application.provisional_no == receipts.normalise(text))
                | (Application.case_no == text))).first()
            return self._view(s, app) if app is not None else None

    def lookup_by_person(self, masked_name: str, masked_id: str,
                         limit: int = 20) -> list[ApplicationView]:
        """This kiosk's applications whose applicant has these masked name and ID number,
        newest first (办件查询 with the ID card: only masked values are stored in clear, so
        two people sharing both masks would see each other's masked records)."""
        with self._db.read() as s:
            apps = s.scalars(select(Application).where(
                Application.masked_name == masked_name, Application.masked_id == masked_id)
                .order_by(Application.created_at.desc()).limit(limit)).all()
            return [self._view(s, app) for app in apps]

    def lookup_by_id(self, id_number: str, limit: int = 20) -> list[ApplicationView]:
        """This kiosk's applications whose applicant has this ID number, newest first
        (办件查询 with the ID card). One scrypt digest, matched against ``id_digest``;
        rows stored before revision 0003 have no digest and are not found this way."""
        if not id_number.strip():
            return []
        digest = self.id_digest(id_number)
        with self._db.read() as s:
            apps = s.scalars(select(Application).where(Application.id_digest == digest)
                             .order_by(Application.created_at.desc()).limit(limit)).all()
            return [self._view(s, app) for app in apps]

    def list_applications(self, *, states: Iterable[str | ItemState] | None = None,
                          text: str = "", since: float | None = None,
                          limit: int = 200) -> list[ApplicationView]:
        """This kiosk's applications for the staff queue, newest first: optionally only
        ``states``, created at or after ``since``, and matching ``text`` (a provisional or
        case number fragment, a service code or name fragment — masked values only)."""
        query = select(Application)
        if states is not None:
            query = query.where(Application.state.in_([_state(x).value for x in states]))
        if since is not None:
            query = query.where(Application.created_at >= since)
        needle = text.strip()
        if needle:
            like = f"%{needle.replace('%', '').replace('_', '')}%"
            query = query.where(Application.provisional_no.like(like)
                                | Application.case_no.like(like)
                                | Application.service_code.like(like)
                                | Application.service_name.like(like))
        with self._db.read() as s:
            apps = s.scalars(query.order_by(Application.created_at.desc(),
                                            Application.provisional_no.desc())
                             .limit(limit)).all()
            return [self._view(s, app) for app in apps]

    def application(self, key: str) -> ApplicationView | None:
        with self._db.read() as s:
            app = s.get(Application, key)
            return self._view(s, app) if app is not None else None

    def _view(self, s: Session, app: Application) -> ApplicationView:
        item = self._item(s, app.key)
        return ApplicationView(
            key=app.key, provisional_no=app.provisional_no, case_no=self._case_no(s, app),
            service_code=app.service_code, service_name=app.service_name,
            catalogue_version=app.catalogue_version, channel_kind=app.channel_kind,
            masked_name=app.masked_name, masked_id=app.masked_id,
            face_status=app.face_status, state=ItemState(app.state), reason_zh=app.reason_zh,
            created_at=app.created_at, last_updated=app.updated_at,
            purged=app.purged_at is not None, attempts=item.attempts,
            last_error=item.last_error, history=tuple(self._history(s, app.key)),
            materials=_material_records(app.materials), proxy=bool(app.proxy),
            supersedes=app.supersedes,
            superseded_by=tuple(s.scalars(select(Application.key).where(
                Application.supersedes == app.key).order_by(Application.created_at))),
            correction=CorrectionRequest.from_wire(
                json.loads(app.correction) if app.correction else None))

    def history(self, key: str) -> list[HistoryEntry]:
        with self._db.read() as s:
            self._item(s, key)
            return self._history(s, key)

    @staticmethod
    def _history(s: Session, key: str) -> list[HistoryEntry]:
        rows = s.scalars(select(Transition).where(Transition.key == key)
                         .order_by(Transition.id)).all()
        return [HistoryEntry(r.at, ItemState(r.from_state) if r.from_state else None,
                             ItemState(r.to_state), r.reason_zh, r.detail) for r in rows]

    def stats(self, now: float | None = None) -> QueueStats:
        now = self._clock() if now is None else now
        with self._db.read() as s:
            depth = {state: int(n) for state, n in s.execute(
                select(OutboxItem.state, func.count()).group_by(OutboxItem.state))}
            apps = {state: int(n) for state, n in s.execute(
                select(Application.state, func.count()).group_by(Application.state))}
            undelivered = s.execute(
                select(func.count(), func.min(OutboxItem.seq),
                       func.coalesce(func.sum(OutboxItem.payload_size
                                              + OutboxItem.attachments_bytes), 0))
                .where(OutboxItem.state.in_(_UNDELIVERED))).one()
            oldest_age = None
            if undelivered[1] is not None:
                created = s.scalar(select(OutboxItem.created_at)
                                   .where(OutboxItem.seq == undelivered[1]))
                oldest_age = max(0.0, now - float(created or now))
        with self._contact_lock:
            last_contact = self._last_contact
        return QueueStats(depth=depth, applications=apps, undelivered=int(undelivered[0]),
                          dead_letters=int(depth.get(ItemState.DEAD_LETTER.value, 0)),
                          oldest_undelivered_age_s=oldest_age,
                          queued_bytes=int(undelivered[2]), last_contact_at=last_contact)

    # -- maintenance ------------------------------------------------------------------------------

    def sweep_orphans(self) -> int:
        """Remove attachment temp files and files no live row references."""
        def referenced() -> set[str]:
            with self._db.read() as s:
                return set(s.scalars(select(Attachment.sha256)
                                     .where(Attachment.purged_at.is_(None))).all())

        n = self.attachments.sweep(referenced)
        if n:
            log.info("removed %d orphan attachment file(s)", n)
        return n

    def checkpoint(self, *, truncate: bool = False) -> None:
        self._db.checkpoint(truncate=truncate)

    def prune_delivered_events(self, older_than_s: float, now: float | None = None) -> int:
        """Delete delivered event rows (and their history) older than ``older_than_s``.
        Applications are never pruned here; undelivered items never."""
        now = self._clock() if now is None else now
        with self._db.write() as uow:
            s = uow.session
            keys = s.scalars(select(OutboxItem.key).where(
                OutboxItem.kind != "application",
                OutboxItem.state == ItemState.SUBMITTED.value,
                OutboxItem.delivered_at < now - older_than_s)).all()
            if keys:
                s.execute(delete(Transition).where(Transition.key.in_(keys)))
                s.execute(delete(OutboxItem).where(OutboxItem.key.in_(keys)))
            uow.commit()
        return len(keys)

