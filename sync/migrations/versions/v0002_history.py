"""State history, idempotent re-submission, due-order index, write-once payloads.

* ``transitions``: every state change with time, Chinese reason and technical detail;
  existing items get one back-filled row with their state at upgrade time.
* ``outbox.client_ref``: the caller's draft id (unique), so a draft re-submitted after a
  crash between COMMIT and the on-screen acknowledgement returns the stored receipt.
* ``ix_outbox_state_seq``: ``due()`` reads pending items in ``seq`` order.
* Triggers: an item's ``key`` never changes and its ``payload`` is written once (it may only
  be cleared, when personal data is purged after delivery), so a retry always resends the
  bytes the platform fingerprinted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_TRIGGERS = {
    "outbox_key_immutable": """
        CREATE TRIGGER outbox_key_immutable BEFORE UPDATE OF key ON outbox
        WHEN NEW.key IS NOT OLD.key
        BEGIN SELECT RAISE(ABORT, 'outbox.key is immutable'); END""",
    "outbox_payload_write_once": """
        CREATE TRIGGER outbox_payload_write_once
        BEFORE UPDATE OF payload, payload_sha256 ON outbox
        WHEN (NEW.payload IS NOT NULL AND NEW.payload IS NOT OLD.payload)
          OR NEW.payload_sha256 IS NOT OLD.payload_sha256
        BEGIN SELECT RAISE(ABORT, 'outbox.payload is write-once'); END""",
}


def upgrade() -> None:
    op.create_table(
        "transitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(36), sa.ForeignKey("outbox.key", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("from_state", sa.String(20), nullable=True),
        sa.Column("to_state", sa.String(20), nullable=False),
        sa.Column("reason_zh", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_transitions_key", "transitions", ["key"])
    op.execute("""
        INSERT INTO transitions (key, at, from_state, to_state, reason_zh, detail)
        SELECT o.key, o.updated_at, NULL, COALESCE(a.state, o.state),
               '系统升级：补记升级时的状态', 'backfilled by migration 0002'
        FROM outbox AS o LEFT JOIN applications AS a ON a.key = o.key
        ORDER BY o.seq""")
    op.add_column("outbox", sa.Column("client_ref", sa.String(64), nullable=True))
    op.create_index("uq_outbox_client_ref", "outbox", ["client_ref"], unique=True)
    op.create_index("ix_outbox_state_seq", "outbox", ["state", "seq"])
    for ddl in _TRIGGERS.values():
        op.execute(ddl)


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_outbox_state_seq", "outbox")
    op.drop_index("uq_outbox_client_ref", "outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("client_ref")
    op.drop_index("ix_transitions_key", "transitions")
    op.drop_table("transitions")
