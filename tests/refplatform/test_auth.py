"""Enrollment (§8) and request signatures (§1)."""

from __future__ import annotations

import email.utils
import re
import secrets
import time
from pathlib import Path

import pytest
import requests

from kiosk.crypto import SigningKeyPair
from refplatform import PlatformServer
from tests.refplatform.client import API, SignedClient, enroll

CJK = re.compile(r"[\u4e00-\u9fff]")


def _assert_error(r: requests.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code
    assert body["message"]
    assert CJK.search(body["reason"]), body["reason"]
    assert r.headers.get("Date")


def test_enroll_returns_the_platform_keys(platform: PlatformServer) -> None:
    _, r = enroll(platform.url, "HALL0001", platform.state.mint_enrollment_token())
    assert r.status_code == 201, r.text
    assert r.json() == {"platform_signing_key": platform.state.signing_public_b64,
                        "platform_encryption_key": platform.state.encryption_public_b64,
                        "kiosk_id": "HALL0001"}


def test_enrollment_token_is_single_use_and_reenrolling_is_idempotent(
        platform: PlatformServer) -> None:
    token = platform.state.mint_enrollment_token()
    key = SigningKeyPair.generate()
    client, r = enroll(platform.url, "HALL0001", token, key=key)
    assert r.status_code == 201
    # same kiosk, same key: idempotent, even with the used token
    assert enroll(platform.url, "HALL0001", token, key=key)[1].status_code == 201
    # another kiosk cannot use the token
    _assert_error(enroll(platform.url, "HALL0002", token)[1], 403, "token_used")
    # a new key for the same kiosk needs a new token
    new_key = SigningKeyPair.generate()
    _assert_error(enroll(platform.url, "HALL0001", token, key=new_key)[1], 403, "token_used")
    assert client.get(f"{API}/ping").status_code == 200
    fresh = platform.state.mint_enrollment_token()
    replaced, r = enroll(platform.url, "HALL0001", fresh, key=new_key)
    assert r.status_code == 201
    assert replaced.get(f"{API}/ping").status_code == 200
    _assert_error(client.get(f"{API}/ping"), 401, "bad_signature")  # the old key is gone


@pytest.mark.parametrize("change", [
    {"kiosk_id": "bad id"}, {"region_code": "52"}, {"public_key": "bm90IGEga2V5"},
    {"hall_name": ""},
])
def test_enroll_refuses_malformed_fields(platform: PlatformServer,
                                         change: dict[str, str]) -> None:
    body = {"kiosk_id": "HALL0001", "region_code": "520100", "hall_name": "大厅",
            "public_key": SigningKeyPair.generate().public_b64(),
            "enrollment_token": platform.state.mint_enrollment_token(), **change}
    r = requests.post(platform.url + f"{API}/enroll", json=body, timeout=10)
    _assert_error(r, 400, "bad_request")


def test_enroll_with_an_unknown_token_is_refused(platform: PlatformServer) -> None:
    _assert_error(enroll(platform.url, "HALL0001", "no-such-token")[1], 403, "token_used")


def test_demo_token_enrolls_any_number_of_kiosks(platform_dir: Path) -> None:
    with PlatformServer(platform_dir, demo_token="DEMO-AUTO-APPROVE", faults=False) as server:
        for n in range(3):
            assert enroll(server.url, f"DEMO000{n}", "DEMO-AUTO-APPROVE")[1].status_code == 201


def test_signed_request_passes_and_answers_carry_date(kiosk: SignedClient) -> None:
    r = kiosk.get(f"{API}/ping")
    assert r.status_code == 200
    assert "time" in r.json()
    platform_time = email.utils.parsedate_to_datetime(r.headers["Date"]).timestamp()
    assert abs(platform_time - time.time()) < 60


def test_wrong_key_is_a_bad_signature(kiosk: SignedClient) -> None:
    _assert_error(kiosk.get(f"{API}/ping", sign_key=SigningKeyPair.generate()), 401,
                  "bad_signature")


def test_signature_covers_the_body(kiosk: SignedClient) -> None:
    r = kiosk.send("POST", f"{API}/events:batch", body=b'{"items":[]}',
                   sign_body=b'{"items":[1]}', headers={"Content-Type": "application/json"})
    _assert_error(r, 401, "bad_signature")


def test_signature_covers_the_query_string(kiosk: SignedClient) -> None:
    r = kiosk.get(f"{API}/status?cursor=5", sign_path=f"{API}/status?cursor=0")
    _assert_error(r, 401, "bad_signature")
    assert kiosk.get(f"{API}/status?cursor=5").status_code == 200


def test_missing_signature_headers_are_refused(kiosk: SignedClient) -> None:
    r = requests.get(kiosk.base_url + f"{API}/ping", headers={"X-Kiosk-Id": kiosk.kiosk_id},
                     timeout=10)
    _assert_error(r, 401, "bad_signature")


def test_unknown_and_revoked_kiosks_are_refused(platform: PlatformServer,
                                                kiosk: SignedClient) -> None:
    stranger = SignedClient(kiosk.base_url, "NOBODY01", SigningKeyPair.generate())
    _assert_error(stranger.get(f"{API}/ping"), 401, "unknown_kiosk")
    stranger.close()
    assert platform.state.revoke_kiosk(kiosk.kiosk_id)
    _assert_error(kiosk.get(f"{API}/ping"), 401, "unknown_kiosk")


@pytest.mark.parametrize("skew", [-3600 * 24 * 365 * 5, -301, 301])
def test_stale_timestamp_answer_tells_the_platform_time(kiosk: SignedClient,
                                                        skew: int) -> None:
    r = kiosk.get(f"{API}/ping", timestamp=int(time.time()) + skew)
    _assert_error(r, 401, "stale_timestamp")
    platform_time = email.utils.parsedate_to_datetime(r.headers["Date"]).timestamp()
    assert abs(platform_time - time.time()) < 60
    # the kiosk corrects its timestamps by the Date header and is served at once
    assert kiosk.get(f"{API}/ping", timestamp=int(platform_time)).status_code == 200


def test_timestamp_inside_the_window_is_accepted(kiosk: SignedClient) -> None:
    assert kiosk.get(f"{API}/ping", timestamp=int(time.time()) - 250).status_code == 200


def test_replayed_nonce_is_refused(kiosk: SignedClient) -> None:
    nonce = secrets.token_hex(16)
    assert kiosk.get(f"{API}/ping", nonce=nonce).status_code == 200
    _assert_error(kiosk.get(f"{API}/ping", nonce=nonce), 401, "replayed_nonce")
    # also when re-signed for another path and time: a nonce is never reused
    _assert_error(kiosk.get(f"{API}/status", nonce=nonce, timestamp=int(time.time()) - 5),
                  401, "replayed_nonce")


def test_replayed_nonce_of_a_bad_signature_is_not_burnt(kiosk: SignedClient) -> None:
    nonce = secrets.token_hex(16)
    forged = kiosk.get(f"{API}/ping", nonce=nonce, sign_key=SigningKeyPair.generate())
    _assert_error(forged, 401, "bad_signature")
    assert kiosk.get(f"{API}/ping", nonce=nonce).status_code == 200


def test_not_found_has_the_error_body(kiosk: SignedClient) -> None:
    _assert_error(kiosk.get(f"{API}/nothing-here"), 404, "not_found")
