"""SQLAlchemy models of the local queue, and the item state machine.

Tables (the schema is owned by the Alembic revisions in ``sync/migrations``; these models
must match the head revision, which ``tests/sync/test_migrations.py`` checks):

``outbox``        everything that travels upstream, one row per idempotency key; ``seq`` is
                  the strictly increasing local order (never the wall clock); ``payload`` is
                  the exact item bytes sent on every retry (NULL once purged after delivery).
``applications``  the domain record people see: masked name and ID, service, numbers,
                  state and its Chinese reason. One per application outbox row.
``attachments``   encrypted, content-addressed files of an application and their upload
                  progress (total length, uploaded offset, done).
``transitions``   the state history of every outbox item (revision 0002).
``audit_log``     append-only, hash-chained audit entries (revision 0003, ``sync.audit``).
``counters``      daily receipt sequences (``receipt:YYYYMMDD``).
``settings``      small key/value facts: status cursor, last contact, sequence base.

States (``ItemState``) and who moves an item between them::

    pending ──mark_sending──▶ sending ──mark_delivered──▶ submitted ─┬─▶ accepted
       ▲                         │  ▲                                 ├─▶ needs_correction
       │                         ▼  │ mark_sending                    ├─▶ refused
       │                 retry_scheduled                              └─▶ completed
       │                         │
       └──retry_dead_letters── dead_letter ◀──dead_letter── (pending/sending/retry)

The platform's word (``mark_delivered`` or a status update) may move any undelivered item
straight to a platform state: an acknowledgement lost on the way back is learnt later.
Outbox rows of events stop at ``submitted`` (已上报); only applications go further.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kiosk.errors import KioskError

__all__ = [
    "DELIVERED_STATES",
    "EVENT_KINDS",
    "KINDS",
    "PLATFORM_STATES",
    "UNDELIVERED_STATES",
    "Application",
    "Attachment",
    "AuditEntry",
    "Base",
    "Counter",
    "IllegalTransitionError",
    "ItemState",
    "OutboxItem",
    "Setting",
    "Transition",
    "check_transition",
]


class ItemState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    RETRY_SCHEDULED = "retry_scheduled"
    DEAD_LETTER = "dead_letter"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NEEDS_CORRECTION = "needs_correction"
    REFUSED = "refused"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """The Chinese name shown to citizens and staff."""
        return _LABELS[self]


_LABELS: dict[ItemState, str] = {
    ItemState.PENDING: "待上报",
    ItemState.SENDING: "上报中",
    ItemState.RETRY_SCHEDULED: "待重试",
    ItemState.DEAD_LETTER: "上报失败",
    ItemState.SUBMITTED: "已上报",
    ItemState.ACCEPTED: "已受理",
    ItemState.NEEDS_CORRECTION: "需补正",
    ItemState.REFUSED: "不予受理",
    ItemState.COMPLETED: "已办结",
}

UNDELIVERED_STATES: frozenset[ItemState] = frozenset(
    {ItemState.PENDING, ItemState.SENDING, ItemState.RETRY_SCHEDULED, ItemState.DEAD_LETTER})
PLATFORM_STATES: frozenset[ItemState] = frozenset(
    {ItemState.SUBMITTED, ItemState.ACCEPTED, ItemState.NEEDS_CORRECTION, ItemState.REFUSED,
     ItemState.COMPLETED})
DELIVERED_STATES = PLATFORM_STATES

_ALLOWED: dict[ItemState, frozenset[ItemState]] = {
    ItemState.PENDING: frozenset({ItemState.SENDING, ItemState.DEAD_LETTER}) | PLATFORM_STATES,
    ItemState.SENDING: frozenset({ItemState.RETRY_SCHEDULED, ItemState.DEAD_LETTER})
    | PLATFORM_STATES,
    ItemState.RETRY_SCHEDULED: frozenset({ItemState.SENDING, ItemState.DEAD_LETTER})
    | PLATFORM_STATES,
    ItemState.DEAD_LETTER: frozenset({ItemState.PENDING}) | PLATFORM_STATES,
    ItemState.SUBMITTED: frozenset({ItemState.ACCEPTED, ItemState.NEEDS_CORRECTION,
                                    ItemState.REFUSED, ItemState.COMPLETED}),
    ItemState.ACCEPTED: frozenset({ItemState.NEEDS_CORRECTION, ItemState.REFUSED,
                                   ItemState.COMPLETED}),
    # after a correction the platform may take the case up again from the start
    ItemState.NEEDS_CORRECTION: frozenset({ItemState.SUBMITTED, ItemState.ACCEPTED,
                                           ItemState.REFUSED, ItemState.COMPLETED}),
    ItemState.REFUSED: frozenset(),
    ItemState.COMPLETED: frozenset(),
}


class IllegalTransitionError(KioskError, ValueError):
    """A state change that the state machine does not allow; nothing was changed."""

    default_user_message = "办件状态异常，请联系工作人员"


def check_transition(current: ItemState, new: ItemState) -> None:
    """Raise ``IllegalTransitionError`` unless ``current → new`` is allowed."""
    if new not in _ALLOWED[current]:
        raise IllegalTransitionError(f"illegal transition {current.value} → {new.value}")


KINDS = ("application", "rating", "help_request", "heartbeat", "audit")
EVENT_KINDS = frozenset(KINDS[1:])


class Base(DeclarativeBase):
    pass


class OutboxItem(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("kind IN ('application','rating','help_request','heartbeat','audit')",
                        name="ck_outbox_kind"),
        Index("ix_outbox_state_seq", "state", "seq"),
        Index("uq_outbox_client_ref", "client_ref", unique=True),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(20))
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    payload_size: Mapped[int] = mapped_column(Integer)
    attachments_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[float | None] = mapped_column(Float)
    # revision 0002: the caller's draft id, makes re-submission of one draft idempotent
    client_ref: Mapped[str | None] = mapped_column(String(64))


class Application(Base):
    __tablename__ = "applications"

    key: Mapped[str] = mapped_column(ForeignKey("outbox.key", ondelete="CASCADE"),
                                     primary_key=True)
    provisional_no: Mapped[str] = mapped_column(String(40), unique=True)
    case_no: Mapped[str | None] = mapped_column(String(80), unique=True)
    service_code: Mapped[str] = mapped_column(String(20))
    service_name: Mapped[str] = mapped_column(Text)
    catalogue_version: Mapped[str] = mapped_column(String(40))
    channel_kind: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[str | None] = mapped_column(String(40))
    masked_name: Mapped[str] = mapped_column(Text)
    masked_id: Mapped[str] = mapped_column(Text)
    face_status: Mapped[str] = mapped_column(String(30))
    material_count: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    reason_zh: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    purged_at: Mapped[float | None] = mapped_column(Float)
    # revision 0003
    materials: Mapped[str | None] = mapped_column(Text)
    id_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    proxy: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    supersedes: Mapped[str | None] = mapped_column(String(36))
    correction: Mapped[str | None] = mapped_column(Text)


class Attachment(Base):
    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    app_key: Mapped[str] = mapped_column(ForeignKey("applications.key", ondelete="CASCADE"),
                                         index=True)
    material_id: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_offset: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)
    purged_at: Mapped[float | None] = mapped_column(Float)


class Transition(Base):
    __tablename__ = "transitions"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(ForeignKey("outbox.key", ondelete="CASCADE"), index=True)
    at: Mapped[float] = mapped_column(Float)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason_zh: Mapped[str] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """One row of the append-only, hash-chained audit log (revision 0003, ``sync.audit``)."""

    __tablename__ = "audit_log"
    __table_args__ = ({"sqlite_autoincrement": True},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Counter(Base):
    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Setting(Base):
    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
