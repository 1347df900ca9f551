"""Fault injection, observed from a plain ``requests`` client."""

from __future__ import annotations

import email.utils
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from refplatform import PlatformServer
from refplatform.faults import FaultError
from tests.refplatform.client import API, SignedClient, application, enroll


def test_error_500_then_normal_service(platform: PlatformServer, kiosk: SignedClient) -> None:
    platform.inject("error_500", count=1)
    r = kiosk.get(f"{API}/ping")
    assert r.status_code == 500
    assert r.json()["error"] == "internal_error"
    assert r.headers["Date"]
    assert kiosk.get(f"{API}/ping").status_code == 200


@pytest.mark.parametrize("kind", ["unavailable_503", "too_many_429"])
@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_overload_answers_carry_retry_after(platform: PlatformServer, kiosk: SignedClient,
                                            kind: str, form: str) -> None:
    platform.inject(kind, count=1, retry_after_s=7, retry_after_form=form)
    item = application(platform.state.encryption_public_b64)
    r = kiosk.batch([item])
    assert r.status_code == (503 if kind == "unavailable_503" else 429)
    assert r.json()["error"] == "overloaded"
    value = r.headers["Retry-After"]
    if form == "seconds":
        assert value == "7"
    else:
        when = email.utils.parsedate_to_datetime(value).timestamp()
        now = email.utils.parsedate_to_datetime(r.headers["Date"]).timestamp()
        assert 6 <= when - now <= 8
    assert platform.state.applications() == []  # shed before processing
    assert kiosk.batch([item]).json()["results"][0]["status"] == "accepted"


def test_rules_match_path_prefix_method_and_count(platform: PlatformServer,
                                                  kiosk: SignedClient) -> None:
    platform.inject("unavailable_503", path_prefix=f"{API}/status", count=2)
    platform.inject("too_many_429", path_prefix=f"{API}/ping", method="POST")
    assert kiosk.get(f"{API}/ping").status_code == 200
    assert [kiosk.get(f"{API}/status?cursor=0").status_code for _ in range(3)] == [503, 503, 200]
    assert [r.kind for r in platform.state.faults.rules()] == ["too_many_429"]


def test_probability_is_seedable(platform: PlatformServer, kiosk: SignedClient) -> None:
    def run() -> list[int]:
        platform.state.faults.seed(42)
        platform.inject("unavailable_503", probability=0.5)
        codes = [kiosk.get(f"{API}/ping").status_code for _ in range(40)]
        platform.clear_faults()
        return codes

    first = run()
    assert set(first) == {200, 503}
    assert run() == first


def test_slow_holds_the_request_in_flight(platform: PlatformServer,
                                          kiosk: SignedClient) -> None:
    claimed = threading.Event()
    platform.state.claim_hook = lambda _kiosk, _keys: claimed.set()
    platform.inject("slow", delay_s=60, count=1)
    item = application(platform.state.encryption_public_b64)
    with pytest.raises(requests.ReadTimeout):
        kiosk.submit(item, timeout=(5, 0.5))
    assert claimed.wait(10)
    platform.state.claim_hook = None
    other = SignedClient(kiosk.base_url, kiosk.kiosk_id, kiosk.key)
    r = other.submit(item)
    other.close()
    assert r.status_code == 409
    assert r.json()["error"] == "in_flight"


def test_drop_after_commit_loses_only_the_answer(platform: PlatformServer,
                                                 kiosk: SignedClient,
                                                 admin: requests.Session) -> None:
    platform.inject("drop_after_commit", path_prefix=f"{API}/applications", count=1)
    item = application(platform.state.encryption_public_b64)
    with pytest.raises(requests.ConnectionError):
        kiosk.batch([item])
    listed = admin.get(f"{platform.url}/admin/applications").json()["applications"]
    assert [a["idempotency_key"] for a in listed] == [item["idempotency_key"]]
    result = kiosk.batch([item]).json()["results"][0]  # the kiosk retries
    assert result["status"] == "duplicate"
    assert result["case_no"] == listed[0]["case_no"]
    assert platform.state.stats()["proxy"]["faults_applied"] == {"drop_after_commit": 1}


