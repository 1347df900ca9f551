"""Content-addressed store of encrypted attachment files.

Each file holds the bytes of ``kiosk.crypto.seal_attachment`` (``nonce || AES-256-GCM``) and
is named by the lower-case hex SHA-256 of exactly those bytes, which is also the attachment's
id on the platform (docs/platform-api.md §3). Plaintext never touches the disk.

Durability: ``write_many`` writes each file as ``.<sha>.<random>.tmp`` in the same directory
(``O_EXCL``, mode 0600), ``fsync``s it, renames it to ``<sha>`` and finally ``fsync``s the
directory once, all *before* the database row that references the files commits. A crash
therefore leaves at most a temp file or an unreferenced file, which ``sweep`` removes.

Files written by a submission that has not committed yet are *in flight*: ``sweep`` never
touches them, and the caller ends the state with ``release`` (row committed) or ``discard``
(transaction failed: the files are removed).

Test hooks (replace on an instance): ``write_all(fd, data)``, ``fsync(fd)`` and
``statvfs(path)`` — for instance a ``write_all`` that raises ``OSError(ENOSPC)``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from kiosk.crypto import sha256_hex
from kiosk.errors import StorageError
from sync.fsutil import fsync_dir

__all__ = ["AttachmentStore", "free_bytes", "write_all"]

_SHA_NAME = re.compile(r"[0-9a-f]{64}")
_TMP_NAME = re.compile(r"\.([0-9a-f]{64})\.[0-9a-f]+\.tmp")

MSG_DISK_FULL = "终端存储空间不足，暂不能受理新的申请，请联系工作人员"
MSG_IO = "终端存储设备读写失败，暂不能受理新的申请，请联系工作人员"


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def free_bytes(path: Path, statvfs: Callable[[str], os.statvfs_result] = os.statvfs) -> int:
    """Bytes an unprivileged writer may still use on the filesystem holding ``path``."""
    st = statvfs(str(path))
    return st.f_bavail * st.f_frsize


def _storage_error(err: OSError, what: str) -> StorageError:
    full = err.errno in (errno.ENOSPC, errno.EDQUOT)
    return StorageError(f"{what}: {type(err).__name__}: {err}",
                        user_message=MSG_DISK_FULL if full else MSG_IO)


class AttachmentStore:
    """See the module docstring. Thread-safe."""

    def __init__(self, directory: Path | str) -> None:
        self.dir = Path(directory)
        existed = self.dir.is_dir()
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not existed:
            os.chmod(self.dir, 0o700)
        self.write_all: Callable[[int, bytes], None] = write_all
        self.fsync: Callable[[int], None] = os.fsync
        self.statvfs: Callable[[str], os.statvfs_result] = os.statvfs
        self._lock = threading.Lock()
        self._in_flight: dict[str, bool] = {}  # sha -> this store created the file

    def path(self, sha: str) -> Path:
        if not _SHA_NAME.fullmatch(sha):
            raise ValueError(f"not an attachment id: {sha!r}")
        return self.dir / sha

    def free_bytes(self) -> int:
        return free_bytes(self.dir, self.statvfs)

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    # -- writing -----------------------------------------------------------------------------

    def write_many(self, blobs: Sequence[bytes],
                   shas: Sequence[str] | None = None) -> list[str]:
        """Write each blob durably under its SHA-256; returns the ids (in flight).

        ``shas``, when the caller already has them, must be the blobs' SHA-256 hex digests.
        On any failure every file this call created is removed and ``StorageError`` is
        raised (``user_message`` says "disk full" for ENOSPC/EDQUOT).
        """
        shas = [sha256_hex(b) for b in blobs] if shas is None else list(shas)
        with self._lock:
            for sha in shas:
                self._in_flight.setdefault(sha, False)
        created: list[str] = []
        try:
            for sha, blob in zip(shas, blobs, strict=True):
                final = self.path(sha)
                if final.exists():
                    continue  # same bytes already stored: content addressing dedupes
                self._write_one(final, sha, blob)
                created.append(sha)
                with self._lock:
                    self._in_flight[sha] = True
            if created:
                try:
                    fsync_dir(self.dir)
                except OSError as err:
                    raise _storage_error(err, f"fsync {self.dir}") from err
        except BaseException:
            self._remove(created)
            with self._lock:
                for sha in shas:
                    self._in_flight.pop(sha, None)
            raise
        return shas

    def _write_one(self, final: Path, sha: str, blob: bytes) -> None:
        tmp = self.dir / f".{sha}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError as err:
            raise _storage_error(err, f"create {tmp.name}") from err
        try:
            try:
                self.write_all(fd, blob)
                self.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, final)
        except OSError as err:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise _storage_error(err, f"write {final.name}") from err
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def release(self, shas: Iterable[str]) -> None:
        """The rows referencing ``shas`` committed: the files are ordinary members now."""
        with self._lock:
            for sha in shas:
                self._in_flight.pop(sha, None)

    def discard(self, shas: Iterable[str]) -> None:
        """The transaction failed: remove the files this store created for ``shas``."""
        shas = list(shas)
        with self._lock:
            mine = [s for s in shas if self._in_flight.get(s)]
        self._remove(mine)
        self.release(shas)

    def _remove(self, shas: Iterable[str]) -> None:
        removed = False
        for sha in shas:
            with contextlib.suppress(FileNotFoundError):
                self.path(sha).unlink()
                removed = True
        if removed:
            with contextlib.suppress(OSError):
                fsync_dir(self.dir)

    # -- reading, deleting, sweeping -----------------------------------------------------------

    def size(self, sha: str) -> int:
        return self.path(sha).stat().st_size

    def read_chunk(self, sha: str, offset: int, size: int) -> bytes:
        if offset < 0 or size < 0:
            raise ValueError("offset and size must not be negative")
        with open(self.path(sha), "rb") as fh:
            fh.seek(offset)
            return fh.read(size)

    def read(self, sha: str) -> bytes:
        return self.path(sha).read_bytes()

    def delete(self, shas: Iterable[str]) -> int:
        """Remove stored files (purge after delivery); missing files are fine."""
        n = 0
        for sha in shas:
            try:
                self.path(sha).unlink()
                n += 1
            except FileNotFoundError:
                pass
        if n:
            with contextlib.suppress(OSError):
                fsync_dir(self.dir)
        return n

    def sweep(self, referenced: Callable[[], set[str]]) -> int:
        """Remove temp files and files that no live row references; returns how many.

        ``referenced`` is called under the store's lock, so a submission that commits
        while the sweep runs is still in flight for it and keeps its files.
        """
        removed = 0
        with self._lock:
            keep = referenced() | set(self._in_flight)
            for entry in os.scandir(self.dir):
                if not entry.is_file(follow_symlinks=False):
                    continue
                m = _TMP_NAME.fullmatch(entry.name)
                orphan = (m is not None and m.group(1) not in self._in_flight) or (
                    _SHA_NAME.fullmatch(entry.name) is not None and entry.name not in keep)
                if orphan:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                        removed += 1
        if removed:
            with contextlib.suppress(OSError):
                fsync_dir(self.dir)
        return removed
