"""Cryptography shared by the kiosk and the reference platform.

Three jobs, each with one function pair:

* **Sealed envelopes** (``seal`` / ``open_sealed``): an application's personal data is
  encrypted on the kiosk so that only the platform can read it, like ODK's encrypted
  submissions. A fresh 256-bit data key per application encrypts the payload with
  AES-256-GCM; the data key is wrapped for the platform's X25519 public key (ephemeral
  ECDH → HKDF-SHA256 → AES-256-GCM key wrap). The kiosk keeps no private key that could
  open it, so a stolen disk reveals nothing. Attachments are encrypted with the same data
  key (``seal_attachment``), each under its own nonce. The envelope is sealed once and the
  same bytes are resent on every retry, so the platform's payload fingerprint is stable.
* **Request signatures** (``sign_request`` / ``verify_request``): every kiosk request is
  signed with the kiosk's Ed25519 key over method, path, timestamp, nonce and the SHA-256
  of the body (see docs/platform-api.md).
* **Bundle signatures** (``sign_bytes`` / ``verify_bytes``): the platform signs catalogue
  and configuration bundles with its Ed25519 key; the kiosk verifies against the key
  pinned at enrollment.

All keys travel as base64 of their raw bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.errors import KioskError

ENVELOPE_VERSION = 1
_WRAP_INFO = b"gov-kiosk envelope key wrap v1"
SIGNATURE_SCHEME = "GOV-KIOSK-ED25519-V1"


class CryptoError(KioskError, ValueError):
    """A signature does not verify, or sealed data does not open (tampered or wrong key)."""

    default_user_message = "数据校验失败，请联系工作人员"


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as err:
        raise CryptoError(f"not valid base64: {text[:16]!r}…") from err


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- keys --------------------------------------------------------------------------------

_RAW = (serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption())
_RAW_PUBLIC = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class SigningKeyPair:
    """An Ed25519 key pair: the kiosk's request key, or the platform's bundle key."""

    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKeyPair:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_b64(cls, text: str) -> SigningKeyPair:
        return cls(Ed25519PrivateKey.from_private_bytes(b64d(text)))

    def private_b64(self) -> str:
        return b64e(self.private.private_bytes(*_RAW))

    def public_b64(self) -> str:
        return b64e(self.private.public_key().public_bytes(*_RAW_PUBLIC))


@dataclass(frozen=True)
class EncryptionKeyPair:
    """The platform's X25519 key pair; kiosks only ever hold the public half."""

    private: X25519PrivateKey

    @classmethod
    def generate(cls) -> EncryptionKeyPair:
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_private_b64(cls, text: str) -> EncryptionKeyPair:
        return cls(X25519PrivateKey.from_private_bytes(b64d(text)))

    def private_b64(self) -> str:
        return b64e(self.private.private_bytes(*_RAW))

    def public_b64(self) -> str:
        return b64e(self.private.public_key().public_bytes(*_RAW_PUBLIC))


def _x25519_public(text: str) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(b64d(text))
    except ValueError as err:
        raise CryptoError("not an X25519 public key") from err


def _ed25519_public(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(b64d(text))
    except ValueError as err:
        raise CryptoError("not an Ed25519 public key") from err


# -- sealed envelopes ------------------------------------------------------------------------

def _kek(shared: bytes, epk: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient,
                info=_WRAP_INFO).derive(shared)


@dataclass(frozen=True)
class Sealed:
    """An encrypted payload plus its data key, which the kiosk forgets after sealing
    attachments (``data_key`` is never stored)."""

    envelope: dict[str, Any]
    data_key: bytes


def seal(plaintext: bytes, recipient_public_b64: str, *, aad: bytes) -> Sealed:
    """Encrypt ``plaintext`` for the holder of the X25519 private key; ``aad`` (for example
    the idempotency key) is bound to the ciphertext and must be given again to open it."""
    recipient = _x25519_public(recipient_public_b64)
    recipient_raw = b64d(recipient_public_b64)
    data_key = AESGCM.generate_key(bit_length=256)
    eph = X25519PrivateKey.generate()
    epk = eph.public_key().public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)
    kek = _kek(eph.exchange(recipient), epk, recipient_raw)
    wrap_nonce, nonce = os.urandom(12), os.urandom(12)
    envelope = {
        "v": ENVELOPE_VERSION,
        "alg": "X25519-HKDF-SHA256/A256GCM",
        "epk": b64e(epk),
        "wrapped_key": b64e(AESGCM(kek).encrypt(wrap_nonce, data_key, aad)),
        "wrap_nonce": b64e(wrap_nonce),
        "nonce": b64e(nonce),
        "ciphertext": b64e(AESGCM(data_key).encrypt(nonce, plaintext, aad)),
    }
    return Sealed(envelope=envelope, data_key=data_key)


