"""The kiosk-wide audit log: append-only, hash-chained, verifiable, delivered upstream.

One ``AuditLog`` per kiosk, bound to the queue (``sync.service.SyncStack.audit``)::

    AuditLog(outbox, *, clock=None)        # or AuditLog(database) to read/verify only
    record(actor, action, detail) -> str   # the outbox key of the "audit" event
    verify() -> VerifyReport               # recompute the chain, name the first bad entry
    entries(*, action=None, actor=None, limit=50, offset=0) -> list[AuditRecord]
    count(*, action=None, actor=None) -> int;  head() -> (seq, hash)

Each entry is one row of ``audit_log`` (revision 0003; triggers refuse UPDATE and DELETE)::

    hash = SHA-256( canonical_json({"seq", "at", "actor", "action", "detail", "prev_hash"}) )

chained to the previous row's ``hash`` (the first row's ``prev_hash`` is 64 zeros).
``canonical_json`` is ``kiosk.crypto.canonical_json`` (sorted keys, no spaces, UTF-8);
``at`` is Unix seconds rounded to milliseconds. The same transaction enqueues an outbox
event of kind ``audit`` whose body is exactly those six members plus ``hash``
(platform-api.md §5), so the platform can recompute every hash and check the chain, and
the sync worker delivers it exactly once like any other event.

``detail`` must hold no personal data: numbers, codes, ids, hashes, booleans, masked values
at most. ``record`` enforces a simple rule and raises ``ValidationError`` otherwise: keys
are ASCII identifiers; strings are ASCII codes (``[A-Za-z0-9_.:/@#=+*-]``, ≤ 200
characters) or masked values (containing ``*``); no string may contain a run of 11 or more
digits (a phone, ID-card or bank-card number) unless it is a SHA-256 hex digest or UUID.

Writes go through the queue's single writer (one ``BEGIN IMMEDIATE`` transaction under the
database lock), so ``record`` is thread-safe and the chain has no forks. ``seq`` continues
from ``sqlite_sequence``, never from ``max(seq)``: a row deleted behind the triggers'
back leaves a gap that ``verify`` reports, even when it was the last one.

What ``verify`` cannot see locally: a tail deleted together with its ``sqlite_sequence``
entry, or a chain rewritten from the start. The platform's copy (delivered events) is the
reference for those; compare ``head()`` with the platform's last received entry.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from kiosk.crypto import canonical_json, sha256_hex
from kiosk.errors import StorageError, ValidationError
from sync.attachments import MSG_DISK_FULL, free_bytes
from sync.db import Database
from sync.models import AuditEntry, ItemState, OutboxItem, Transition
from sync.outbox import MAX_EVENT_BYTES, REASON_EVENT_CREATED, Outbox, StateChange
from sync.receipts import CHINA_TZ

__all__ = [
    "GENESIS_HASH",
    "AuditLog",
    "AuditRecord",
    "VerifyReport",
    "check_detail",
    "entry_hash",
]

GENESIS_HASH = "0" * 64
MAX_TEXT = 200
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,59}")
_ACTOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@#-]{0,79}")
_CODE = re.compile(r"[A-Za-z0-9_.:/@#=+*-]*")
_LONG_DIGITS = re.compile(r"[0-9]{11,}")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PAGE = 500
AUDIT_RESERVE_BYTES = 1 << 20

MSG_PERSONAL = "审计记录不得包含个人信息"


def entry_hash(seq: int, at: float, actor: str, action: str, detail: Mapping[str, Any],
               prev_hash: str) -> str:
    """The SHA-256 (hex) of one entry; see the module docstring."""
    return sha256_hex(canonical_json({"seq": seq, "at": at, "actor": actor,
                                      "action": action, "detail": dict(detail),
                                      "prev_hash": prev_hash}))


def _check_text(value: str, where: str) -> None:
    if _HEX64.fullmatch(value) or _UUID.fullmatch(value):
        return
    if len(value) > MAX_TEXT:
        raise ValidationError(f"audit {where}: text longer than {MAX_TEXT}",
                              field="detail", user_message=MSG_PERSONAL)
    if not (_CODE.fullmatch(value) or "*" in value):
        raise ValidationError(f"audit {where}: only codes, numbers or masked values allowed",
                              field="detail", user_message=MSG_PERSONAL)
    if _LONG_DIGITS.search(value):
        raise ValidationError(f"audit {where}: looks like a phone, ID or card number",
                              field="detail", user_message=MSG_PERSONAL)


def _check_value(value: Any, where: str) -> None:
    if value is None or isinstance(value, bool | int | float):
        return
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_value(v, f"{where}[{i}]")
    elif isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str) or not _NAME.fullmatch(k):
                raise ValidationError(f"audit {where}: bad key {k!r}", field="detail")
            _check_value(v, f"{where}.{k}")
    else:
        raise ValidationError(f"audit {where}: {type(value).__name__} is not JSON",
                              field="detail")


def check_detail(detail: Mapping[str, Any]) -> None:
    """Raise ``ValidationError`` when ``detail`` could carry personal data (module doc)."""
    if not isinstance(detail, Mapping):
        raise ValidationError("audit detail must be an object", field="detail")
    _check_value(detail, "detail")


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: float
    actor: str
    action: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def at_iso(self) -> str:
        """China Standard Time, for the maintenance screen."""
        return datetime.fromtimestamp(self.at, tz=CHINA_TZ).isoformat(timespec="seconds")

    def body(self) -> dict[str, Any]:
        """The ``audit`` event body (platform-api.md §5)."""
        return {"seq": self.seq, "at": self.at, "actor": self.actor, "action": self.action,
                "detail": self.detail, "prev_hash": self.prev_hash, "hash": self.hash}

    def as_dict(self) -> dict[str, Any]:
        return {**self.body(), "at_iso": self.at_iso}


@dataclass(frozen=True)
class VerifyReport:
    """``ok`` or the first problem: ``bad_seq`` names the entry, ``problem`` is one of
    ``hash_mismatch`` (its content changed), ``chain_broken`` (its ``prev_hash`` is not the
    previous entry's hash), ``gap`` (entries from ``bad_seq`` on are missing: deleted),
    ``unreadable`` (its detail is not JSON)."""

    ok: bool
    checked: int
    last_seq: int
    last_hash: str
    bad_seq: int | None = None
    problem: str | None = None
    message_zh: str = "审计日志完整，未发现篡改"
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(seq=row.seq, at=row.at, actor=row.actor, action=row.action,
                       detail=json.loads(row.detail), prev_hash=row.prev_hash, hash=row.hash)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=CHINA_TZ).isoformat(timespec="seconds")


class AuditLog:
    """See the module docstring. Implements ``printing.reprint.AuditSink``."""

    def __init__(self, queue: Outbox | Database, *,
                 clock: Callable[[], float] | None = None) -> None:
        if isinstance(queue, Outbox):
            self._outbox: Outbox | None = queue
            self._db = queue.db
            self._clock = clock or queue._clock
        else:
            self._outbox = None
            self._db = queue
            self._clock = clock or time.time
        self._lock = threading.Lock()

    # -- writing ----------------------------------------------------------------------------

    def record(self, actor: str, action: str, detail: Mapping[str, Any]) -> str:
        """Append one entry and enqueue its ``audit`` event in the same transaction;
        returns the event's idempotency key. Raises ``ValidationError`` (personal data,
        bad names) or ``StorageError`` (disk full) and then writes nothing."""
        outbox = self._outbox
        if outbox is None:
            raise ValidationError("this AuditLog is read-only (opened on a database)")
        if not isinstance(actor, str) or not _ACTOR.fullmatch(actor):
            raise ValidationError(f"audit actor {actor!r} is not an id", field="actor",
                                  user_message=MSG_PERSONAL)
        if not isinstance(action, str) or not _NAME.fullmatch(action):
            raise ValidationError(f"audit action {action!r} is not a name", field="action")
        check_detail(detail)
        stored: dict[str, Any] = json.loads(canonical_json(dict(detail)))  # as stored
        key = str(uuid.uuid4())
        # not outbox.check_capacity: its reserve (min_free_disk_bytes) is for refusing new
        # citizens' submissions; an audit entry is a few hundred bytes, and maintenance
        # (an export to free the queue) must stay possible and audited on a nearly full disk
        free = free_bytes(self._db.path.parent)
        if free < AUDIT_RESERVE_BYTES:
            raise StorageError(f"free disk {free} B < {AUDIT_RESERVE_BYTES} B for the audit log",
                               user_message=MSG_DISK_FULL)
        with self._lock, self._db.write() as uow:
            s = uow.session
            now = self._clock()
            at = round(now, 3)
            seq = self._next_seq(s)
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())
                             .limit(1)).first()
            prev = last.hash if last is not None else GENESIS_HASH
            digest = entry_hash(seq, at, actor, action, stored, prev)
            rec = AuditRecord(seq, at, actor, action, stored, prev, digest)
            s.add(AuditEntry(seq=seq, at=at, actor=actor, action=action,
                             detail=canonical_json(stored).decode("utf-8"),
                             prev_hash=prev, hash=digest))
            payload = canonical_json({"idempotency_key": key, "kind": "audit",
                                      "created_at": _iso(now), "body": rec.body()})
            if len(payload) > MAX_EVENT_BYTES:
                raise ValidationError("audit detail too large", field="detail")
            s.add(OutboxItem(key=key, kind="audit", state=ItemState.PENDING.value,
                             payload=payload, payload_sha256=sha256_hex(payload),
                             payload_size=len(payload), attachments_bytes=0,
                             created_at=now, updated_at=now, attempts=0,
                             next_attempt_at=None))
            s.flush()
            s.add(Transition(key=key, at=now, from_state=None,
                             to_state=ItemState.PENDING.value,
                             reason_zh=REASON_EVENT_CREATED, detail=f"audit {seq}"))
            uow.commit()
        # same notification as Outbox.enqueue_event, for listeners of the queue
        outbox._notify([StateChange(key, "audit", None, ItemState.PENDING,
                                    REASON_EVENT_CREATED)])
        return key

    @staticmethod
    def _next_seq(s: Session) -> int:
        used = s.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
                         ).scalar()
        top = s.scalar(select(func.max(AuditEntry.seq)))
        return max(int(used or 0), int(top or 0)) + 1

    # -- reading ----------------------------------------------------------------------------

    def head(self) -> tuple[int, str]:
        """``(seq, hash)`` of the newest entry; ``(0, GENESIS_HASH)`` when empty."""
        with self._db.read() as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())
                             .limit(1)).first()
            return (last.seq, last.hash) if last is not None else (0, GENESIS_HASH)

    def entries(self, *, action: str | None = None, actor: str | None = None,
                limit: int = 50, offset: int = 0) -> list[AuditRecord]:
        """Entries for display, newest first, ``limit`` per page from ``offset``."""
        query = select(AuditEntry)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        if actor is not None:
            query = query.where(AuditEntry.actor == actor)
        query = query.order_by(AuditEntry.seq.desc()).limit(max(0, limit)).offset(max(0, offset))
        with self._db.read() as s:
            return [_record(r) for r in s.scalars(query)]

    def count(self, *, action: str | None = None, actor: str | None = None) -> int:
        query = select(func.count()).select_from(AuditEntry)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        if actor is not None:
            query = query.where(AuditEntry.actor == actor)
        with self._db.read() as s:
            return int(s.scalar(query) or 0)

    # -- verifying --------------------------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Recompute every hash in ``seq`` order; stop at the first problem."""
        expected_seq, prev, checked = 1, GENESIS_HASH, 0
        after = 0
        while True:
            with self._db.read() as s:
                rows = s.execute(select(AuditEntry.seq, AuditEntry.at, AuditEntry.actor,
                                        AuditEntry.action, AuditEntry.detail,
                                        AuditEntry.prev_hash, AuditEntry.hash)
                                 .where(AuditEntry.seq > after)
                                 .order_by(AuditEntry.seq).limit(_PAGE)).all()
                used = 0
                if not rows:
                    used = int(s.execute(text(
                        "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'"))
                        .scalar() or 0)
            if not rows:
                if used >= expected_seq:
                    return self._bad(checked, expected_seq - 1, prev, expected_seq, "gap",
                                     f"entries {expected_seq}..{used} are missing "
                                     f"(deleted at the end of the log)")
                return VerifyReport(ok=True, checked=checked, last_seq=expected_seq - 1,
                                    last_hash=prev)
            for seq, at, actor, action, detail_text, prev_hash, stored in rows:
                if seq != expected_seq:
                    return self._bad(checked, expected_seq - 1, prev, expected_seq, "gap",
                                     f"entries {expected_seq}..{seq - 1} are missing "
                                     f"(deleted)")
                try:
                    detail = json.loads(detail_text)
                except ValueError:
                    return self._bad(checked, seq - 1, prev, seq, "unreadable",
                                     f"entry {seq}: detail is not JSON")
                if entry_hash(seq, at, actor, action, detail, prev_hash) != stored:
                    return self._bad(checked, seq - 1, prev, seq, "hash_mismatch",
                                     f"entry {seq}: stored hash does not match its content")
                if prev_hash != prev:
                    return self._bad(checked, seq - 1, prev, seq, "chain_broken",
                                     f"entry {seq}: prev_hash is not the hash of entry "
                                     f"{seq - 1}")
                prev, expected_seq, after = stored, seq + 1, seq
                checked += 1

    @staticmethod
    def _bad(checked: int, last_seq: int, last_hash: str, seq: int, problem: str,
             detail: str) -> VerifyReport:
        messages = {
            "hash_mismatch": f"审计日志第 {seq} 条内容已被改动",
            "chain_broken": f"审计日志第 {seq} 条与前一条不衔接，日志已被改动",
            "gap": f"审计日志自第 {seq} 条起有记录缺失（已被删除）",
            "unreadable": f"审计日志第 {seq} 条无法读取",
        }
        return VerifyReport(ok=False, checked=checked, last_seq=last_seq, last_hash=last_hash,
                            bad_seq=seq, problem=problem, message_zh=messages[problem],
                            detail=detail)