def test_truncated_answer_is_an_error_for_the_client(platform: PlatformServer,
                                                     kiosk: SignedClient) -> None:
    platform.inject("truncated", path_prefix=f"{API}/catalogue", count=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        kiosk.get(f"{API}/catalogue")
    assert kiosk.get(f"{API}/catalogue").status_code == 200


def test_truncated_batch_answer_was_committed(platform: PlatformServer,
                                              kiosk: SignedClient) -> None:
    platform.inject("truncated", path_prefix=f"{API}/applications", count=1)
    item = application(platform.state.encryption_public_b64)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        kiosk.batch([item])
    assert len(platform.state.applications()) == 1


def test_truncated_empty_answer_cuts_the_head(platform: PlatformServer,
                                              kiosk: SignedClient) -> None:
    platform.inject("truncated", method="HEAD", count=1)
    with pytest.raises(requests.ConnectionError):
        kiosk.head("0" * 64)


def test_reset_refuses_before_processing(platform: PlatformServer, kiosk: SignedClient) -> None:
    platform.inject("reset", path_prefix=f"{API}/applications", count=1)
    item = application(platform.state.encryption_public_b64)
    with pytest.raises(requests.ConnectionError) as info:
        kiosk.batch([item])
    assert "reset" in str(info.value).lower()
    assert platform.state.applications() == []
    assert kiosk.batch([item]).json()["results"][0]["status"] == "accepted"


def test_faults_through_the_admin_api(platform: PlatformServer, kiosk: SignedClient,
                                      admin: requests.Session) -> None:
    url = f"{platform.url}/admin/faults"
    r = admin.post(url, json={"kind": "unavailable_503", "count": 1,
                              "retry_after_form": "http-date", "retry_after_s": 3})
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["kind"] == "unavailable_503" and rule["count"] == 1
    assert admin.get(url).json()["rules"] == [rule]
    assert admin.get(f"{platform.url}/admin/stats").status_code == 200  # admin not affected
    assert kiosk.get(f"{API}/ping").status_code == 503
    assert admin.get(url).json()["rules"] == []
    assert admin.post(url, json={"kind": "meteor"}).status_code == 400
    assert admin.post(url, json={"kind": "slow", "probability": 2}).status_code == 400
    rid = admin.post(url, json={"kind": "error_500"}).json()["id"]
    assert kiosk.get(f"{API}/ping").status_code == 500
    assert admin.delete(f"{url}/{rid}").status_code == 204
    admin.post(url, json={"kind": "reset"})
    assert admin.delete(url).status_code == 204
    assert kiosk.get(f"{API}/ping").status_code == 200


def test_keep_alive_through_the_proxy(platform: PlatformServer, kiosk: SignedClient) -> None:
    assert platform.proxy is not None
    kiosk.get(f"{API}/ping")  # open the session's connection
    before = platform.proxy.connections_accepted
    for _ in range(50):
        assert kiosk.get(f"{API}/ping").status_code == 200
    assert platform.proxy.connections_accepted == before
    stats = platform.proxy.stats()
    assert stats["requests_forwarded"] >= 51


def test_without_faults_there_is_no_proxy(tmp_path: Path) -> None:
    with PlatformServer(tmp_path / "p", faults=False) as server:
        assert server.proxy is None
        assert server.url == server.direct_url
        for kind in ("reset", "error_500"):
            with pytest.raises(FaultError):
                server.inject(kind)
        assert requests.post(server.url + f"{API}/enroll", json={}, timeout=5).status_code == 400


def test_slow_request_does_not_delay_stop(tmp_path: Path) -> None:
    server = PlatformServer(tmp_path / "p").start()
    inside = threading.Event()
    try:
        kiosk, r = enroll(server.url, "SLOW0001", server.state.mint_enrollment_token())
        assert r.status_code == 201
        server.state.claim_hook = lambda _kiosk, _keys: inside.set()
        server.inject("slow", delay_s=600)
        item = application(server.state.encryption_public_b64)
        outcome: list[object] = []
        t = threading.Thread(target=lambda: outcome.append(_try(kiosk.batch, [item])))
        t.start()
        assert inside.wait(10)  # the request is held inside the platform
    finally:
        server.stop()
    t.join(5)
    kiosk.close()
    assert not t.is_alive()
    assert isinstance(outcome[0], requests.RequestException) or outcome[0] == 200


def _try(fn: Callable[..., requests.Response], *args: object) -> object:
    try:
        return fn(*args).status_code
    except requests.RequestException as err:
        return err