def unwrap_data_key(envelope: dict[str, Any], recipient: EncryptionKeyPair, *,
                    aad: bytes) -> bytes:
    try:
        if envelope.get("v") != ENVELOPE_VERSION:
            raise CryptoError(f"unsupported envelope version {envelope.get('v')!r}")
        epk = b64d(envelope["epk"])
        recipient_raw = b64d(recipient.public_b64())
        shared = recipient.private.exchange(X25519PublicKey.from_public_bytes(epk))
        kek = _kek(shared, epk, recipient_raw)
        return AESGCM(kek).decrypt(b64d(envelope["wrap_nonce"]),
                                   b64d(envelope["wrapped_key"]), aad)
    except (KeyError, TypeError, ValueError, InvalidTag) as err:
        if isinstance(err, CryptoError):
            raise
        raise CryptoError(f"envelope does not open: {type(err).__name__}") from err


def open_sealed(envelope: dict[str, Any], recipient: EncryptionKeyPair, *, aad: bytes) -> bytes:
    """Platform side: decrypt an envelope. Raises ``CryptoError`` when tampered or wrong key."""
    data_key = unwrap_data_key(envelope, recipient, aad=aad)
    try:
        return AESGCM(data_key).decrypt(b64d(envelope["nonce"]), b64d(envelope["ciphertext"]),
                                        aad)
    except (KeyError, InvalidTag) as err:
        raise CryptoError("envelope payload does not decrypt") from err


def seal_attachment(data: bytes, data_key: bytes) -> bytes:
    """``nonce(12) || AES-256-GCM(data)``, no AAD: the name of the file is the SHA-256 of
    these bytes, and the envelope lists it."""
    nonce = os.urandom(12)
    return nonce + AESGCM(data_key).encrypt(nonce, data, None)


def open_attachment(blob: bytes, data_key: bytes) -> bytes:
    try:
        return AESGCM(data_key).decrypt(blob[:12], blob[12:], None)
    except (InvalidTag, ValueError) as err:
        raise CryptoError("attachment does not decrypt") from err


# -- signatures ------------------------------------------------------------------------------

def canonical_request(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes a kiosk signs. ``path`` includes the query string, as sent."""
    return "\n".join([SIGNATURE_SCHEME, method.upper(), path, timestamp, nonce,
                      sha256_hex(body)]).encode("utf-8")


def sign_request(key: SigningKeyPair, method: str, path: str, timestamp: str, nonce: str,
                 body: bytes) -> str:
    return b64e(key.private.sign(canonical_request(method, path, timestamp, nonce, body)))


def verify_request(public_b64: str, signature_b64: str, method: str, path: str,
                   timestamp: str, nonce: str, body: bytes) -> None:
    try:
        _ed25519_public(public_b64).verify(
            b64d(signature_b64), canonical_request(method, path, timestamp, nonce, body))
    except InvalidSignature as err:
        raise CryptoError("request signature does not verify") from err


def sign_bytes(key: SigningKeyPair, data: bytes) -> str:
    return b64e(key.private.sign(data))


def verify_bytes(public_b64: str, signature_b64: str, data: bytes) -> None:
    try:
        _ed25519_public(public_b64).verify(b64d(signature_b64), data)
    except InvalidSignature as err:
        raise CryptoError("bundle signature does not verify") from err


def canonical_json(obj: Any) -> bytes:
    """Deterministic JSON for hashing and fingerprints (sorted keys, no spaces, UTF-8)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
