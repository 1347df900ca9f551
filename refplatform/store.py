"""The reference platform's own database (SQLAlchemy 2.0, declarative ``Mapped[...]``).

Any SQLAlchemy URL works; the default is an SQLite file in the platform's data directory,
opened in WAL mode with ``synchronous=FULL`` for every write that acknowledges something
(an accepted application must survive a power cut of the platform too); only the nonce
inserts of the replay cache commit with ``synchronous=NORMAL``. Times are stored as Unix
seconds (REAL) and rendered as ISO 8601 in China Standard Time (+08:00).

Write transactions go through :meth:`Store.write`, which holds one process-wide lock:
SQLite has one writer, and the lock also makes per-kiosk status ``seq`` numbers and case
number counters commit in the order they are assigned. Reads (:meth:`Store.read`) run
concurrently. On PostgreSQL the same code works; the kiosk row is additionally locked
``FOR UPDATE`` while its ``seq`` advances.

需补正 (platform-api.md §4, §6): :meth:`Store.set_state` may attach a correction request
(``correction_requests``, keyed by the kiosk's status ``seq``) to a ``needs_correction``
update; an application item with ``supersedes`` is a resubmission (``resubmissions``): it
joins the case of that key (same case number, the case goes back to ``submitted``) or is
rejected (``supersedes_unknown``, ``supersedes_mismatch``, ``not_awaiting_correction``).
Both are new tables, so an older platform database gains them at start (``create_all``).

Retention (platform-api.md §2): idempotency records are kept for :data:`KEY_RETENTION_DAYS`
(400) days and removed by :meth:`Store.purge`; nonces are kept for the 600 s replay window.
Applications, events and status history are not purged here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from kiosk.crypto import CryptoError, EncryptionKeyPair, open_sealed

CST = timezone(timedelta(hours=8))
KEY_RETENTION_DAYS = 400
KEY_RETENTION_S = KEY_RETENTION_DAYS * 86_400
NONCE_WINDOW_S = 600

STATES = ("submitted", "accepted", "needs_correction", "refused", "completed")
STATE_NAMES = {"submitted": "已上报", "accepted": "已受理", "needs_correction": "需补正",
               "refused": "不予受理", "completed": "已办结"}
DEFAULT_REASONS = {
    "submitted": "已接收，等待受理",
    "accepted": "材料齐全，予以受理",
    "needs_correction": "材料不齐全或不符合法定形式，请按要求补正",
    "refused": "不符合受理条件，不予受理",
    "completed": "已办结",
}
EVENT_KINDS = ("rating", "help_request", "heartbeat", "audit")
RESUBMITTED_REASON = "已收到补正材料，重新进入受理"
#: What the demo platform asks to correct, per service, the first time a case of that
#: service would be accepted (``PlatformState.demo_corrections``), so demo users see 需补正.
DEMO_CORRECTIONS: dict[str, dict[str, Any]] = {
    "GF00109001": {  # 居住证申领
        "reason": "居住证明材料不清晰，请按要求补正",
        "correction": {"fields": ["residence_address"], "materials": ["residence_proof"],
                       "note_zh": "请重新拍摄租房合同或房产证明（须清晰完整），并核对居住地址"},
    },
}
MAX_CORRECTION_IDS = 100

UUID4_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SERVICE_CODE_RE = re.compile(r"^[A-Z]{2}\d{8}$")
KIOSK_ID_RE = re.compile(r"^[A-Z0-9]{4,12}$")
REGION_RE = re.compile(r"^\d{6}$")


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, CST).isoformat(timespec="seconds")


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- models


class Base(DeclarativeBase):
    pass


class Kiosk(Base):
    __tablename__ = "kiosks"

    kiosk_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6))
    hall_name: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[float]
    revoked: Mapped[bool] = mapped_column(default=False)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_heartbeat: Mapped[str | None] = mapped_column(Text, default=None)
    last_heartbeat_at: Mapped[float | None] = mapped_column(default=None)


class EnrollmentToken(Base):
    __tablename__ = "enrollment_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[float]
    multi_use: Mapped[bool] = mapped_column(default=False)
    used_by: Mapped[str | None] = mapped_column(String(12), default=None)
    used_at: Mapped[float | None] = mapped_column(default=None)


class Nonce(Base):
    __tablename__ = "nonces"

    kiosk_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    seen_at: Mapped[float] = mapped_column(index=True)


class IdempotencyRecord(Base):
    """``(kiosk_id, key) → (fingerprint, stored response)`` for finished, accepted items."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("kiosk_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(12))
    idempotency_key: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))  # application / event
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(index=True)
    replays: Mapped[int] = mapped_column(default=0)
    conflicts: Mapped[int] = mapped_column(default=0)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("kiosk_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(12))
    idempotency_key: Mapped[str] = mapped_column(String(36))
    provisional_no: Mapped[str] = mapped_column(String(64), index=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    service_code: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str] = mapped_column(String(6))
    catalogue_version: Mapped[str | None] = mapped_column(String(32))
    channel_kind: Mapped[str | None] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(Text)  # the item as received (sealed envelope inside)
    fingerprint: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[float]
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    state_changed_at: Mapped[float]


class StatusUpdate(Base):
    __tablename__ = "status_updates"
    __table_args__ = (UniqueConstraint("kiosk_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(12))
    seq: Mapped[int]
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float]


class CorrectionRequestRow(Base):
    """What a ``needs_correction`` status update asks to fix (field and material ids, a
    note); travels with that update as ``correction``."""

    __tablename__ = "correction_requests"
    __table_args__ = (UniqueConstraint("kiosk_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(12))
    seq: Mapped[int]
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    body: Mapped[str] = mapped_column(Text)


class Resubmission(Base):
    """A 需补正 resubmission: its own key and item, attached to the case it supersedes."""

    __tablename__ = "resubmissions"
    __table_args__ = (UniqueConstraint("kiosk_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(12))
    idempotency_key: Mapped[str] = mapped_column(String(36))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    provisional_no: Mapped[str] = mapped_column(String(64), index=True)
    item: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[float]


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("kiosk_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(12))
    idempotency_key: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[float]
    body: Mapped[str] = mapped_column(Text)


class Rating(Base):
    """One 好差评 per service event: ``subject`` is the provisional number when known."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("kiosk_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    level: Mapped[int]


class Attachment(Base):
    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    length: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    complete: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[float]
    completed_at: Mapped[float | None] = mapped_column(default=None)


class CaseCounter(Base):
    __tablename__ = "case_counters"

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class CatalogueRelease(Base):
    __tablename__ = "catalogue_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))  # bundled / published
    published_at: Mapped[float]


Index("ix_applications_kiosk_state", Application.kiosk_id, Application.state)


# --------------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class KioskInfo:
    kiosk_id: str
    region_code: str
    hall_name: str
    public_key: str
    revoked: bool


@dataclass
class Item:
    """One item of a batch on its way through the platform."""

    item: Any
    key: str | None
    fingerprint: str
    result: dict[str, Any] | None = None  # decided
    stored_response: str | None = None  # for a replay through the single form
    outcome: str = ""  # accepted duplicate conflict rejected missing_attachment in_flight

    def decide(self, outcome: str, result: dict[str, Any]) -> None:
        self.outcome, self.result = outcome, result


@dataclass(frozen=True)
class CatalogueSnapshot:
    id: int
    version: str
    body: bytes
    etag: str
    signature: str
    published_at: float


@dataclass(frozen=True)
class UploadState:
    length: int
    received: int
    complete: bool


class EnrollRefusedError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class UploadRefusedError(Exception):
    def __init__(self, status: int, code: str, message: str, *, offset: int | None = None,
                 ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.offset = status, code, message, offset


@dataclass
class _UploadLocks:
    lock: threading.Lock = field(default_factory=threading.Lock)
    by_sha: dict[str, threading.Lock] = field(default_factory=dict)

    def get(self, sha: str) -> threading.Lock:
        with self.lock:
            return self.by_sha.setdefault(sha, threading.Lock())


def rejected(key: str | None, error: str, message: str, reason: str) -> dict[str, Any]:
    return {"idempotency_key": key, "status": "rejected", "error": error, "message": message,
            "reason": reason}


@dataclass(frozen=True)
class _Known:
    id: int
    fingerprint: str
    response: str


class _Batch:
    """What one ``process_items`` transaction accumulates: the kiosk's next status
    ``seq``, case-number counters and replay counts, written back in ``finish()``."""

    def __init__(self, session: Session, kiosk_id: str, region: str, last_seq: int,
                 now: float) -> None:
        self.session, self.kiosk_id, self.region, self.now = session, kiosk_id, region, now
        self.first_seq = self.last_seq = last_seq
        self.known: dict[str, _Known] = {}
        self.archived: set[str] = set()
        self.replays: Counter[int] = Counter()
        self.conflicts: Counter[int] = Counter()
        self._counters: dict[tuple[str, str], tuple[int, bool]] = {}  # → (last, in the db)
        self._updates: list[dict[str, Any]] = []

    def next_case_no(self, service_code: str) -> str:
        day = datetime.fromtimestamp(self.now, CST).strftime("%Y%m%d")
        slot = (self.region, day)
        if slot not in self._counters:
            last = self.session.scalar(select(CaseCounter.last).where(
                CaseCounter.region_code == self.region, CaseCounter.day == day)
                .with_for_update())
            self._counters[slot] = (last or 0, last is not None)
        last, stored = self._counters[slot]
        self._counters[slot] = (last + 1, stored)
        return f"{self.region}-{service_code}-{day}-{last + 1:06d}"

    def status(self, application_id: int, state: str, reason: str) -> None:
        self.last_seq += 1
        self._updates.append({"kiosk_id": self.kiosk_id, "seq": self.last_seq,
                              "application_id": application_id, "state": state,
                              "reason": reason, "updated_at": self.now})

    def finish(self) -> None:
        s = self.session
        if self._updates:
            s.execute(insert(StatusUpdate), self._updates)
        if self.last_seq != self.first_seq:
            s.execute(update(Kiosk).where(Kiosk.kiosk_id == self.kiosk_id)
                      .values(last_seq=self.last_seq))
        for (region, day), (last, stored) in self._counters.items():
            if stored:
                s.execute(update(CaseCounter).where(CaseCounter.region_code == region,
                                                    CaseCounter.day == day)
                          .values(last=last))
            else:
                s.execute(insert(CaseCounter).values(region_code=region, day=day, last=last))
        for rid, n in self.replays.items():
            s.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == rid)
                      .values(replays=IdempotencyRecord.replays + n))
        for rid, n in self.conflicts.items():
            s.execute(update(IdempotencyRecord).where(IdempotencyRecord.id == rid)
                      .values(conflicts=IdempotencyRecord.conflicts + n))


# --------------------------------------------------------------------------- the store


class Store:
    """All database access of the platform. Thread-safe; one instance per process."""

    def __init__(self, url: str, *, attachments_dir: Path) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "",
                                                                              ":memory:"):
            # request threads plus the proxy's: more than the default pool of 5 + 10
            kwargs.update(connect_args={"check_same_thread": False, "timeout": 30},
                          pool_size=16, max_overflow=32)
        self.engine: Engine = create_engine(url, **kwargs)
        self._sqlite = self.engine.dialect.name == "sqlite"
        if self._sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()
        self.attachments_dir = attachments_dir
        self.attachments_dir.mkdir(parents=True, exist_ok=True)
        self._upload_locks = _UploadLocks()
        self._catalogue: CatalogueSnapshot | None = None
        self._last_nonce_purge = 0.0
        self._kiosks: dict[str, KioskInfo] = {}
        Base.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on normal exit, rolled back on an exception."""
        with self._write_lock, self._sessions() as session, session.begin():
            if self._sqlite:
                session.connection().exec_driver_sql("PRAGMA synchronous=FULL")
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    # -- enrollment and authentication ---------------------------------------------------
    def mint_token(self, now: float, *, multi_use: bool = False,
                   token: str | None = None) -> str:
        # hex, never base64url: a token starting with "-" reads as an option on a command
        # line (``kiosk enroll --token -x…`` failed 1 run in 64)
        token = token or secrets.token_hex(16)
        with self.write() as s:
            if s.get(EnrollmentToken, token) is None:
                s.add(EnrollmentToken(token=token, created_at=now, multi_use=multi_use))
        return token

    def enroll(self, *, kiosk_id: str, region_code: str, hall_name: str, public_key: str,
               token: str, now: float) -> None:
        """Register a kiosk (platform-api.md §8). Raises :class:`EnrollRefusedError`."""
        try:
            self._enroll(kiosk_id=kiosk_id, region_code=region_code, hall_name=hall_name,
                         public_key=public_key, token=token, now=now)
        finally:
            self._kiosks.pop(kiosk_id, None)

    def _enroll(self, *, kiosk_id: str, region_code: str, hall_name: str, public_key: str,
                token: str, now: float) -> None:
        with self.write() as s:
            kiosk = s.get(Kiosk, kiosk_id)
            if kiosk is not None and kiosk.public_key == public_key and not kiosk.revoked:
                return  # idempotent re-enrollment with the same key
            row = s.get(EnrollmentToken, token)
            if row is None:
                raise EnrollRefusedError(403, "token_used", "enrollment token unknown")
            if not row.multi_use and row.used_by is not None:
                raise EnrollRefusedError(
                    403, "token_used", f"enrollment token already used by {row.used_by}")
            if not row.multi_use:
                row.used_by, row.used_at = kiosk_id, now
            if kiosk is None:
                s.add(Kiosk(kiosk_id=kiosk_id, region_code=region_code, hall_name=hall_name,
                            public_key=public_key, enrolled_at=now, revoked=False, last_seq=0))
            else:  # a new key (replaced kiosk or disk) needs a fresh token: checked above
                kiosk.public_key, kiosk.region_code = public_key, region_code
                kiosk.hall_name, kiosk.enrolled_at, kiosk.revoked = hall_name, now, False

    def kiosk(self, kiosk_id: str) -> KioskInfo | None:
        """The kiosk's registration, cached: only this process enrolls and revokes."""
        cached = self._kiosks.get(kiosk_id)
        if cached is not None:
            return cached
        with self.read() as s:
            k = s.get(Kiosk, kiosk_id)
            if k is None:
                return None
            info = KioskInfo(k.kiosk_id, k.region_code, k.hall_name, k.public_key, k.revoked)
        self._kiosks[kiosk_id] = info
        return info

    def revoke(self, kiosk_id: str) -> bool:
        with self.write() as s:
            k = s.get(Kiosk, kiosk_id)
            if k is None:
                return False
            k.revoked = True
        self._kiosks.pop(kiosk_id, None)
        return True

    def use_nonce(self, kiosk_id: str, nonce: str, now: float) -> bool:
        """Record a nonce; False when it was already seen within the replay window."""
        table = Nonce.__table__
        assert isinstance(table, Table)
        key = (table.c.kiosk_id == kiosk_id) & (table.c.nonce == nonce)
        try:
            with self._write_lock, self.engine.begin() as conn:
                if self._sqlite:
                    # a nonce lost to a power cut of the platform reopens one replay of a
                    # request that is idempotent anyway: no fsync per request for it. The
                    # next FULL commit syncs the WAL, these frames included.
                    conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
                seen = conn.execute(select(table.c.seen_at).where(key)).scalar()
                if seen is None:
                    conn.execute(table.insert().values(kiosk_id=kiosk_id, nonce=nonce,
                                                       seen_at=now))
                elif seen >= now - NONCE_WINDOW_S:
                    return False
                else:  # expired, not purged yet
                    conn.execute(table.update().where(key).values(seen_at=now))
                if now - self._last_nonce_purge > 60:
                    self._last_nonce_purge = now
                    conn.execute(table.delete().where(table.c.seen_at < now - NONCE_WINDOW_S))
        except IntegrityError:  # another process recorded it first
            return False
        return True

    # -- items (applications and events) -----------------------------------------------------
    def process_items(self, kiosk_id: str, kind: str, items: Sequence[Item], *, now: float,
                      encryption_key: EncryptionKeyPair) -> None:
        """Decide every undecided item in one transaction (platform-api.md §2, §4, §5).

        The hot path of the platform, so it uses Core statements rather than the ORM's
        unit of work (several times cheaper per item)."""
        todo = [it for it in items if it.result is None]
        if not todo:
            return
        keys = [it.key for it in todo if it.key is not None]
        with self.write() as s:
            kiosk = s.execute(select(Kiosk.region_code, Kiosk.last_seq)
                              .where(Kiosk.kiosk_id == kiosk_id).with_for_update()).one()
            batch = _Batch(s, kiosk_id, kiosk.region_code, kiosk.last_seq, now)
            for rec in s.execute(select(IdempotencyRecord.id, IdempotencyRecord.idempotency_key,
                                        IdempotencyRecord.fingerprint,
                                        IdempotencyRecord.response)
                                 .where(IdempotencyRecord.kiosk_id == kiosk_id,
                                        IdempotencyRecord.idempotency_key.in_(keys))):
                batch.known[rec.idempotency_key] = _Known(rec.id, rec.fingerprint, rec.response)
            owners = (Application, Resubmission) if kind == "application" else (Event,)
            for owner in owners:
                batch.archived |= set(s.scalars(select(owner.idempotency_key).where(
                    owner.kiosk_id == kiosk_id, owner.idempotency_key.in_(keys))))
            for it in todo:
                assert it.key is not None
                known = batch.known.get(it.key)
                if known is not None:
                    self._replay(it, known, batch)
                    continue
                if kind == "application":
                    result = self._application(batch, it, encryption_key)
                else:
                    result = self._event(batch, it)
                it.decide(result["status"], result)
                if result["status"] == "accepted":
                    response = dumps(result)
                    rid = _inserted_id(s.execute(insert(IdempotencyRecord).values(
                        kiosk_id=kiosk_id, idempotency_key=it.key, kind=kind,
                        fingerprint=it.fingerprint, status_code=201, response=response,
                        created_at=now, replays=0, conflicts=0)))
                    batch.known[it.key] = _Known(rid, it.fingerprint, response)
            batch.finish()

    @staticmethod
    def _replay(it: Item, known: _Known, batch: _Batch) -> None:
        key = it.key
        if known.fingerprint != it.fingerprint:
            batch.conflicts[known.id] += 1
            it.decide("conflict", {
                "idempotency_key": key, "status": "conflict", "error": "idempotency_key_reused",
                "message": "the key was used before with a different payload",
                "reason": "该编号已用于另一份不同的数据，已停止重发"})
            return
        batch.replays[known.id] += 1
        stored = json.loads(known.response)
        stored["status"] = "duplicate"
        it.stored_response = known.response
        it.decide("duplicate", stored)

    def _application(self, batch: _Batch, it: Item, enc: EncryptionKeyPair) -> dict[str, Any]:
        key = it.key
        assert key is not None
        s = batch.session
        problem = application_problem(it.item)
        if problem:
            return rejected(key, "bad_request", problem, "申请数据格式有误，无法受理")
        item: dict[str, Any] = it.item
        wanted = list(dict.fromkeys(item.get("attachments", [])))
        have = set(s.scalars(select(Attachment.sha256).where(
            Attachment.sha256.in_(wanted), Attachment.complete.is_(True)))) if wanted else set()
        missing = [a for a in wanted if a not in have]
        if missing:
            return {"idempotency_key": key, "status": "missing_attachment",
                    "error": "missing_attachment", "missing": missing,
                    "message": f"{len(missing)} attachment(s) not uploaded completely",
                    "reason": "材料文件尚未上传完成，上传后将自动重新提交"}
        try:
            open_sealed(item["envelope"], enc, aad=key.encode("utf-8"))
        except CryptoError as err:
            return rejected(key, "envelope_unreadable", str(err),
                            "申请数据无法解密，请联系工作人员")
        if key in batch.archived:
            # the idempotency record was purged after 400 days: never create it twice
            return rejected(key, "idempotency_key_expired",
                            "an application with this key exists; its record has expired",
                            "该申请已在平台存档，不能重复提交")
        if "supersedes" in item:
            return self._resubmission(batch, it, item)
        case_no = batch.next_case_no(item["service_code"])
        reason = DEFAULT_REASONS["submitted"]
        app_id = _inserted_id(s.execute(insert(Application).values(
            kiosk_id=batch.kiosk_id, idempotency_key=key,
            provisional_no=item["provisional_no"], case_no=case_no,
            service_code=item["service_code"], region_code=batch.region,
            catalogue_version=_str_or_none(item.get("catalogue_version")),
            channel_kind=_str_or_none((item.get("channel") or {}).get("kind")),
            item=dumps(item), fingerprint=it.fingerprint, received_at=batch.now,
            state="submitted", reason=reason, state_changed_at=batch.now)))
        batch.status(app_id, "submitted", reason)
        return {"idempotency_key": key, "status": "accepted", "case_no": case_no,
                "state": "submitted", "reason": reason}

    @staticmethod
    def _resubmission(batch: _Batch, it: Item, item: dict[str, Any]) -> dict[str, Any]:
        """A 需补正 resubmission joins its case, or is rejected (nothing changes)."""
        key = it.key
        assert key is not None
        s = batch.session
        case = s.execute(select(Application.id, Application.case_no, Application.state,
                                Application.service_code)
                         .where(Application.kiosk_id == batch.kiosk_id,
                                Application.idempotency_key == item["supersedes"])).first()
        if case is None:  # unknown, or another kiosk's: the same answer, nothing leaks
            return rejected(key, "supersedes_unknown",
                            "supersedes names no application of this kiosk",
                            "未找到需要补正的原办件，补正材料不予接收")
        if item.get("case_no", case.case_no) != case.case_no \
                or item["service_code"] != case.service_code:
            return rejected(key, "supersedes_mismatch",
                            "case_no or service_code differ from the superseded application",
                            "补正材料与原办件的编号或事项不符，不予接收")
        if case.state != "needs_correction":
            return rejected(key, "not_awaiting_correction",
                            f"the case is {case.state}, not needs_correction",
                            f"原办件当前为“{STATE_NAMES[case.state]}”，不需要补正")
        s.execute(insert(Resubmission).values(
            kiosk_id=batch.kiosk_id, idempotency_key=key, application_id=case.id,
            provisional_no=item["provisional_no"], item=dumps(item),
            fingerprint=it.fingerprint, received_at=batch.now))
        s.execute(update(Application).where(Application.id == case.id).values(
            state="submitted", reason=RESUBMITTED_REASON, state_changed_at=batch.now))
        batch.status(case.id, "submitted", RESUBMITTED_REASON)
        return {"idempotency_key": key, "status": "accepted", "case_no": case.case_no,
                "state": "submitted", "reason": RESUBMITTED_REASON,
                "supersedes": item["supersedes"]}

    @staticmethod
    def _record_status(s: Session, kiosk: Kiosk, app: Application, state: str, reason: str,
                       now: float) -> None:
        kiosk.last_seq += 1
        app.state, app.reason, app.state_changed_at = state, reason, now
        s.add(StatusUpdate(kiosk_id=kiosk.kiosk_id, seq=kiosk.last_seq, application_id=app.id,
                           state=state, reason=reason, updated_at=now))

    def _event(self, batch: _Batch, it: Item) -> dict[str, Any]:
        key = it.key
        s = batch.session
        problem = event_problem(it.item)
        if problem:
            return rejected(key, "bad_request", problem, "事件数据格式有误")
        item: dict[str, Any] = it.item
        kind, body = item["kind"], item["body"]
        if key in batch.archived:
            return rejected(key, "idempotency_key_expired",
                            "an event with this key exists; its record has expired",
                            "该事件已在平台存档")
        subject = None
        if kind == "rating":
            subject = self._rating_subject(s, batch.kiosk_id, body)
            if s.scalar(select(Rating.id).where(Rating.kiosk_id == batch.kiosk_id,
                                                Rating.subject == subject)):
                return {"idempotency_key": key, "status": "conflict", "error": "rating_exists",
                        "message": f"{subject} has been rated already",
                        "reason": "该办件已评价，每次服务只能评价一次"}
        event_id = _inserted_id(s.execute(insert(Event).values(
            kiosk_id=batch.kiosk_id, idempotency_key=key, kind=kind,
            created_at=_str_or_none(item.get("created_at")), received_at=batch.now,
            body=dumps(body))))
        if subject is not None:
            s.execute(insert(Rating).values(kiosk_id=batch.kiosk_id, subject=subject,
                                            event_id=event_id, level=int(body["level"])))
        if kind == "heartbeat":
            s.execute(update(Kiosk).where(Kiosk.kiosk_id == batch.kiosk_id).values(
                last_heartbeat=dumps(body), last_heartbeat_at=batch.now))
        return {"idempotency_key": key, "status": "accepted", "reason": "已接收"}

    @staticmethod
    def _rating_subject(s: Session, kiosk_id: str, body: dict[str, Any]) -> str:
        provisional, case_no = body.get("provisional_no"), body.get("case_no")
        if isinstance(provisional, str) and provisional:
            return provisional
        assert isinstance(case_no, str)
        known = s.scalar(select(Application.provisional_no).where(
            Application.kiosk_id == kiosk_id, Application.case_no == case_no))
        return known or case_no

    # -- downstream: status, advancement, lookup ---------------------------------------------
    def advance(self, kiosk_id: str, now: float, *, accept_after_s: float | None,
                complete_after_s: float | None,
                corrections: dict[str, dict[str, Any]] | None = None) -> int:
        """Move this kiosk's applications on when their time has come; returns how many
        state changes were recorded. Deterministic: driven by polls, not by a thread.
        A case of a service in ``corrections`` (``{code: {"reason", "correction"}}``) that
        was never asked to correct goes to ``needs_correction`` instead of ``accepted``."""
        conds = []
        if accept_after_s is not None:
            conds.append((Application.state == "submitted")
                         & (Application.state_changed_at <= now - accept_after_s))
        if complete_after_s is not None:
            conds.append((Application.state == "accepted")
                         & (Application.state_changed_at <= now - complete_after_s))
        if not conds:
            return 0
        due_q = select(Application.id).where(Application.kiosk_id == kiosk_id, or_(*conds))
        with self.read() as s:
            if s.scalar(due_q.limit(1)) is None:
                return 0
        changes = 0
        with self.write() as s:
            kiosk = s.execute(select(Kiosk).where(Kiosk.kiosk_id == kiosk_id)
                              .with_for_update()).scalar_one()
            for app in s.scalars(select(Application).where(Application.id.in_(due_q))
                                 .order_by(Application.id)):
                if (app.state == "submitted" and accept_after_s is not None
                        and app.state_changed_at <= now - accept_after_s):
                    ask = (corrections or {}).get(app.service_code)
                    if ask is not None and s.scalar(select(func.count()).where(
                            CorrectionRequestRow.application_id == app.id)) == 0:
                        self._record_status(s, kiosk, app, "needs_correction",
                                            str(ask["reason"]), now)
                        s.add(CorrectionRequestRow(kiosk_id=kiosk_id, seq=kiosk.last_seq,
                                                   application_id=app.id,
                                                   body=dumps(ask["correction"])))
                        changes += 1
                        continue
                    self._record_status(s, kiosk, app, "accepted", DEFAULT_REASONS["accepted"],
                                        now)
                    changes += 1
                if (app.state == "accepted" and complete_after_s is not None
                        and app.state_changed_at <= now - complete_after_s):
                    self._record_status(s, kiosk, app, "completed",
                                        DEFAULT_REASONS["completed"], now)
                    changes += 1
        return changes

    def status_updates(self, kiosk_id: str, cursor: int, limit: int,
                       ) -> tuple[list[dict[str, Any]], int]:
        with self.read() as s:
            rows = s.execute(
                select(StatusUpdate, Application)
                .join(Application, StatusUpdate.application_id == Application.id)
                .where(StatusUpdate.kiosk_id == kiosk_id, StatusUpdate.seq > cursor)
                .order_by(StatusUpdate.seq).limit(limit)).all()
            asked = [u.seq for u, _ in rows if u.state == "needs_correction"]
            requests = {r.seq: json.loads(r.body) for r in s.scalars(
                select(CorrectionRequestRow).where(CorrectionRequestRow.kiosk_id == kiosk_id,
                                                   CorrectionRequestRow.seq.in_(asked)))
                } if asked else {}
        updates: list[dict[str, Any]] = [{"seq": u.seq, "idempotency_key": a.idempotency_key,
                    "provisional_no": a.provisional_no, "case_no": a.case_no,
                    "state": u.state, "reason": u.reason, "updated_at": iso(u.updated_at)}
                   for u, a in rows]
        for up in updates:
            if up["seq"] in requests:
                up["correction"] = requests[up["seq"]]
        return updates, (int(rows[-1][0].seq) if rows else cursor)

    def lookup(self, no: str, *, kiosk_id: str | None = None) -> dict[str, Any] | None:
        """One application by idempotency key, provisional or case number."""
        with self.read() as s:
            app = self._find(s, no, kiosk_id)
            if app is None:
                return None
            history = s.execute(select(StatusUpdate).where(StatusUpdate.application_id == app.id)
                                .order_by(StatusUpdate.seq)).scalars().all()
            correction = None
            if app.state == "needs_correction":
                body = s.scalar(select(CorrectionRequestRow.body)
                                .where(CorrectionRequestRow.application_id == app.id)
                                .order_by(CorrectionRequestRow.seq.desc()).limit(1))
                correction = json.loads(body) if body else None
            resubmissions = s.execute(
                select(Resubmission.idempotency_key, Resubmission.provisional_no)
                .where(Resubmission.application_id == app.id)
                .order_by(Resubmission.id)).all()
            return {"idempotency_key": app.idempotency_key,
                    "correction": correction,
                    "resubmissions": [{"idempotency_key": k, "provisional_no": p}
                                      for k, p in resubmissions],
                    "provisional_no": app.provisional_no, "case_no": app.case_no,
                    "service_code": app.service_code, "state": app.state,
                    "state_name": STATE_NAMES[app.state], "reason": app.reason,
                    "submitted_at": iso(app.received_at), "updated_at": iso(app.state_changed_at),
                    "history": [{"seq": h.seq, "state": h.state, "reason": h.reason,
                                 "updated_at": iso(h.updated_at)} for h in history]}

    @staticmethod
    def _find(s: Session, no: str, kiosk_id: str | None) -> Application | None:
        """The case of a key, provisional or case number (a resubmission's too)."""
        q = select(Application).where(or_(Application.case_no == no,
                                          Application.provisional_no == no,
                                          Application.idempotency_key == no))
        if kiosk_id is not None:
            q = q.where(Application.kiosk_id == kiosk_id)
        found = s.scalars(q.order_by(Application.id.desc()).limit(1)).first()
        if found is None:
            resub = Store._find_resubmission(s, no, kiosk_id)
            if resub is not None:
                found = s.get(Application, resub.application_id)
        return found

    @staticmethod
    def _find_resubmission(s: Session, no: str, kiosk_id: str | None) -> Resubmission | None:
        q = select(Resubmission).where(or_(Resubmission.provisional_no == no,
                                           Resubmission.idempotency_key == no))
        if kiosk_id is not None:
            q = q.where(Resubmission.kiosk_id == kiosk_id)
        return s.scalars(q.order_by(Resubmission.id.desc()).limit(1)).first()

    def set_state(self, no: str, state: str, reason: str | None, now: float,
                  correction: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Set a case's state (staff decision). ``correction`` — only with
        ``needs_correction`` — is ``{"fields": [ids], "materials": [ids], "note_zh"}``:
        what to fix, without personal data; it travels with the status update."""
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}, got {state!r}")
        if correction is not None:
            problem = correction_problem(correction)
            if state != "needs_correction":
                problem = "a correction request goes with needs_correction only"
            if problem:
                raise ValueError(problem)
            correction = {"fields": list(correction.get("fields", [])),
                          "materials": list(correction.get("materials", [])),
                          "note_zh": correction.get("note_zh", "")}
        with self.write() as s:
            app = self._find(s, no, None)
            if app is None:
                return None
            kiosk = s.execute(select(Kiosk).where(Kiosk.kiosk_id == app.kiosk_id)
                              .with_for_update()).scalar_one()
            self._record_status(s, kiosk, app, state, reason or DEFAULT_REASONS[state], now)
            if correction is not None:
                s.add(CorrectionRequestRow(kiosk_id=kiosk.kiosk_id, seq=kiosk.last_seq,
                                           application_id=app.id, body=dumps(correction)))
            number = app.case_no
        return self.lookup(number)

    # -- attachments ---------------------------------------------------------------------------
    def _attachment_path(self, sha: str, *, part: bool) -> Path:
        return self.attachments_dir / (f"{sha}.part" if part else sha)

    def upload_state(self, sha: str) -> UploadState | None:
        with self.read() as s:
            row = s.get(Attachment, sha)
            return None if row is None else UploadState(row.length, row.received, row.complete)

    def append_chunk(self, sha: str, *, offset: int, length: int, chunk: bytes, now: float,
                     ) -> UploadState:
        """Append one chunk of a resumable upload. Raises :class:`UploadRefusedError`."""
        with self._upload_locks.get(sha):
            state = self.upload_state(sha)
            if state is not None and state.complete:
                return state  # uploading a complete attachment again is idempotent
            if state is not None and state.length != length:
                raise UploadRefusedError(
                    400, "bad_request", f"Upload-Length {length} differs from {state.length}")
            received = 0 if state is None else state.received
            if offset != received:
                raise UploadRefusedError(
                    409, "offset_mismatch", f"offset {offset} but the platform holds {received}",
                    offset=received)
            if offset + len(chunk) > length:
                raise UploadRefusedError(400, "bad_request", "chunk runs past Upload-Length")
            part = self._attachment_path(sha, part=True)
            with open(part, "r+b" if part.exists() else "wb") as f:
                # bytes past the recorded offset are from a write that was never recorded
                f.truncate(offset)
                f.seek(offset)
                f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            received = offset + len(chunk)
            complete = received == length
            if complete:
                digest = _file_sha256(part)
                if digest != sha:
                    with self.write() as s:
                        s.execute(delete(Attachment).where(Attachment.sha256 == sha))
                    part.unlink(missing_ok=True)
                    raise UploadRefusedError(
                        422, "digest_mismatch", f"SHA-256 of the upload is {digest}, not {sha}")
                os.replace(part, self._attachment_path(sha, part=False))
            with self.write() as s:
                row = s.get(Attachment, sha)
                if row is None:
                    row = Attachment(sha256=sha, length=length, received=0, complete=False,
                                     created_at=now)
                    s.add(row)
                row.received, row.complete = received, complete
                if complete:
                    row.completed_at = now
            return UploadState(length, received, complete)

    def attachment_bytes(self, sha: str) -> bytes | None:
        path = self._attachment_path(sha, part=False)
        return path.read_bytes() if path.exists() else None

    # -- catalogue -------------------------------------------------------------------------------
    def current_catalogue(self) -> CatalogueSnapshot | None:
        cached = self._catalogue
        if cached is not None:
            return cached
        with self.read() as s:
            row = s.scalars(select(CatalogueRelease).order_by(CatalogueRelease.id.desc())
                            .limit(1)).first()
            if row is None:
                return None
            snap = CatalogueSnapshot(row.id, row.version, row.body, row.etag, row.signature,
                                     row.published_at)
        self._catalogue = snap
        return snap

    def current_catalogue_source(self) -> str | None:
        with self.read() as s:
            return s.scalar(select(CatalogueRelease.source)
                            .order_by(CatalogueRelease.id.desc()).limit(1))

    def publish_catalogue(self, body: bytes, *, version: str, signature: str, source: str,
                          now: float) -> CatalogueSnapshot:
        etag = hashlib.sha256(body).hexdigest()
        with self.write() as s:
            s.add(CatalogueRelease(version=version, body=body, etag=etag, signature=signature,
                                   source=source, published_at=now))
        self._catalogue = None
        snap = self.current_catalogue()
        assert snap is not None
        return snap

    # -- admin -----------------------------------------------------------------------------------
    def list_applications(self, kiosk_id: str | None = None) -> list[dict[str, Any]]:
        with self.read() as s:
            q = (select(Application, IdempotencyRecord)
                 .outerjoin(IdempotencyRecord,
                            (IdempotencyRecord.kiosk_id == Application.kiosk_id)
                            & (IdempotencyRecord.idempotency_key == Application.idempotency_key))
                 .order_by(Application.id))
            if kiosk_id:
                q = q.where(Application.kiosk_id == kiosk_id)
            rows = s.execute(q).all()
            resubmitted = dict(s.execute(select(Resubmission.application_id, func.count())
                                         .group_by(Resubmission.application_id)).all())
        out = []
        for app, rec in rows:
            replays = rec.replays if rec else 0
            conflicts = rec.conflicts if rec else 0
            out.append({"kiosk_id": app.kiosk_id, "idempotency_key": app.idempotency_key,
                        "provisional_no": app.provisional_no, "case_no": app.case_no,
                        "service_code": app.service_code, "state": app.state,
                        "reason": app.reason, "received_at": iso(app.received_at),
                        "fingerprint": app.fingerprint,
                        "deliveries": 1 + replays + conflicts, "replays": replays,
                        "conflicts": conflicts,
                        "resubmissions": int(resubmitted.get(app.id, 0))})
        return out

    def application_item(self, no: str) -> dict[str, Any] | None:
        """The item as received: a resubmission's own for its key or provisional number,
        else the case's first."""
        with self.read() as s:
            resub = self._find_resubmission(s, no, None)
            if resub is not None:
                return dict(json.loads(resub.item))
            app = self._find(s, no, None)
            return None if app is None else json.loads(app.item)

    def list_events(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.read() as s:
            q = select(Event).order_by(Event.id)
            if kind:
                q = q.where(Event.kind == kind)
            return [{"kiosk_id": e.kiosk_id, "idempotency_key": e.idempotency_key,
                     "kind": e.kind, "created_at": e.created_at,
                     "received_at": iso(e.received_at), "body": json.loads(e.body)}
                    for e in s.scalars(q)]

    def list_kiosks(self) -> list[dict[str, Any]]:
        with self.read() as s:
            return [{"kiosk_id": k.kiosk_id, "region_code": k.region_code,
                     "hall_name": k.hall_name, "public_key": k.public_key,
                     "enrolled_at": iso(k.enrolled_at), "revoked": k.revoked,
                     "last_seq": k.last_seq,
                     "last_heartbeat": json.loads(k.last_heartbeat) if k.last_heartbeat else None,
                     "last_heartbeat_at": (iso(k.last_heartbeat_at)
                                           if k.last_heartbeat_at else None)}
                    for k in s.scalars(select(Kiosk).order_by(Kiosk.kiosk_id))]

    def counts(self) -> dict[str, int]:
        with self.read() as s:
            apps = s.scalar(select(func.count(Application.id))) or 0
            distinct = s.scalar(select(func.count()).select_from(
                select(Application.kiosk_id, Application.idempotency_key).distinct()
                .subquery())) or 0
            events = s.scalar(select(func.count(Event.id))) or 0
            replays = s.scalar(select(func.coalesce(func.sum(IdempotencyRecord.replays), 0))) or 0
            conflicts = s.scalar(
                select(func.coalesce(func.sum(IdempotencyRecord.conflicts), 0))) or 0
            keys = s.scalar(select(func.count(IdempotencyRecord.id))) or 0
        return {"applications": int(apps), "distinct_application_keys": int(distinct),
                "events": int(events), "idempotency_records": int(keys),
                "replays": int(replays), "conflicts": int(conflicts)}

    def purge(self, now: float, *, retention_s: float = KEY_RETENTION_S) -> dict[str, int]:
        """Drop idempotency records older than the retention horizon (400 days) and nonces
        older than the replay window."""
        with self.write() as s:
            keys = _rowcount(s.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.created_at < now - retention_s)))
            nonces = _rowcount(s.execute(delete(Nonce).where(
                Nonce.seen_at < now - NONCE_WINDOW_S)))
        return {"idempotency_records": keys, "nonces": nonces}


# --------------------------------------------------------------------------- validation


def application_problem(item: Any) -> str | None:
    """What is wrong with an application item's shape (English, for ``message``)."""
    if not isinstance(item, dict):
        return "item is not a JSON object"
    for name in ("provisional_no", "service_code"):
        if not isinstance(item.get(name), str) or not item[name]:
            return f"{name} missing or not a string"
    if not SERVICE_CODE_RE.match(item["service_code"]):
        return f"service_code {item['service_code']!r} is not a service code"
    if len(item["provisional_no"]) > 64:
        return "provisional_no too long"
    atts = item.get("attachments", [])
    if not isinstance(atts, list) or not all(isinstance(a, str) and SHA256_RE.match(a)
                                             for a in atts):
        return "attachments must be a list of lower-case hex SHA-256 ids"
    if not isinstance(item.get("envelope"), dict):
        return "envelope missing or not an object"
    channel = item.get("channel", {"kind": "self_service"})
    if not isinstance(channel, dict) or channel.get("kind") not in ("self_service", "assisted"):
        return "channel.kind must be 'self_service' or 'assisted'"
    if "meta" in item and not isinstance(item["meta"], dict):
        return "meta must be an object"
    for name in ("catalogue_version", "created_at"):
        if name in item and not isinstance(item[name], str):
            return f"{name} must be a string"
    if "supersedes" in item and not (isinstance(item["supersedes"], str)
                                     and UUID4_RE.match(item["supersedes"])):
        return "supersedes must be the idempotency key (UUID v4) of an application"
    if "case_no" in item and not isinstance(item["case_no"], str):
        return "case_no must be a string"
    return None


def correction_problem(obj: Any) -> str | None:
    """What is wrong with a correction request ``{"fields", "materials", "note_zh"}``."""
    if not isinstance(obj, dict) or set(obj) - {"fields", "materials", "note_zh"}:
        return "correction must be an object with fields, materials and note_zh only"
    for name in ("fields", "materials"):
        ids = obj.get(name, [])
        if not isinstance(ids, list) or len(ids) > MAX_CORRECTION_IDS or not all(
                isinstance(i, str) and 0 < len(i) <= 80 for i in ids):
            return f"correction.{name} must be a list of ids (1-80 characters)"
    note = obj.get("note_zh", "")
    if not isinstance(note, str) or len(note) > 1000:
        return "correction.note_zh must be a string of at most 1000 characters"
    if not (obj.get("fields") or obj.get("materials") or note):
        return "an empty correction request"
    return None


def event_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "item is not a JSON object"
    kind, body = item.get("kind"), item.get("body")
    if kind not in EVENT_KINDS:
        return f"kind must be one of {', '.join(EVENT_KINDS)}"
    if not isinstance(body, dict):
        return "body missing or not an object"
    if "created_at" in item and not isinstance(item["created_at"], str):
        return "created_at must be a string"
    if kind == "rating":
        level = body.get("level")
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            return "rating level must be an integer 1..5"
        if not any(isinstance(body.get(n), str) and body[n]
                   for n in ("provisional_no", "case_no")):
            return "rating needs provisional_no or case_no"
        if "reasons" in body and not isinstance(body["reasons"], list):
            return "rating reasons must be a list"
    elif kind == "audit":
        if isinstance(body.get("seq"), bool) or not isinstance(body.get("seq"), int):
            return "audit seq must be an integer"
        if not isinstance(body.get("hash"), str):
            return "audit hash must be a string"
    return None


def _inserted_id(result: Any) -> int:
    return int(result.inserted_primary_key[0])


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
