"""Sneakernet export: the undelivered queue, as one signed and encrypted file on a removable
drive, for the platform's import (``refplatform/importer.py``). Format: ``kiosk/bundle.py``;
operator's guide: docs/maintenance.md.

::

    export_bundle(outbox, target_dir, *, signing_key, platform_encryption_key,
                  audit=None, actor="system", clock=time.time) -> ExportResult

What goes in: every outbox item in ``pending``, ``sending``, ``retry_scheduled`` or
``dead_letter`` (applications and events, oldest ``seq`` first) with its exact payload
bytes and its encrypted attachment files. Nothing leaves the local queue: the sync worker
keeps delivering as before, and the platform answers ``duplicate`` for what it already
imported (success for the kiosk) — each item ends up exactly once at the platform.

The file ``<kiosk code>-<UTC yyyymmddThhmmssZ>.kbundle`` is written atomically: a hidden
temporary file in the target directory, fsync, rename, fsync of the directory. Before
writing, the target must exist, be a writable directory and have room for the whole
bundle (``os.statvfs``); otherwise ``ExportError`` with a Chinese ``user_message`` and
nothing written. Any failure removes the temporary file; the queue is never changed.
After the rename, the export is audited (``action: "export"``, counts, size, bundle
SHA-256 and id); if that fails the bundle is removed again and the error raised — no
export happens unaudited.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from kiosk.bundle import SUFFIX, BundleWriter, estimate_size
from kiosk.crypto import SigningKeyPair, sha256_hex
from kiosk.errors import KioskError
from sync.fsutil import fsync_dir
from sync.models import UNDELIVERED_STATES, Attachment, OutboxItem
from sync.outbox import Outbox

__all__ = ["ExportError", "ExportResult", "export_bundle"]

MARGIN_BYTES = 1 << 20

MSG_NOTHING = "本机没有待上报的数据，无需导出"
MSG_MISSING = "未找到导出位置，请插入U盘后重试"
MSG_NOT_WRITABLE = "U盘无法写入（可能已写保护），请更换U盘后重试"
MSG_TOO_SMALL = "U盘剩余空间不足，请更换容量更大的U盘后重试"
MSG_WRITE_FAILED = "写入U盘失败，请检查U盘后重试；本机数据未受影响"
MSG_CHANGED = "导出期间有数据已上报，请重新导出"


class ExportError(KioskError):
    """The export did not happen; nothing was written and the queue is unchanged.
    ``code``: ``nothing_to_export``, ``target_missing``, ``target_not_writable``,
    ``target_too_small``, ``write_failed``, ``changed``."""

    default_user_message = MSG_WRITE_FAILED

    def __init__(self, code: str, detail: str, *, user_message: str | None = None) -> None:
        super().__init__(detail, user_message=user_message)
        self.code = code


class _AuditSink(Protocol):
    def record(self, actor: str, action: str, detail: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class ExportResult:
    path: Path
    bundle_id: str
    sha256: str
    size: int
    items: int
    applications: int
    events: int
    attachments: int
    created_at: str  # UTC, ISO 8601
    audit_key: str | None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["path"] = str(self.path)
        return out


@dataclass
class _Item:
    key: str
    kind: str
    state: str
    seq: int
    payload: bytes
    attachments: list[tuple[str, int]]


def _snapshot(outbox: Outbox) -> list[_Item]:
    states = [s.value for s in UNDELIVERED_STATES]
    with outbox.db.read() as s:
        rows = s.scalars(select(OutboxItem).where(OutboxItem.state.in_(states))
                         .order_by(OutboxItem.seq)).all()
        app_keys = [r.key for r in rows if r.kind == "application"]
        sizes: dict[str, int] = {}
        if app_keys:
            for sha, size in s.execute(select(Attachment.sha256, Attachment.size).where(
                    Attachment.app_key.in_(app_keys), Attachment.purged_at.is_(None))):
                sizes[sha] = size
        items = []
        for r in rows:
            if r.payload is None:  # cannot happen for undelivered items
                continue
            atts: list[tuple[str, int]] = []
            if r.kind == "application":
                for sha in json.loads(r.payload).get("attachments", []):
                    if sha not in sizes:
                        raise ExportError("changed", f"attachment {sha} of {r.key} has no row",
                                          user_message=MSG_CHANGED)
                    atts.append((sha, sizes[sha]))
            items.append(_Item(r.key, r.kind, r.state, r.seq, bytes(r.payload), atts))
    return items


def _check_target(target: Path, needed: int,
                  statvfs: Callable[[str], os.statvfs_result]) -> None:
    if not target.is_dir():
        raise ExportError("target_missing", f"export target {target} is not a directory",
                          user_message=MSG_MISSING)
    if not os.access(target, os.W_OK | os.X_OK):
        raise ExportError("target_not_writable", f"export target {target} is not writable",
                          user_message=MSG_NOT_WRITABLE)
    st = statvfs(str(target))
    free = st.f_bavail * st.f_frsize
    if free < needed + MARGIN_BYTES:
        mib = (needed + MARGIN_BYTES + (1 << 20) - 1) >> 20
        raise ExportError("target_too_small",
                          f"export needs {needed} B + {MARGIN_BYTES} B margin, {free} B free",
                          user_message=f"{MSG_TOO_SMALL}（约需 {mib} MB）")


def _write_error(err: OSError, where: str) -> ExportError:
    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return ExportError("target_too_small", f"{where}: {err}", user_message=MSG_TOO_SMALL)
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ExportError("target_not_writable", f"{where}: {err}",
                           user_message=MSG_NOT_WRITABLE)
    return ExportError("write_failed", f"{where}: {err}", user_message=MSG_WRITE_FAILED)


def _final_path(target: Path, kiosk_code: str, now: float) -> Path:
    stamp = datetime.fromtimestamp(now, tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    path = target / f"{kiosk_code}-{stamp}{SUFFIX}"
    n = 1
    while path.exists():
        n += 1
        path = target / f"{kiosk_code}-{stamp}-{n}{SUFFIX}"
    return path


def export_bundle(outbox: Outbox, target_dir: Path | str, *, signing_key: SigningKeyPair,
                  platform_encryption_key: str, audit: _AuditSink | None = None,
                  actor: str = "system", clock: Callable[[], float] = time.time,
                  statvfs: Callable[[str], os.statvfs_result] = os.statvfs) -> ExportResult:
    """See the module docstring. Raises ``ExportError`` (or ``StorageError`` from the
    audit log); on any error no bundle is left behind and the queue is unchanged."""
    target = Path(target_dir)
    items = _snapshot(outbox)
    if not items:
        raise ExportError("nothing_to_export", "no undelivered items", user_message=MSG_NOTHING)
    now = clock()
    created_at = datetime.fromtimestamp(now, tz=UTC).isoformat(timespec="seconds")
    bundle_id = str(uuid.uuid4())
    n_apps = sum(1 for it in items if it.kind == "application")
    n_atts = sum(len(it.attachments) for it in items)
    record_sizes = [len(it.payload) for it in items] + [
        size for it in items for _, size in it.attachments]
    manifest: dict[str, Any] = {
        "format": "gov-kiosk-bundle-manifest", "v": 1, "kiosk_id": outbox.kiosk_code,
        "bundle_id": bundle_id, "created_at": created_at,
        "counts": {"items": len(items), "applications": n_apps,
                   "events": len(items) - n_apps, "attachments": n_atts,
                   "bytes": sum(record_sizes)},
        "items": [{"key": it.key, "kind": it.kind, "state": it.state, "seq": it.seq,
                   "payload_sha256": sha256_hex(it.payload), "payload_size": len(it.payload),
                   "attachments": [{"sha256": sha, "size": size}
                                   for sha, size in it.attachments]}
                  for it in items],
    }
    _check_target(target, estimate_size(manifest, record_sizes), statvfs)
    final = _final_path(target, outbox.kiosk_code, now)
    tmp = target / f".{final.name}.{secrets.token_hex(4)}.part"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as err:
        raise _write_error(err, f"create {tmp.name}") from err
    try:
        with os.fdopen(fd, "wb") as fh:
            writer = BundleWriter(fh, manifest=manifest,
                                  platform_key_b64=platform_encryption_key,
                                  signing_key=signing_key)
            for it in items:
                writer.add(it.payload)
                for sha, size in it.attachments:
                    try:
                        blob = outbox.attachments.read(sha)
                    except FileNotFoundError as err:  # delivered and purged meanwhile
                        raise ExportError("changed", f"attachment {sha} vanished",
                                          user_message=MSG_CHANGED) from err
                    if len(blob) != size or sha256_hex(blob) != sha:
                        raise ExportError("changed", f"attachment {sha} does not match its id",
                                          user_message=MSG_CHANGED)
                    writer.add(blob)
            digest = writer.finish()
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        _fsync_dir(target)
    except OSError as err:
        _remove(tmp)
        raise _write_error(err, f"write {final.name}") from err
    except BaseException:
        _remove(tmp)
        raise
    audit_key = None
    if audit is not None:
        try:
            audit_key = audit.record(actor, "export", {
                "bundle_id": bundle_id, "bundle_sha256": digest, "bytes": writer.size,
                "items": len(items), "applications": n_apps, "events": len(items) - n_apps,
                "attachments": n_atts})
        except BaseException:
            _remove(final)  # no export without its audit entry
            with contextlib.suppress(OSError):
                _fsync_dir(target)
            raise
    return ExportResult(path=final, bundle_id=bundle_id, sha256=digest, size=writer.size,
                        items=len(items), applications=n_apps, events=len(items) - n_apps,
                        attachments=n_atts, created_at=created_at, audit_key=audit_key)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _fsync_dir(path: Path) -> None:
    try:
        fsync_dir(path)
    except OSError as err:
        # some removable-drive filesystems refuse fsync on a directory; the file itself
        # was fsynced, and the rename is as durable as that filesystem allows
        if err.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
