from __future__ import annotations

import base64

import pytest

from kiosk.crypto import (
    CryptoError,
    EncryptionKeyPair,
    SigningKeyPair,
    open_attachment,
    open_sealed,
    seal,
    seal_attachment,
    sign_bytes,
    sign_request,
    verify_bytes,
    verify_request,
)

PAYLOAD = '{"name": "张三", "id_number": "11010519491231002X"}'.encode()


def test_sealed_payload_opens_only_with_the_platform_key_and_the_same_aad() -> None:
    platform = EncryptionKeyPair.generate()
    sealed = seal(PAYLOAD, platform.public_b64(), aad=b"key-1")
    assert "张三".encode() not in str(sealed.envelope).encode()
    assert b"11010519491231002X" not in str(sealed.envelope).encode()
    assert open_sealed(sealed.envelope, platform, aad=b"key-1") == PAYLOAD
    with pytest.raises(CryptoError):
        open_sealed(sealed.envelope, platform, aad=b"key-2")
    with pytest.raises(CryptoError):
        open_sealed(sealed.envelope, EncryptionKeyPair.generate(), aad=b"key-1")


def test_tampered_ciphertext_is_rejected() -> None:
    platform = EncryptionKeyPair.generate()
    env = dict(seal(PAYLOAD, platform.public_b64(), aad=b"k").envelope)
    ct = bytearray(base64.b64decode(env["ciphertext"]))
    ct[0] ^= 1
    env["ciphertext"] = base64.b64encode(bytes(ct)).decode()
    with pytest.raises(CryptoError):
        open_sealed(env, platform, aad=b"k")
    with pytest.raises(CryptoError):
        open_sealed({"v": 9}, platform, aad=b"k")


def test_attachment_round_trip_and_tamper() -> None:
    platform = EncryptionKeyPair.generate()
    sealed = seal(PAYLOAD, platform.public_b64(), aad=b"k")
    blob = seal_attachment(b"scan bytes" * 100, sealed.data_key)
    assert b"scan bytes" not in blob
    assert open_attachment(blob, sealed.data_key) == b"scan bytes" * 100
    with pytest.raises(CryptoError):
        open_attachment(blob[:-1] + bytes([blob[-1] ^ 1]), sealed.data_key)


def test_request_signature_covers_every_part() -> None:
    key = SigningKeyPair.generate()
    args = ("POST", "/api/v1/applications:batch", "1700000000", "n1", b"{}")
    sig = sign_request(key, *args)
    verify_request(key.public_b64(), sig, *args)
    for i, changed in enumerate(["GET", "/api/v1/x", "1700000001", "n2", b"{ }"]):
        bad = list(args)
        bad[i] = changed
        with pytest.raises(CryptoError):
            verify_request(key.public_b64(), sig, *bad)  # type: ignore[arg-type]


def test_bundle_signature_and_key_round_trip() -> None:
    key = SigningKeyPair.generate()
    again = SigningKeyPair.from_private_b64(key.private_b64())
    sig = sign_bytes(again, b"catalogue")
    verify_bytes(key.public_b64(), sig, b"catalogue")
    with pytest.raises(CryptoError):
        verify_bytes(key.public_b64(), sig, b"catalogue!")
    with pytest.raises(CryptoError):
        verify_bytes("not base64!", sig, b"catalogue")
