"""Alembic environment for the kiosk queue.

Migrations run only *online*, on the connection that ``sync.db`` passes in
``config.attributes["connection"]`` (the single writer connection, inside its lock), so the
upgrade at open is one ``BEGIN IMMEDIATE`` transaction: it either completes or leaves the
database at the old revision. There is no ``alembic.ini``; ``sync.db.alembic_config`` builds
the configuration in code, and ``python -m sync.db revision "message"`` creates a new
revision file here.
"""

from __future__ import annotations

from alembic import context

from sync.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("kiosk queue migrations run online, on sync.db's writer connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    transactional_ddl=True,  # SQLite DDL is transactional: the whole upgrade is atomic
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
