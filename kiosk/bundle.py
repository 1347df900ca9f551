"""The sneakernet bundle (``.kbundle``): one file that carries a kiosk's undelivered queue to
the platform on a removable drive. Written by ``sync/export.py``, read by
``refplatform/importer.py``; described for people in docs/maintenance.md.

Layout (integers big-endian)::

    b"GOV-KIOSK-BUNDLE"  (16)   magic
    0x01                 (1)    format version
    u32 n, header        (n)    canonical JSON: {"format": "gov-kiosk-bundle", "v": 1,
                                "kiosk_id", "bundle_id", "created_at", "envelope"}
    records, each:  u64 n, blob (n)   blob = kiosk.crypto.seal_attachment(plaintext, data_key)
    b"KBSIG-V1"          (8)    trailer magic
    signature            (64)   Ed25519 of the kiosk over
                                b"GOV-KIOSK-BUNDLE-V1\\n" + hex SHA-256 of every byte before
                                the trailer

``envelope`` is ``kiosk.crypto.seal(manifest, platform X25519 key, aad=header_aad(...))``:
a fresh AES-256-GCM data key, wrapped for the platform; the same data key encrypts every
record under its own nonce. Only the platform can read anything but the header (kiosk id,
bundle id, creation time); only the kiosk's enrolled Ed25519 key can have signed it.

The manifest (inside the envelope)::

    {"format": "gov-kiosk-bundle-manifest", "v": 1, "kiosk_id", "bundle_id", "created_at",
     "counts": {"items", "applications", "events", "attachments", "bytes"},
     "items": [{"key", "kind", "state", "seq", "payload_sha256", "payload_size",
                "attachments": [{"sha256", "size"}, ...]}, ...]}

Records follow the manifest: for each item its payload (the exact outbox bytes, i.e. the
platform item of platform-api.md §4/§5), then each listed attachment (the encrypted file,
whose SHA-256 is its id). A reader checks every hash and size against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from kiosk.crypto import (
    CryptoError,
    EncryptionKeyPair,
    SigningKeyPair,
    b64d,
    b64e,
    canonical_json,
    open_attachment,
    open_sealed,
    seal,
    seal_attachment,
    sign_bytes,
    unwrap_data_key,
    verify_bytes,
)
from kiosk.errors import KioskError

__all__ = [
    "FORMAT",
    "MAGIC",
    "SUFFIX",
    "BundleError",
    "BundleHeader",
    "BundleWriter",
    "estimate_size",
    "header_aad",
    "open_manifest",
    "read_header",
    "read_records",
    "verify_signature",
]

MAGIC = b"GOV-KIOSK-BUNDLE"
VERSION = 1
FORMAT = "gov-kiosk-bundle"
MANIFEST_FORMAT = "gov-kiosk-bundle-manifest"
TRAILER = b"KBSIG-V1"
SIGNATURE_DOMAIN = b"GOV-KIOSK-BUNDLE-V1\n"
SUFFIX = ".kbundle"
SIG_LEN = 64
TRAILER_LEN = len(TRAILER) + SIG_LEN
RECORD_OVERHEAD = 8 + 12 + 16  # length, nonce, GCM tag
MAX_HEADER = 64 << 20
MAX_RECORD = 1 << 30
_CHUNK = 1 << 20


class BundleError(KioskError, ValueError):
    """A bundle that must not be imported; ``code``: ``malformed``, ``unknown_kiosk``,
    ``bad_signature``, ``undecryptable``, ``hash_mismatch``."""

    default_user_message = "导入包无效或已损坏，未导入任何数据"

    def __init__(self, code: str, detail: str, *, user_message: str | None = None) -> None:
        super().__init__(detail, user_message=user_message)
        self.code = code


def header_aad(kiosk_id: str, bundle_id: str, created_at: str) -> bytes:
    """Binds the envelope to the header it travels under."""
    return SIGNATURE_DOMAIN + canonical_json(
        {"kiosk_id": kiosk_id, "bundle_id": bundle_id, "created_at": created_at})


def _signed(digest_hex: str) -> bytes:
    return SIGNATURE_DOMAIN + digest_hex.encode("ascii")


def estimate_size(manifest: dict[str, Any], record_sizes: list[int]) -> int:
    """An upper bound of the bundle's size in bytes (for the free-space check)."""
    manifest_len = len(canonical_json(manifest))
    header = 4 * (manifest_len + 16) // 3 + 2048
    return (len(MAGIC) + 1 + 4 + header + sum(RECORD_OVERHEAD + n for n in record_sizes)
            + TRAILER_LEN)


