"""Initial queue: outbox, applications, attachments, counters, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(36), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=True),
        sa.Column("payload_sha256", sa.String(64), nullable=False),
        sa.Column("payload_size", sa.Integer, nullable=False),
        sa.Column("attachments_bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.Float, nullable=True),
        sa.CheckConstraint(
            "kind IN ('application','rating','help_request','heartbeat','audit')",
            name="ck_outbox_kind"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "applications",
        sa.Column("key", sa.String(36), sa.ForeignKey("outbox.key", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("provisional_no", sa.String(40), nullable=False, unique=True),
        sa.Column("case_no", sa.String(80), nullable=True, unique=True),
        sa.Column("service_code", sa.String(20), nullable=False),
        sa.Column("service_name", sa.Text, nullable=False),
        sa.Column("catalogue_version", sa.String(40), nullable=False),
        sa.Column("channel_kind", sa.String(20), nullable=False),
        sa.Column("staff_id", sa.String(40), nullable=True),
        sa.Column("masked_name", sa.Text, nullable=False),
        sa.Column("masked_id", sa.Text, nullable=False),
        sa.Column("face_status", sa.String(30), nullable=False),
        sa.Column("material_count", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason_zh", sa.Text, nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("purged_at", sa.Float, nullable=True),
    )
    op.create_table(
        "attachments",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("app_key", sa.String(36),
                  sa.ForeignKey("applications.key", ondelete="CASCADE"), nullable=False),
        sa.Column("material_id", sa.String(80), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_offset", sa.Integer, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("purged_at", sa.Float, nullable=True),
    )
    op.create_index("ix_attachments_app_key", "attachments", ["app_key"])
    op.create_table(
        "counters",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("settings", "counters", "attachments", "applications", "outbox"):
        op.drop_table(table)
