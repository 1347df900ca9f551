"""Import a kiosk's sneakernet bundle (``.kbundle``, written by ``sync/export.py``; format in
``kiosk/bundle.py``) into the reference platform, through the same idempotent path as the
online API.

::

    import_bundle(state, source) -> ImportSummary      # source: path or seekable binary file
    main(["BUNDLE", "--data-dir", DIR])                 # kiosk platform import BUNDLE …

Order, and what stops the import with *nothing stored* (``BundleError``, its ``code``):

1. the header names an enrolled, not revoked kiosk (``unknown_kiosk``);
2. the Ed25519 signature over the whole file verifies with that kiosk's enrolled key
   (``bad_signature``);
3. the manifest opens with the platform's X25519 key (``undecryptable``) and belongs to
   this header;
4. every record decrypts and matches the manifest: payload SHA-256 and size, the payload's
   ``idempotency_key`` and kind, every attachment's SHA-256 (its id) and size, no record
   missing or extra (``hash_mismatch`` / ``malformed``).

Only then is anything stored: attachments as complete uploads (skipped when already
complete), then each item, in the kiosk's order, through ``PlatformState.submit`` — the
code behind ``/api/v1/applications:batch`` and ``/api/v1/events:batch``. So a key already
received (online or by an earlier import) is a ``duplicate`` and adds nothing; a key
received with a different payload is a ``conflict`` and counted as rejected for that item
only; the rest (``accepted``) is ``imported``. Importing the same bundle twice adds
nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from kiosk.bundle import (
    BundleError,
    BundleHeader,
    open_manifest,
    read_header,
    read_records,
    verify_signature,
)
from kiosk.crypto import sha256_hex
from refplatform.app import MAX_BATCH_ITEMS, PlatformState
from refplatform.store import (
    EVENT_KINDS,
    KIOSK_ID_RE,
    SHA256_RE,
    UUID4_RE,
    KioskInfo,
    UploadRefusedError,
)

__all__ = ["BundleError", "ImportSummary", "import_bundle", "import_bytes", "main", "run"]

REASONS = {
    "unknown_kiosk": "导入包来自未注册或已停用的终端，已拒绝",
    "bad_signature": "导入包签名校验失败，可能已被篡改，已拒绝",
    "undecryptable": "导入包无法解密，已拒绝",
    "hash_mismatch": "导入包内容校验失败，可能已被篡改，已拒绝",
    "malformed": "导入包格式有误或已损坏，已拒绝",
}


@dataclass
class ImportSummary:
    kiosk_id: str
    bundle_id: str
    created_at: str
    sha256: str
    items: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    attachments_stored: int = 0
    rejected_items: list[dict[str, Any]] = field(default_factory=list)  # key, kind, status

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Entry:
    key: str
    kind: str
    payload_sha256: str
    payload_size: int
    attachments: tuple[tuple[str, int], ...]


def _entries(manifest: dict[str, Any]) -> list[_Entry]:
    out: list[_Entry] = []
    try:
        for raw in manifest["items"]:
            key, kind = raw["key"], raw["kind"]
            if not (isinstance(key, str) and UUID4_RE.match(key)):
                raise ValueError(f"bad key {key!r}")
            if kind != "application" and kind not in EVENT_KINDS:
                raise ValueError(f"bad kind {kind!r}")
            sha, size = raw["payload_sha256"], raw["payload_size"]
            if not (isinstance(sha, str) and SHA256_RE.match(sha)) or not isinstance(size, int):
                raise ValueError("bad payload hash or size")
            atts = []
            for a in raw["attachments"]:
                if not (isinstance(a["sha256"], str) and SHA256_RE.match(a["sha256"])
                        and isinstance(a["size"], int)):
                    raise ValueError("bad attachment entry")
                atts.append((a["sha256"], a["size"]))
            if kind != "application" and atts:
                raise ValueError("an event with attachments")
            out.append(_Entry(key, kind, sha, size, tuple(atts)))
    except (KeyError, TypeError, ValueError) as err:
        raise BundleError("malformed", f"manifest item unreadable: {err}") from err
    if len({e.key for e in out}) != len(out):
        raise BundleError("malformed", "manifest lists a key twice")
    return out


def _walk(fh: BinaryIO, header: BundleHeader, data_key: bytes, entries: list[_Entry],
          ) -> Iterator[tuple[_Entry, dict[str, Any], list[tuple[str, bytes]]]]:
    """Each item with its parsed payload and attachment bytes, every hash checked."""
    records = read_records(fh, header, data_key)
    for e in entries:
        payload = next(records, None)
        if payload is None:
            raise BundleError("malformed", f"records end before item {e.key}")
        if len(payload) != e.payload_size or sha256_hex(payload) != e.payload_sha256:
            raise BundleError("hash_mismatch", f"payload of {e.key} does not match the manifest")
        try:
            item = json.loads(payload)
        except ValueError as err:
            raise BundleError("malformed", f"payload of {e.key} is not JSON") from err
        if not isinstance(item, dict) or item.get("idempotency_key") != e.key:
            raise BundleError("hash_mismatch", f"payload of {e.key} carries another key")
        if (e.kind == "application") == ("kind" in item) or (
                e.kind != "application" and item.get("kind") != e.kind):
            raise BundleError("hash_mismatch", f"payload of {e.key} is not a {e.kind}")
        blobs: list[tuple[str, bytes]] = []
        for sha, size in e.attachments:
            blob = next(records, None)
            if blob is None:
                raise BundleError("malformed", f"records end inside item {e.key}")
            if len(blob) != size or sha256_hex(blob) != sha:
                raise BundleError("hash_mismatch", f"attachment {sha} does not match its id")
            blobs.append((sha, blob))
        if e.kind == "application":
            listed = item.get("attachments", [])
            if not isinstance(listed, list) or not set(listed) <= {s for s, _ in blobs}:
                raise BundleError("hash_mismatch",
                                  f"application {e.key} lists attachments not in the bundle")
        yield e, item, blobs
    if next(records, None) is not None:
        raise BundleError("malformed", "records after the last manifest item")


def _check(state: PlatformState, fh: BinaryIO,
           ) -> tuple[BundleHeader, KioskInfo, list[_Entry], bytes]:
    header = read_header(fh)
    kiosk = state.store.kiosk(header.kiosk_id) if KIOSK_ID_RE.match(header.kiosk_id) else None
    if kiosk is None or kiosk.revoked:
        raise BundleError("unknown_kiosk", f"kiosk {header.kiosk_id!r} is unknown or revoked")
    verify_signature(fh, header, kiosk.public_key)
    manifest, data_key = open_manifest(header, state.encryption_key)
    entries = _entries(manifest)
    for _ in _walk(fh, header, data_key, entries):
        pass  # pass 1: everything verified before anything is stored
    return header, kiosk, entries, data_key


def _store_attachment(state: PlatformState, sha: str, blob: bytes) -> bool:
    st = state.store.upload_state(sha)
    if st is not None and st.complete:
        return False
    offset = st.received if st is not None and st.length == len(blob) else 0
    try:
        state.store.append_chunk(sha, offset=offset, length=len(blob), chunk=blob[offset:],
                                 now=state.clock())
    except UploadRefusedError:
        return False  # its application is then answered missing_attachment: counted rejected
    return True


def _submit(state: PlatformState, kiosk: KioskInfo, kind: str, batch: list[dict[str, Any]],
            summary: ImportSummary) -> None:
    for it in state.submit(kiosk, kind, batch):
        if it.outcome == "accepted":
            summary.imported += 1
        elif it.outcome == "duplicate":
            summary.duplicates += 1
        else:
            summary.rejected += 1
            result = it.result or {}
            summary.rejected_items.append({
                "key": it.key, "kind": kind if kind == "application" else it.item.get("kind"),
                "status": it.outcome, "error": result.get("error")})


def import_bundle(state: PlatformState, source: Path | str | BinaryIO) -> ImportSummary:
    """See the module docstring. Raises ``BundleError`` (nothing stored)."""
    with contextlib.ExitStack() as stack:
        if isinstance(source, str | Path):
            fh: BinaryIO = stack.enter_context(open(source, "rb"))
        else:
            fh = source
        header, kiosk, entries, data_key = _check(state, fh)
        fh.seek(0)
        summary = ImportSummary(kiosk_id=header.kiosk_id, bundle_id=header.bundle_id,
                                created_at=header.created_at, sha256=_file_sha256(fh),
                                items=len(entries))
        batch: list[dict[str, Any]] = []
        batch_kind = ""
        for e, item, blobs in _walk(fh, header, data_key, entries):
            for sha, blob in blobs:
                if _store_attachment(state, sha, blob):
                    summary.attachments_stored += 1
            kind = "application" if e.kind == "application" else "event"
            if batch and (kind != batch_kind or len(batch) >= MAX_BATCH_ITEMS):
                _submit(state, kiosk, batch_kind, batch, summary)
                batch = []
            batch_kind = kind
            batch.append(item)
        if batch:
            _submit(state, kiosk, batch_kind, batch, summary)
    return summary


def _file_sha256(fh: BinaryIO) -> str:
    fh.seek(0)
    h = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        h.update(block)
    fh.seek(0)
    return h.hexdigest()


def import_bytes(state: PlatformState, data: bytes) -> ImportSummary:
    """``import_bundle`` for a bundle held in memory (the admin HTTP route)."""
    return import_bundle(state, io.BytesIO(data))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="platform import",
        description="Import a kiosk's offline bundle (.kbundle) into the reference platform.")
    parser.add_argument("bundle", type=Path, metavar="BUNDLE", help="the .kbundle file")
    parser.add_argument("--data-dir", type=Path, required=True, metavar="DIR",
                        help="the platform's data directory (keys, database, attachments)")
    parser.add_argument("--db", metavar="URL",
                        help="SQLAlchemy database URL (default: SQLite file in DIR)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(args.bundle, args.data_dir, db_url=args.db)


def run(bundle: Path, data_dir: Path, *, db_url: str | None = None) -> int:
    """``platform import``: prints the JSON summary; exit 0 when the bundle was processed,
    1 when it was rejected as a whole (nothing stored), 2 when there is no such file."""
    if not bundle.is_file():
        json.dump({"ok": False, "error": "not_found", "reason": "未找到导入包文件",
                   "message": f"{bundle.name}: no such file"}, sys.stdout,
                  ensure_ascii=False, indent=2)
        print()
        return 2
    state = PlatformState(data_dir, db_url=db_url)
    try:
        summary = import_bundle(state, bundle)
    except BundleError as err:
        json.dump({"ok": False, "error": err.code,
                   "reason": REASONS.get(err.code, err.user_message), "message": err.detail},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 1
    finally:
        state.close()
    json.dump({"ok": True, **summary.as_dict()}, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0