class BundleWriter:
    """Streams a bundle into ``fh``: ``add(plaintext)`` once per record, in manifest order,
    then ``finish()`` (returns the SHA-256 of the whole file)."""

    def __init__(self, fh: BinaryIO, *, manifest: dict[str, Any], platform_key_b64: str,
                 signing_key: SigningKeyPair) -> None:
        self._fh = fh
        self._hash = hashlib.sha256()
        self._file_hash = hashlib.sha256()
        self._key = signing_key
        self.size = 0
        kiosk_id, bundle_id = manifest["kiosk_id"], manifest["bundle_id"]
        created_at = manifest["created_at"]
        sealed = seal(canonical_json(manifest), platform_key_b64,
                      aad=header_aad(kiosk_id, bundle_id, created_at))
        self._data_key = sealed.data_key
        header = canonical_json({"format": FORMAT, "v": VERSION, "kiosk_id": kiosk_id,
                                 "bundle_id": bundle_id, "created_at": created_at,
                                 "envelope": sealed.envelope})
        self._expected = sum(1 + len(it["attachments"]) for it in manifest["items"])
        self._written = 0
        self._write(MAGIC + bytes([VERSION]) + struct.pack(">I", len(header)) + header)

    def _write(self, data: bytes, *, signed: bool = True) -> None:
        if signed:
            self._hash.update(data)
        self._file_hash.update(data)
        self._fh.write(data)  # a buffered file writes everything or raises
        self.size += len(data)

    def add(self, plaintext: bytes) -> None:
        blob = seal_attachment(plaintext, self._data_key)
        self._write(struct.pack(">Q", len(blob)))
        self._write(blob)
        self._written += 1

    def finish(self) -> str:
        if self._written != self._expected:
            raise ValueError(f"{self._written} records written, manifest lists "
                             f"{self._expected}")
        signature = sign_bytes(self._key, _signed(self._hash.hexdigest()))
        self._write(TRAILER + b64d(signature), signed=False)
        self._data_key = b""
        return self._file_hash.hexdigest()


@dataclass(frozen=True)
class BundleHeader:
    kiosk_id: str
    bundle_id: str
    created_at: str
    envelope: dict[str, Any]
    records_offset: int
    trailer_offset: int


def _read_exact(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise BundleError("malformed", f"bundle truncated (wanted {n} bytes, got {len(data)})")
    return data


def read_header(fh: BinaryIO) -> BundleHeader:
    """Parse the clear-text header of a seekable bundle file (nothing is trusted yet)."""
    fh.seek(0, 2)
    total = fh.tell()
    fh.seek(0)
    if _read_exact(fh, len(MAGIC)) != MAGIC:
        raise BundleError("malformed", "not a kiosk bundle (magic)")
    version = _read_exact(fh, 1)[0]
    if version != VERSION:
        raise BundleError("malformed", f"unsupported bundle version {version}")
    (n,) = struct.unpack(">I", _read_exact(fh, 4))
    if n > MAX_HEADER:
        raise BundleError("malformed", f"header of {n} bytes is too large")
    try:
        header = json.loads(_read_exact(fh, n))
        if header.get("format") != FORMAT or header.get("v") != VERSION:
            raise ValueError("format/version")
        kiosk_id, bundle_id, created_at = (str(header["kiosk_id"]), str(header["bundle_id"]),
                                           str(header["created_at"]))
        envelope = header["envelope"]
        if not isinstance(envelope, dict):
            raise ValueError("envelope")
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise BundleError("malformed", f"unreadable bundle header: {err}") from err
    records_offset = fh.tell()
    trailer_offset = total - TRAILER_LEN
    if trailer_offset < records_offset:
        raise BundleError("malformed", "bundle truncated (no signature)")
    return BundleHeader(kiosk_id, bundle_id, created_at, envelope, records_offset,
                        trailer_offset)


def verify_signature(fh: BinaryIO, header: BundleHeader, public_key_b64: str) -> None:
    """Raise ``BundleError("bad_signature")`` unless the kiosk's key signed these bytes."""
    fh.seek(0)
    digest = hashlib.sha256()
    left = header.trailer_offset
    while left:
        block = fh.read(min(_CHUNK, left))
        if not block:
            raise BundleError("malformed", "bundle truncated")
        digest.update(block)
        left -= len(block)
    trailer = _read_exact(fh, TRAILER_LEN)
    if trailer[:len(TRAILER)] != TRAILER:
        raise BundleError("bad_signature", "signature trailer missing or damaged")
    try:
        verify_bytes(public_key_b64, b64e(trailer[len(TRAILER):]), _signed(digest.hexdigest()))
    except CryptoError as err:
        raise BundleError("bad_signature",
                          f"bundle signature does not verify with kiosk {header.kiosk_id}'s "
                          f"enrolled key") from err


def open_manifest(header: BundleHeader, key: EncryptionKeyPair,
                  ) -> tuple[dict[str, Any], bytes]:
    """Decrypt the manifest; returns it and the records' data key."""
    aad = header_aad(header.kiosk_id, header.bundle_id, header.created_at)
    try:
        data_key = unwrap_data_key(header.envelope, key, aad=aad)
        manifest = json.loads(open_sealed(header.envelope, key, aad=aad))
    except (CryptoError, ValueError) as err:
        raise BundleError("undecryptable", f"manifest does not open: {err}") from err
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise BundleError("malformed", "not a bundle manifest")
    if (manifest.get("kiosk_id"), manifest.get("bundle_id"), manifest.get("created_at")) != (
            header.kiosk_id, header.bundle_id, header.created_at):
        raise BundleError("hash_mismatch", "manifest does not belong to this header")
    if not isinstance(manifest.get("items"), list):
        raise BundleError("malformed", "manifest without items")
    return manifest, data_key


def read_records(fh: BinaryIO, header: BundleHeader, data_key: bytes) -> Iterator[bytes]:
    """Every record's plaintext, in order, up to the trailer."""
    fh.seek(header.records_offset)
    pos = header.records_offset
    while pos < header.trailer_offset:
        (n,) = struct.unpack(">Q", _read_exact(fh, 8))
        if n > MAX_RECORD or pos + 8 + n > header.trailer_offset:
            raise BundleError("malformed", f"record at {pos} runs past the end")
        blob = _read_exact(fh, n)
        try:
            yield open_attachment(blob, data_key)
        except CryptoError as err:
            raise BundleError("undecryptable", f"record at {pos} does not decrypt") from err
        pos += 8 + n
