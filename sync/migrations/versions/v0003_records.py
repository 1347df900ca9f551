"""Receipt materials, corrections, proxy, ID digest, and the hash-chained audit log.

* ``applications.materials``: JSON list of ``{"id", "name", "trust"}`` of the materials
  received (names and trust levels only, no personal data), so a reprint lists them after
  the sealed payload has been purged.
* ``applications.id_digest``: a salted scrypt digest of the applicant's ID number
  (``kiosk.masking.id_digest``), so 办件查询 by ID card finds the applicant's own cases
  without keeping the number; NULL for rows written before this revision.
* ``applications.proxy``: 代办, an agent acted for the principal.
* ``applications.supersedes``: the key of the application this one corrects (需补正
  resubmission under the same case).
* ``applications.correction``: JSON of what the platform asked to correct (field ids,
  material ids, a note), non-personal.
* ``audit_log``: append-only (triggers refuse UPDATE and DELETE), each row chained to the
  previous by SHA-256 (``kiosk.audit``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_TRIGGERS = {
    "audit_log_no_update": """
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    "audit_log_no_delete": """
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
}


def upgrade() -> None:
    # plain ADD COLUMN: a batch (copy-and-move) rebuild of ``applications`` would drop the
    # old table, and ON DELETE CASCADE would take the attachments rows with it
    op.add_column("applications", sa.Column("materials", sa.Text, nullable=True))
    op.add_column("applications", sa.Column("id_digest", sa.String(64), nullable=True))
    op.add_column("applications", sa.Column("proxy", sa.Boolean, nullable=False,
                                            server_default=sa.false()))
    op.add_column("applications", sa.Column("supersedes", sa.String(36), nullable=True))
    op.add_column("applications", sa.Column("correction", sa.Text, nullable=True))
    op.create_index("ix_applications_id_digest", "applications", ["id_digest"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sqlite_autoincrement=True,
    )
    for ddl in _TRIGGERS.values():
        op.execute(ddl)


def downgrade() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("audit_log")
    op.drop_index("ix_applications_id_digest", "applications")
    # SQLite ≥ 3.35 drops a column in place (no table rebuild, so no cascade)
    for col in ("correction", "supersedes", "proxy", "id_digest", "materials"):
        op.execute(f"ALTER TABLE applications DROP COLUMN {col}")
