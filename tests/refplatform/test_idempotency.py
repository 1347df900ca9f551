"""Idempotency keys (§2), single and batch forms."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from kiosk.crypto import canonical_json, sha256_hex
from refplatform import PlatformServer
from tests.refplatform.client import API, SignedClient, application, enroll, new_key


@pytest.fixture
def enc(platform: PlatformServer) -> str:
    return platform.state.encryption_public_b64


def test_single_form_without_a_valid_key_is_400(kiosk: SignedClient, enc: str) -> None:
    item = application(enc)
    r = kiosk.post_json(f"{API}/applications", item)
    assert r.status_code == 400
    assert r.json()["error"] == "missing_idempotency_key"
    r = kiosk.submit(item, key="not-a-uuid")
    assert r.status_code == 400
    assert r.json()["error"] == "missing_idempotency_key"
    r = kiosk.submit(item, key=item["idempotency_key"].upper())
    assert r.json()["error"] == "missing_idempotency_key"  # lower-case canonical form only


def test_single_form_replay_returns_the_stored_response(platform: PlatformServer,
                                                        kiosk: SignedClient, enc: str,
                                                        admin: requests.Session) -> None:
    item = application(enc)
    first = kiosk.submit(item)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replay" not in first.headers
    again = kiosk.submit(item)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.content == first.content
    listed = admin.get(platform.url + "/admin/applications").json()["applications"]
    assert len(listed) == 1
    assert listed[0]["replays"] == 1 and listed[0]["deliveries"] == 2
    assert listed[0]["fingerprint"] == sha256_hex(canonical_json(item))
    assert platform.state.stats()["duplicates_detected"] == 1


def test_same_payload_serialised_differently_is_still_a_replay(kiosk: SignedClient,
                                                                enc: str) -> None:
    item = application(enc)
    assert kiosk.submit(item).status_code == 201
    reordered = dict(reversed(list(item.items())))
    body = json.dumps(reordered, indent=2, ensure_ascii=True).encode()
    r = kiosk.send("POST", f"{API}/applications", body=body,
                   headers={"Idempotency-Key": item["idempotency_key"],
                            "Content-Type": "application/json"})
    assert r.status_code == 201
    assert r.headers["Idempotent-Replay"] == "true"


def test_single_form_key_reused_with_another_payload_is_422(kiosk: SignedClient,
                                                            enc: str) -> None:
    item = application(enc)
    assert kiosk.submit(item).status_code == 201
    changed = {**item, "service_code": "QR00107003"}
    r = kiosk.submit(changed)
    assert r.status_code == 422
    assert r.json()["error"] == "idempotency_key_reused"


def test_header_and_body_keys_must_agree(kiosk: SignedClient, enc: str) -> None:
    item = application(enc)
    r = kiosk.submit(item, key=new_key())
    assert r.status_code == 400
    assert r.json()["error"] == "bad_request"


def test_batch_reports_each_item(platform: PlatformServer, kiosk: SignedClient,
                                 enc: str) -> None:
    done = application(enc)
    first = kiosk.batch([done]).json()["results"][0]
    assert first["status"] == "accepted"
    fresh = application(enc)
    reused = {**done, "service_code": "QR00107003"}
    no_key = {**application(enc), "idempotency_key": "123"}
    key = new_key()
    unreadable = application(enc, key=key, aad=b"some other key")
    missing = application(enc, attachments=[sha256_hex(b"never uploaded")])
    r = kiosk.batch([fresh, done, reused, no_key, unreadable, missing])
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["status"] for x in results] == [
        "accepted", "duplicate", "conflict", "rejected", "rejected", "missing_attachment"]
    assert results[1]["case_no"] == first["case_no"]
    assert results[2]["error"] == "idempotency_key_reused"
    assert results[3]["error"] == "missing_idempotency_key"
    assert results[4]["error"] == "envelope_unreadable"
    assert results[5]["missing"] == missing["attachments"]
    assert [x["idempotency_key"] for x in results] == [
        fresh["idempotency_key"], done["idempotency_key"], done["idempotency_key"], "123", key,
        missing["idempotency_key"]]
    assert len(platform.state.applications()) == 2


def test_batch_limits(kiosk: SignedClient, enc: str) -> None:
    r = kiosk.batch([application(enc) for _ in range(51)])
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"
    r = kiosk.post_json(f"{API}/applications:batch", {"items": "nope"})
    assert r.status_code == 400
    r = kiosk.send("POST", f"{API}/applications:batch", body=b"{not json",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    big = {"items": [], "padding": "x" * (4 * 1024 * 1024)}
    assert kiosk.post_json(f"{API}/applications:batch", big).status_code == 413


def test_same_key_twice_in_one_batch_is_stored_once(platform: PlatformServer,
                                                    kiosk: SignedClient, enc: str) -> None:
    item = application(enc)
    results = kiosk.batch([item, item]).json()["results"]
    assert [x["status"] for x in results] == ["accepted", "duplicate"]
    assert len(platform.state.applications()) == 1


def test_keys_belong_to_their_kiosk(platform: PlatformServer, kiosk: SignedClient,
                                    enc: str) -> None:
    other, r = enroll(platform.url, "TEST0002", platform.state.mint_enrollment_token())
    assert r.status_code == 201
    key = new_key()
    a = kiosk.batch([application(enc, key=key)]).json()["results"][0]
    b = other.batch([application(enc, key=key)]).json()["results"][0]
    other.close()
    assert a["status"] == b["status"] == "accepted"
    assert a["case_no"] != b["case_no"]


@pytest.fixture
def held(platform: PlatformServer) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Hold the next request that claims keys until ``release`` is set."""
    claimed, release = threading.Event(), threading.Event()

    def hook(_kiosk: str, _keys: list[str]) -> None:
        platform.state.claim_hook = None
        claimed.set()
        release.wait(10)

    platform.state.claim_hook = hook
    yield claimed, release
    release.set()
    platform.state.claim_hook = None


def test_concurrent_resend_meets_in_flight(platform: PlatformServer, kiosk: SignedClient,
                                           enc: str,
                                           held: tuple[threading.Event, threading.Event]) -> None:
    claimed, release = held
    item = application(enc)
    other = SignedClient(kiosk.base_url, kiosk.kiosk_id, kiosk.key)  # its own connection
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(kiosk.submit, item)
        assert claimed.wait(10)
        r = other.submit(item)
        assert r.status_code == 409
        assert r.json()["error"] == "in_flight"
        assert r.headers["Retry-After"] == "1"
        in_batch = other.batch([item]).json()["results"][0]
        assert in_batch["status"] == "in_flight"
        release.set()
        assert first.result(10).status_code == 201
    replay = other.submit(item)
    other.close()
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replay"] == "true"
    assert len(platform.state.applications()) == 1
    assert platform.state.stats()["in_flight_rejections"] == 2


def test_keys_are_kept_400_days_and_never_create_twice(platform: PlatformServer,
                                                       kiosk: SignedClient, enc: str) -> None:
    item = application(enc)
    kiosk.batch([item])
    day = 86_400
    now = platform.state.clock()
    assert platform.state.purge_expired(now + 399 * day)["idempotency_records"] == 0
    assert kiosk.batch([item]).json()["results"][0]["status"] == "duplicate"
    assert platform.state.purge_expired(now + 401 * day)["idempotency_records"] == 1
    result = kiosk.batch([item]).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"] == "idempotency_key_expired"
    assert len(platform.state.applications()) == 1

