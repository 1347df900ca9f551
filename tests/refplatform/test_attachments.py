"""Resumable, content-addressed attachments (§3) and applications that list them."""

from __future__ import annotations

import pytest

from kiosk.crypto import sha256_hex
from refplatform import PlatformServer
from tests.refplatform.client import API, SignedClient, application, sealed_blob

CHUNK = 64 * 1024


def test_upload_resumes_from_the_platform_offset(platform: PlatformServer,
                                                 kiosk: SignedClient) -> None:
    blob = sealed_blob(3 * CHUNK + 1000)
    sha, total = sha256_hex(blob), len(blob)
    assert kiosk.head(sha).status_code == 404
    r = kiosk.patch(sha, 0, total, blob[:CHUNK])
    assert r.status_code == 204
    assert r.headers["Upload-Offset"] == str(CHUNK)
    # the link dropped and the kiosk lost track: it resends from 0, then guesses too far
    for wrong in (0, 2 * CHUNK):
        r = kiosk.patch(sha, wrong, total, blob[wrong:wrong + CHUNK])
        assert r.status_code == 409
        assert r.json()["error"] == "offset_mismatch"
        assert r.headers["Upload-Offset"] == str(CHUNK)
    head = kiosk.head(sha)
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == str(CHUNK)
    assert head.headers["Upload-Length"] == str(total)
    assert "Upload-Complete" not in head.headers
    offset = int(head.headers["Upload-Offset"])
    while offset < total:
        r = kiosk.patch(sha, offset, total, blob[offset:offset + CHUNK])
        assert r.status_code == 204, r.text
        offset = int(r.headers["Upload-Offset"])
    assert r.headers["Upload-Complete"] == "?1"
    head = kiosk.head(sha)
    assert head.headers["Upload-Complete"] == "?1"
    assert head.headers["Upload-Offset"] == str(total)
    # uploading a complete attachment again is idempotent
    again = kiosk.patch(sha, 0, total, blob[:CHUNK])
    assert again.status_code == 204
    assert again.headers["Upload-Offset"] == str(total)
    assert platform.state.store.attachment_bytes(sha) == blob


def test_digest_mismatch_discards_the_upload(platform: PlatformServer,
                                            kiosk: SignedClient) -> None:
    blob = sealed_blob(CHUNK + 10)
    sha = sha256_hex(blob)
    corrupted = blob[:-1] + bytes([blob[-1] ^ 1])
    assert kiosk.patch(sha, 0, len(blob), corrupted[:CHUNK]).status_code == 204
    r = kiosk.patch(sha, CHUNK, len(blob), corrupted[CHUNK:])
    assert r.status_code == 422
    assert r.json()["error"] == "digest_mismatch"
    assert kiosk.head(sha).status_code == 404
    assert platform.state.store.attachment_bytes(sha) is None
    assert kiosk.upload(blob, CHUNK) == sha  # a clean upload afterwards works
    assert platform.state.store.attachment_bytes(sha) == blob


def test_chunk_rules(kiosk: SignedClient) -> None:
    blob = sealed_blob(2 * 1024 * 1024)
    sha = sha256_hex(blob)
    r = kiosk.patch(sha, 0, len(blob), blob[:1024 * 1024 + 1])
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"
    assert kiosk.patch(sha, 0, len(blob), blob[:1024 * 1024]).status_code == 204  # 1 MiB is ok
    r = kiosk.send("PATCH", f"{API}/attachments/{sha}", body=b"x",
                   headers={"Upload-Offset": "0", "Upload-Length": "1",
                            "Content-Type": "application/octet-stream"})
    assert r.status_code == 400
    r = kiosk.patch(sha, 1024 * 1024, len(blob) + 5, blob[1024 * 1024:1024 * 1024 + 10])
    assert r.status_code == 400  # the length of an attachment does not change
    assert kiosk.head("NOT-A-SHA").status_code == 400


@pytest.mark.parametrize("parts", [0, 1])
def test_application_waits_for_complete_attachments(platform: PlatformServer,
                                                    kiosk: SignedClient, parts: int) -> None:
    blob = sealed_blob(2 * CHUNK)
    sha = sha256_hex(blob)
    if parts:
        kiosk.patch(sha, 0, len(blob), blob[:CHUNK])  # half uploaded is not uploaded
    item = application(platform.state.encryption_public_b64, attachments=[sha])
    result = kiosk.batch([item]).json()["results"][0]
    assert result["status"] == "missing_attachment"
    assert result["missing"] == [sha]
    assert platform.state.applications() == []
    kiosk.upload(blob, CHUNK) if not parts else kiosk.patch(sha, CHUNK, len(blob), blob[CHUNK:])
    # the same item, same key, is accepted once its attachment is there
    assert kiosk.batch([item]).json()["results"][0]["status"] == "accepted"
