"""The queue's SQLite database: one file, one writer, checked at open, migrated in place.

``Database.open(path)`` does, in this order:

1. takes an exclusive ``flock`` on ``<path>.lock``, so a second process (or a second
   ``open`` in this one) cannot write the same queue (``StorageError``);
2. runs ``PRAGMA integrity_check`` on a plain connection. When the file is damaged (the check
   reports problems, or SQLite calls it "not a database" / "malformed"), the file and its
   ``-wal``/``-shm`` (and any directories passed in ``also_quarantine``, such as the
   attachments that only this database can explain) are *moved* to
   ``<dir>/quarantine/<UTC timestamp>-<random>/`` — never deleted — and a fresh database is
   started. The returned ``OpenReport`` carries ``quarantined_path`` and a Chinese
   ``message_zh`` for the maintenance screen and the alert;
3. creates the engine: exactly **one** DBAPI connection (``StaticPool``) guarded by one
   ``RLock``; every read and write goes through it, so there is a single writer (SQLite's
   WAL-reset bug needs two connections writing or checkpointing at once). The connection
   is set up in a ``connect`` event: ``journal_mode=WAL``, ``synchronous=FULL``,
   ``foreign_keys=ON``, ``busy_timeout=5000``, ``secure_delete=ON`` (purged personal data
   does not linger in free pages);
4. upgrades the schema to the Alembic head in one ``BEGIN IMMEDIATE`` transaction
   (configuration built in code by ``alembic_config``; revisions in ``sync/migrations``).

Transactions: ``with db.write() as uow: …; uow.commit()`` is a unit of work (Cosmic Python):
``BEGIN IMMEDIATE`` on entry, rolled back on exit unless ``commit()`` returned. ``with
db.read() as session:`` is a deferred read transaction. SQLite's "disk is full" and I/O errors
become ``kiosk.errors.StorageError`` with a Chinese ``user_message``.

New revision: ``python -m sync.db revision "what changed" 0003``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import logging
import os
import secrets
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from kiosk.errors import StorageError
from sync.attachments import MSG_DISK_FULL, MSG_IO
from sync.fsutil import fsync_dir

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS_DIR",
    "Database",
    "OpenReport",
    "UnitOfWork",
    "alembic_config",
    "head_revision",
    "integrity_check",
    "storage_error",
    "upgrade_file",
]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
QUARANTINE_DIR_NAME = "quarantine"
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SQLITE_FULL = 13
_SQLITE_IOERR = 10



@dataclass(frozen=True)
class OpenReport:
    """What happened when the queue was opened; show ``message_zh`` when it is set."""

    db_path: Path
    schema_revision: str
    upgraded_from: str | None = None  # revision before this open's upgrade; None if fresh
    quarantined_path: Path | None = None  # folder holding the damaged files
    message_zh: str | None = None  # for the maintenance screen / alert
    detail: str | None = None  # technical: what integrity_check said
    swept_orphans: int = 0  # attachment files no row referenced, removed at open
    resumed_in_flight: int = 0  # items left "sending" by a crash, rescheduled

    @property
    def quarantined(self) -> bool:
        return self.quarantined_path is not None


def storage_error(err: BaseException) -> StorageError | None:
    """Map a disk-full or I/O failure (SQLite or OS) to ``StorageError``; else ``None``."""
    if isinstance(err, StorageError):
        return err
    orig = err.orig if isinstance(err, DBAPIError) else err
    if isinstance(orig, sqlite3.Error):
        code = (getattr(orig, "sqlite_errorcode", 0) or 0) & 0xFF
        text = str(orig).lower()
        if code == _SQLITE_FULL or "disk is full" in text:
            return StorageError(f"sqlite: {orig}", user_message=MSG_DISK_FULL)
        if code == _SQLITE_IOERR or "disk i/o error" in text:
            return StorageError(f"sqlite: {orig}", user_message=MSG_IO)
        return None
    if isinstance(orig, OSError):
        if orig.errno in (errno.ENOSPC, errno.EDQUOT):
            return StorageError(f"{type(orig).__name__}: {orig}", user_message=MSG_DISK_FULL)
        return StorageError(f"{type(orig).__name__}: {orig}", user_message=MSG_IO)
    return None


# -- integrity and quarantine -------------------------------------------------------------

def integrity_check(path: Path) -> tuple[bool, str]:
    """``(ok, detail)`` for an existing database file, on a plain short-lived connection.

    Damage (``integrity_check`` rows, SQLITE_CORRUPT, SQLITE_NOTADB) gives ``(False, …)``;
    anything else (permissions, a locked file) raises ``StorageError``: that is not a reason
    to move the file away. The check never changes the files: the magic string is read
    first, and the connection is read-only (a read-write connection to a file whose header
    is gone would delete the ``-wal`` as stale, or checkpoint into a damaged file).
    """
    try:
        with open(path, "rb") as fh:
            magic = fh.read(16)
    except OSError as err:
        raise StorageError(f"cannot read {path}: {err}", user_message=MSG_IO) from err
    if magic != b"SQLite format 3\0":
        return False, f"DatabaseError: file is not a database (header {magic[:16]!r})"
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None)
    except sqlite3.Error as err:
        raise StorageError(f"cannot open {path}: {err}", user_message=MSG_IO) from err
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as err:
        code = (getattr(err, "sqlite_errorcode", 0) or 0) & 0xFF
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or type(err) is sqlite3.DatabaseError:
            return False, f"{type(err).__name__}: {err}"
        raise StorageError(f"integrity_check on {path} failed: {err}",
                           user_message=MSG_IO) from err
    finally:
        conn.close()
    if rows == ["ok"]:
        return True, "ok"
    return False, "; ".join(str(r) for r in rows[:20])


def _quarantine(path: Path, also: Sequence[Path], now: float) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    dest = path.parent / QUARANTINE_DIR_NAME / f"{stamp}-{secrets.token_hex(3)}"
    dest.mkdir(parents=True, mode=0o700)
    for suffix in ("", "-wal", "-shm", "-journal"):
        src = Path(str(path) + suffix)
        if src.exists():
            os.replace(src, dest / src.name)
    for extra in also:
        if extra.exists():
            shutil.move(str(extra), str(dest / extra.name))
            extra.mkdir(mode=0o700)
    fsync_dir(dest)
    fsync_dir(path.parent)
    return dest


# -- Alembic ------------------------------------------------------------------------------

#: the newest revision in sync/migrations. A queue already there opens without importing
#: Alembic at all (≈ 15 MB of resident memory and its import time, for the life of the
#: kiosk); tests/sync/test_migrations.py fails when a new revision does not update it.
HEAD_REVISION = "0003"


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration, built in code (no ini file to ship)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("file_template", "v%%(rev)s_%%(slug)s")
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _current_revision(conn: Connection) -> str | None:
    """The queue's schema revision, read with plain SQL (what Alembic would answer: the
    one row of ``alembic_version``, ``None`` for a new file)."""
    exists = conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                               "AND name = 'alembic_version'")).first()
    if exists is None:
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(rows) != 1:  # Alembic's own answer for a branched or damaged table
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()
    return str(rows[0][0])


def _upgrade(conn: Connection, revision: str) -> None:
    from alembic import command
    from alembic.util import CommandError

    try:
        command.upgrade(alembic_config(conn), revision)
    except CommandError as err:
        raise StorageError(
            f"schema upgrade to {revision} failed: {err}",
            user_message="本机数据库版本与终端软件不匹配，请联系技术人员升级软件") from err


# -- engine and transactions ----------------------------------------------------------------

def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe for pysqlite: let the driver stop managing
    # transactions, and emit BEGIN ourselves (see _on_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        mode = cur.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("SQLite refused WAL mode (got %s); durability is still FULL", mode)
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA secure_delete=ON")
    finally:
        cur.close()


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("kiosk_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _make_engine(path: Path) -> Engine:
    engine = create_engine(
        URL.create("sqlite+pysqlite", database=str(path)),
        poolclass=StaticPool,  # one connection for the whole process: the single writer
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


class UnitOfWork:
    """One ``BEGIN IMMEDIATE`` transaction under the writer lock; see the module docstring."""

    session: Session

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: Connection | None = None
        self.committed = False
        self.commit_attempted = False

    def __enter__(self) -> UnitOfWork:
        self._db._lock.acquire()
        try:
            self._db._check_open()
            self._conn = self._db.engine.connect()
            self._conn.execution_options(kiosk_begin="IMMEDIATE")
            self.session = Session(bind=self._conn, expire_on_commit=False, autoflush=False)
        except BaseException:
            self._db._lock.release()
            raise
        return self

    def commit(self) -> None:
        self.commit_attempted = True
        self.session.commit()
        self.committed = True

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self.committed:
                with contextlib.suppress(Exception):
                    self.session.rollback()
            self.session.close()
            if self._conn is not None:
                self._conn.close()
        finally:
            self._db._lock.release()
        if exc is not None and not isinstance(exc, StorageError):
            mapped = storage_error(exc)
            if mapped is not None:
                raise mapped from exc


class Database:
    """The queue database; see the module docstring. Thread-safe; one connection."""

    def __init__(self, path: Path, engine: Engine, lock_fd: int, report: OpenReport) -> None:
        self.path = path
        self.engine = engine
        self.report = report
        self._lock_fd: int | None = lock_fd
        self._lock = threading.RLock()
        self._closed = False

    @classmethod
    def open(cls, path: Path | str, *, also_quarantine: Sequence[Path] = (),
             clock: Callable[[], float] = time.time,
             revision: str = "head") -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = _lock_file(Path(str(path) + ".lock"))
        try:
            quarantined: Path | None = None
            message = detail = None
            if path.exists() and path.stat().st_size > 0:
                ok, detail = integrity_check(path)
                if not ok:
                    quarantined = _quarantine(path, also_quarantine, clock())
                    message = (f"本机办件数据库校验失败，已将原数据库完整隔离保存至 {quarantined}，"
                               "并启用新的数据库。尚未上报的申请需由技术人员恢复，请联系技术人员。")
                    log.error("queue database failed integrity_check (%s); moved to %s",
                              detail, quarantined)
                else:
                    detail = None
            engine = _make_engine(path)
            try:
                with engine.connect() as conn:
                    conn.execution_options(kiosk_begin="IMMEDIATE")
                    before = _current_revision(conn)
                    conn.rollback()  # end the read so Alembic owns its transaction
                    if not (revision == "head" and before == HEAD_REVISION):
                        _upgrade(conn, revision)
                    if conn.in_transaction():
                        conn.commit()
                    after = _current_revision(conn)
                    conn.rollback()
                _private(path)
            except BaseException as err:
                engine.dispose()
                mapped = storage_error(err)
                if mapped is not None and mapped is not err:
                    raise mapped from err
                raise
            if before != after:
                log.info("queue schema upgraded %s -> %s", before, after)
            report = OpenReport(db_path=path, schema_revision=after or "",
                                upgraded_from=before, quarantined_path=quarantined,
                                message_zh=message, detail=detail)
            return cls(path, engine, lock_fd, report)
        except BaseException:
            _unlock_file(lock_fd)
            raise

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("queue database is closed")

    def write(self) -> UnitOfWork:
        return UnitOfWork(self)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._lock:
            self._check_open()
            conn = self.engine.connect()
            session = Session(bind=conn, expire_on_commit=False, autoflush=False)
            try:
                yield session
            except DBAPIError as err:
                mapped = storage_error(err)
                if mapped is not None:
                    raise mapped from err
                raise
            finally:
                # close() ends the read transaction without expiring loaded objects,
                # so values read inside the block stay usable after it
                session.close()
                conn.close()

    def pragma(self, name: str) -> Any:
        with self._lock:
            self._check_open()
            with self.engine.connect() as conn:
                return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

    def checkpoint(self, *, truncate: bool = False) -> None:
        """PASSIVE checkpoint when idle; TRUNCATE (e.g. at night) also shrinks the WAL."""
        mode = "TRUNCATE" if truncate else "PASSIVE"
        with self._lock:
            self._check_open()
            with self.engine.connect() as conn:
                conn.exec_driver_sql(f"PRAGMA wal_checkpoint({mode})")

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self.engine.dispose()
            if self._lock_fd is not None:
                _unlock_file(self._lock_fd)
                self._lock_fd = None


def _private(path: Path) -> None:
    """Queue files are the owner's only (they hold ciphertext and masked data)."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.chmod(str(path) + suffix, 0o600)


def _lock_file(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        os.close(fd)
        raise StorageError(f"queue {path} is already open in another process or object",
                           user_message="终端数据正被另一程序使用，请联系技术人员") from err
    return fd


def _unlock_file(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def upgrade_file(path: Path | str, revision: str = "head") -> str | None:
    """Create or upgrade a database file to ``revision`` (tests and tools); returns it."""
    db = Database.open(path, revision=revision)
    try:
        return db.report.schema_revision
    finally:
        db.close()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sync.db revision "message" [rev-id]``: a new, empty revision file in
    sync/migrations/versions (rev-id: the next number, e.g. 0003)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3) or args[0] != "revision":
        print('usage: python -m sync.db revision "message" [rev-id]', file=sys.stderr)
        return 2
    from alembic import command

    command.revision(alembic_config(), message=args[1], rev_id=args[2] if len(args) == 3 else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
