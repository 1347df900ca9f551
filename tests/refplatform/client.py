"""A minimal signed client for the reference platform tests (not the kiosk's sync client:
these tests must be able to send malformed, stale, replayed and mis-signed requests)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

from kiosk.crypto import (
    SigningKeyPair,
    canonical_json,
    canonical_request,
    seal,
    seal_attachment,
    sha256_hex,
)

API = "/api/v1"


@dataclass
class SignedClient:
    base_url: str
    kiosk_id: str
    key: SigningKeyPair
    session: requests.Session = field(default_factory=requests.Session)
    timeout: tuple[float, float] = (5.0, 15.0)

    def send(self, method: str, path: str, *, body: bytes = b"",
             headers: dict[str, str] | None = None, timestamp: int | None = None,
             nonce: str | None = None, sign_key: SigningKeyPair | None = None,
             sign_path: str | None = None, sign_body: bytes | None = None,
             timeout: tuple[float, float] | None = None) -> requests.Response:
        """Sign and send; every part of the signature can be overridden to forge one."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(16)
        signature = (sign_key or self.key).private.sign(canonical_request(
            method, sign_path or path, ts, nonce, body if sign_body is None else sign_body))
        all_headers = {"X-Kiosk-Id": self.kiosk_id, "X-Kiosk-Timestamp": ts,
                       "X-Kiosk-Nonce": nonce,
                       "X-Kiosk-Signature": base64.b64encode(signature).decode()}
        all_headers.update(headers or {})
        return self.session.request(method, self.base_url + path, data=body or None,
                                    headers=all_headers, timeout=timeout or self.timeout)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.send("GET", path, **kw)

    def post_json(self, path: str, obj: Any, **kw: Any) -> requests.Response:
        headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
        return self.send("POST", path, body=json.dumps(obj, ensure_ascii=False).encode(),
                         headers=headers, **kw)

    def batch(self, items: list[Any], kind: str = "applications",
              **kw: Any) -> requests.Response:
        return self.post_json(f"{API}/{kind}:batch", {"items": items}, **kw)

    def submit(self, item: dict[str, Any], *, key: str | None = None,
               **kw: Any) -> requests.Response:
        headers = {"Idempotency-Key": key or item["idempotency_key"]}
        return self.post_json(f"{API}/applications", item, headers=headers, **kw)

    def patch(self, sha: str, offset: int, total: int, chunk: bytes,
              **kw: Any) -> requests.Response:
        headers = {"Upload-Offset": str(offset), "Upload-Length": str(total),
                   "Content-Type": "application/offset+octet-stream"}
        return self.send("PATCH", f"{API}/attachments/{sha}", body=chunk, headers=headers, **kw)

    def head(self, sha: str) -> requests.Response:
        return self.send("HEAD", f"{API}/attachments/{sha}")

    def upload(self, blob: bytes, chunk: int = 256 * 1024) -> str:
        sha = sha256_hex(blob)
        for offset in range(0, len(blob), chunk):
            r = self.patch(sha, offset, len(blob), blob[offset:offset + chunk])
            assert r.status_code == 204, r.text
        return sha

    def close(self) -> None:
        self.session.close()


def enroll(base_url: str, kiosk_id: str, token: str, *, key: SigningKeyPair | None = None,
           region_code: str = "520100", hall_name: str = "测试政务服务大厅",
           ) -> tuple[SignedClient, requests.Response]:
    key = key or SigningKeyPair.generate()
    r = requests.post(base_url + f"{API}/enroll", timeout=10, json={
        "kiosk_id": kiosk_id, "region_code": region_code, "hall_name": hall_name,
        "public_key": key.public_b64(), "enrollment_token": token})
    return SignedClient(base_url, kiosk_id, key), r


def new_key() -> str:
    return str(uuid.uuid4())


def application(encryption_public_b64: str, *, key: str | None = None,
                service_code: str = "QR00107002", attachments: list[str] | None = None,
                payload: bytes | None = None, provisional_no: str | None = None,
                aad: bytes | None = None) -> dict[str, Any]:
    """An application item as a kiosk sends it, its envelope sealed for the platform."""
    key = key or new_key()
    payload = payload or canonical_json({"form": {"name": "张三", "phone": "13800001234"},
                                         "nonce": secrets.token_hex(4)})
    envelope = seal(payload, encryption_public_b64,
                    aad=key.encode() if aad is None else aad).envelope
    return {
        "idempotency_key": key,
        "provisional_no": provisional_no or f"TEST0001-20261122-{secrets.randbelow(10**6):06d}-K",
        "service_code": service_code,
        "catalogue_version": "2025.06.1",
        "created_at": "2026-11-22T09:12:03+08:00",
        "channel": {"kind": "self_service"},
        "attachments": attachments or [],
        "envelope": envelope,
        "meta": {"masked_name": "张*", "masked_id": "110***********002X"},
    }


def sealed_blob(size: int) -> bytes:
    """An encrypted attachment of about ``size`` bytes."""
    return seal_attachment(os.urandom(size), os.urandom(32))


def event(kind: str, body: dict[str, Any], *, key: str | None = None) -> dict[str, Any]:
    return {"idempotency_key": key or new_key(), "kind": kind,
            "created_at": "2026-11-22T09:30:00+08:00", "body": body}
