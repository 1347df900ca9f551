"""受理通知书 download links (platform-api.md §12): a kiosk uploads the PDF of one of its
received applications, a phone downloads it without credentials until the link expires."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.crypto import SigningKeyPair
from refplatform import PlatformServer
from tests.refplatform.client import API, SignedClient, application, enroll
from tests.refplatform.test_openapi import _validate

PDF = b"%PDF-1.4\n% notice of a test application\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


class Clock:
    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t


def put_notice(client: SignedClient, no: str, pdf: bytes = PDF, **kw: Any) -> requests.Response:
    headers = {"Content-Type": "application/pdf", **kw.pop("headers", {})}
    return client.send("PUT", f"{API}/notices/{no}", body=pdf, headers=headers, **kw)


def received(platform: PlatformServer, client: SignedClient, no: str) -> str:
    item = application(platform.state.encryption_public_b64, provisional_no=no)
    r = client.batch([item])
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted", r.text
    return no


def test_upload_then_the_phone_downloads_the_same_bytes(platform: PlatformServer,
                                                        kiosk: SignedClient) -> None:
    no = received(platform, kiosk, "TEST0001-20261122-000017-K")
    r = put_notice(kiosk, no)
    assert r.status_code == 201, r.text
    link = r.json()
    _validate(link, "NoticeLink")
    assert link["url"].startswith(platform.url + "/d/")
    token = link["url"].rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 bits, base64url
    # the database holds the token's SHA-256, never the token
    raw = b"".join(f.read_bytes() for f in platform.data_dir.glob("platform.sqlite3*"))
    assert hashlib.sha256(token.encode()).hexdigest().encode() in raw
    assert token.encode() not in raw
    phone = requests.get(link["url"], timeout=10)  # no credential at all
    assert phone.status_code == 200
    assert phone.content == PDF
    assert phone.headers["Content-Type"] == "application/pdf"
    assert phone.headers["Content-Disposition"] == f'attachment; filename="notice-{no}.pdf"'
    assert phone.headers["Cache-Control"] == "no-store"
    # 24 h from now, China Standard Time
    from datetime import datetime

    expires = datetime.fromisoformat(link["expires_at"]).timestamp()
    assert abs(expires - (time.time() + 24 * 3600)) < 120
    assert link["expires_at"].endswith("+08:00")


def test_a_replayed_upload_gives_the_same_link_and_other_bytes_another(
        platform: PlatformServer, kiosk: SignedClient) -> None:
    no = received(platform, kiosk, "TEST0001-20261122-000018-K")
    first = put_notice(kiosk, no)
    again = put_notice(kiosk, no)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    other = put_notice(kiosk, no, PDF + b"% reprinted\n")
    assert other.status_code == 201 and other.json()["url"] != first.json()["url"]
    assert requests.get(first.json()["url"], timeout=10).content == PDF


def test_the_same_link_after_a_restart(platform_dir: Path) -> None:
    with PlatformServer(platform_dir, accept_after_s=None, complete_after_s=None) as server:
        client, r = enroll(server.url, "TEST0001", server.state.mint_enrollment_token())
        assert r.status_code == 201
        no = received(server, client, "TEST0001-20261122-000019-K")
        url = put_notice(client, no).json()["url"]
        client.close()
    with PlatformServer(platform_dir, accept_after_s=None, complete_after_s=None) as server:
        client.base_url = server.url
        again = put_notice(client, no)
        assert again.status_code == 200
        assert again.json()["url"].rsplit("/", 1)[1] == url.rsplit("/", 1)[1]
        client.close()


def test_another_kiosks_or_an_unknown_number_is_not_found(platform: PlatformServer,
                                                          kiosk: SignedClient) -> None:
    no = received(platform, kiosk, "TEST0001-20261122-000020-K")
    other, r = enroll(platform.url, "TEST0002", platform.state.mint_enrollment_token())
    assert r.status_code == 201
    try:
        refused = put_notice(other, no)
        assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    finally:
        other.close()
    unknown = put_notice(kiosk, "TEST0001-20261122-999999-K")
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    assert unknown.json()["reason"]


def test_bad_signature_wrong_type_and_too_large_are_refused(platform: PlatformServer,
                                                             kiosk: SignedClient) -> None:
    no = received(platform, kiosk, "TEST0001-20261122-000021-K")
    forged = put_notice(kiosk, no, sign_key=SigningKeyPair.generate())
    assert forged.status_code == 401 and forged.json()["error"] == "bad_signature"
    other_body = put_notice(kiosk, no, sign_body=PDF + b"x")
    assert other_body.status_code == 401 and other_body.json()["error"] == "bad_signature"
    unsigned = requests.put(f"{platform.url}{API}/notices/{no}", data=PDF, timeout=10,
                            headers={"Content-Type": "application/pdf"})
    assert unsigned.status_code == 401
    not_pdf = put_notice(kiosk, no, b"<html>not a pdf</html>")
    assert not_pdf.status_code == 400 and not_pdf.json()["error"] == "bad_request"
    wrong_type = put_notice(kiosk, no, headers={"Content-Type": "application/octet-stream"})
    assert wrong_type.status_code == 400
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    too_large = put_notice(kiosk, no, big)
    assert too_large.status_code == 413 and too_large.json()["error"] == "too_large"
    just_fits = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 - 9)
    assert put_notice(kiosk, no, just_fits).status_code == 201


@pytest.fixture
def clocked(tmp_path: Path) -> Iterator[tuple[PlatformServer, SignedClient, Clock]]:
    clock = Clock()
    with PlatformServer(tmp_path / "p", accept_after_s=None, complete_after_s=None,
                        clock=clock, notice_ttl_s=3600.0) as server:
        client, r = enroll(server.url, "TEST0001", server.state.mint_enrollment_token())
        assert r.status_code == 201
        yield server, client, clock
        client.close()


def test_a_link_expires_then_answers_gone_and_its_pdf_is_dropped(
        clocked: tuple[PlatformServer, SignedClient, Clock]) -> None:
    server, client, clock = clocked
    no = received(server, client, "TEST0001-20261122-000022-K")
    url = put_notice(client, no).json()["url"]
    clock.t += 3599
    assert requests.get(url, timeout=10).status_code == 200
    clock.t += 2
    gone = requests.get(url, timeout=10)
    assert gone.status_code == 410 and gone.json()["error"] == "link_expired"
    _validate(gone.json(), "Error")
    assert "过期" in gone.json()["reason"]
    assert requests.get(url, timeout=10).status_code == 410
    # the same bytes after expiry: a fresh link (the kiosk's clock follows the platform's)
    fresh = put_notice(client, no, timestamp=int(clock.t))
    assert fresh.status_code == 201 and fresh.json()["url"] != url
    assert requests.get(fresh.json()["url"], timeout=10).content == PDF
    assert server.state.purge_expired()["notice_links"] == 1


def test_an_unknown_or_malformed_token_is_not_found(platform: PlatformServer) -> None:
    for token in ("A" * 22, "x", "abc%2F..%2Fetc"):
        r = requests.get(f"{platform.url}/d/{token}", timeout=10)
        assert r.status_code == 404, token
        assert r.json()["error"] == "not_found"


def test_downloads_are_not_kiosk_api_requests(platform: PlatformServer,
                                              kiosk: SignedClient) -> None:
    """A phone's download is neither counted as kiosk traffic nor hit by API faults."""
    no = received(platform, kiosk, "TEST0001-20261122-000023-K")
    url = put_notice(kiosk, no).json()["url"]
    platform.inject("unavailable_503", path_prefix="/api/")
    phone = requests.get(url, timeout=10)
    assert phone.status_code == 200
    assert hashlib.sha256(phone.content).hexdigest() == hashlib.sha256(PDF).hexdigest()
