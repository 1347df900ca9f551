"""One-time identity tokens (POST /identity:resolve, §10) and the e-licence registry
(POST /elicences:lookup, §11), over loopback — with the test client and with the kiosk's
own ``PlatformClient``."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.crypto import SigningKeyPair
from kiosk.errors import SyncRejectedError, SyncTransportError
from kiosk.idcheck import id_check_char
from refplatform import PlatformServer
from sync.client import PlatformClient
from tests.refplatform.client import API, SignedClient, enroll
from tests.refplatform.conftest import ADMIN_TOKEN

CJK = re.compile(r"[\u4e00-\u9fff]")
NAME = "李华"


def with_check(body: str) -> str:
    return body + id_check_char(body)


HOLDER = with_check("52010219900307123")  # sequence 123: every type, valid
EXPIRED = with_check("52010219850101456")  # sequence 456: other types expired
NOBODY = with_check("52010219850101567")  # sequence 567: only ID card and 户口簿


class Clock:
    """The platform's clock: real time plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(tmp_path: Path, clock: Clock) -> Iterator[PlatformServer]:
    with PlatformServer(tmp_path / "platform", admin_token=ADMIN_TOKEN, accept_after_s=None,
                        complete_after_s=None, clock=clock) as srv:
        yield srv


@pytest.fixture
def signed(server: PlatformServer) -> Iterator[SignedClient]:
    client, r = enroll(server.url, "TEST0001", server.state.mint_enrollment_token())
    assert r.status_code == 201, r.text
    yield client
    client.close()


def resolve(client: SignedClient, token: str) -> requests.Response:
    return client.post_json(f"{API}/identity:resolve", {"token": token})


def _assert_error(r: requests.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code and body["message"]
    assert CJK.search(body["reason"]), body["reason"]


def test_token_resolves_once_and_a_replay_is_refused(server: PlatformServer,
                                                      signed: SignedClient) -> None:
    token = server.state.issue_identity_token(NAME, HOLDER)
    assert NAME not in token and HOLDER not in token  # the QR code carries nothing personal
    r = resolve(signed, token)
    assert r.status_code == 200, r.text
    assert r.json() == {"name": NAME, "id_number": HOLDER, "source": "eid"}
    _assert_error(resolve(signed, token), 409, "token_consumed")
    assert "已使用" in resolve(signed, token).json()["reason"]


def test_appointment_token_carries_the_appointment(server: PlatformServer,
                                                   signed: SignedClient) -> None:
    appointment = {"service_code": "QR00107002", "slot": "2026-11-22T10:00:00+08:00"}
    token = server.state.issue_identity_token(NAME, HOLDER, source="appointment",
                                              appointment=appointment)
    assert resolve(signed, token).json() == {"name": NAME, "id_number": HOLDER,
                                             "source": "appointment",
                                             "appointment": appointment}


def test_expired_and_unknown_tokens_are_refused(server: PlatformServer, signed: SignedClient,
                                                clock: Clock) -> None:
    token = server.state.issue_identity_token(NAME, HOLDER, ttl_s=60)
    clock.offset = 61  # still inside the ±300 s signature window
    _assert_error(resolve(signed, token), 410, "token_expired")
    _assert_error(resolve(signed, "x" * 32), 404, "not_found")
    _assert_error(signed.post_json(f"{API}/identity:resolve", {"tok": 1}), 400, "bad_request")


def test_resolve_needs_a_valid_signature_and_spends_nothing_without_one(
        server: PlatformServer, signed: SignedClient) -> None:
    token = server.state.issue_identity_token(NAME, HOLDER)
    forged = signed.post_json(f"{API}/identity:resolve", {"token": token},
                              sign_key=SigningKeyPair.generate())
    _assert_error(forged, 401, "bad_signature")
    r = requests.post(server.url + f"{API}/identity:resolve", json={"token": token}, timeout=10)
    _assert_error(r, 401, "unknown_kiosk")
    assert resolve(signed, token).status_code == 200  # the token was still unused


def test_admin_route_issues_tokens(server: PlatformServer, signed: SignedClient) -> None:
    headers = {"X-Admin-Token": ADMIN_TOKEN}
    r = requests.post(server.url + "/admin/identity-tokens", headers=headers, timeout=10,
                      json={"name": NAME, "id_number": HOLDER, "ttl_s": 120})
    assert r.status_code == 201, r.text
    assert resolve(signed, r.json()["token"]).json()["id_number"] == HOLDER
    bad = requests.post(server.url + "/admin/identity-tokens", headers=headers, timeout=10,
                        json={"name": NAME, "id_number": HOLDER[:-1] + "0"
                              if HOLDER[-1] != "0" else HOLDER[:-1] + "1"})
    assert bad.status_code == 400
    assert requests.post(server.url + "/admin/identity-tokens", timeout=10,
                         json={"name": NAME, "id_number": HOLDER}).status_code == 401


def lookup(client: SignedClient, id_number: str, types: list[str]) -> list[dict[str, object]]:
    r = client.post_json(f"{API}/elicences:lookup", {"id_number": id_number, "types": types})
    assert r.status_code == 200, r.text
    rows = r.json()["licences"]
    assert [row["type"] for row in rows] == types
    return list(rows)


def test_elicence_lookup_found_not_found_and_expired(signed: SignedClient) -> None:
    types = ["户口簿电子证照", "结婚证电子证照", "无此证照"]
    hukou, marriage, unknown = lookup(signed, HOLDER, types)
    for row in (hukou, marriage):
        assert row["found"] is True and row["status"] == "valid"
        assert str(row["licence_no"]).startswith("DZZZ-520102-") and row["issuer"]
        assert re.fullmatch(r"[0-9a-f]{64}", str(row["sha256"]))
    assert unknown["found"] is False and unknown["status"] == "not_found"
    assert lookup(signed, HOLDER, types) == [hukou, marriage, unknown]  # deterministic

    hukou2, marriage2, _ = lookup(signed, EXPIRED, types)
    assert hukou2["status"] == "valid"
    assert marriage2["found"] is True and marriage2["status"] == "expired"
    assert str(marriage2["valid_until"]) < time.strftime("%Y-%m-%d")

    hukou3, marriage3, _ = lookup(signed, NOBODY, types)
    assert hukou3["found"] is True and marriage3 == {
        "type": "结婚证电子证照", "found": False, "status": "not_found", "licence_no": None,
        "issuer": None, "issued_on": None, "valid_until": None, "sha256": None}
    # a number that fails the GB 11643 check holds nothing
    wrong = HOLDER[:-1] + ("0" if HOLDER[-1] != "0" else "1")
    assert [row["found"] for row in lookup(signed, wrong, types)] == [False, False, False]


def test_elicence_lookup_refuses_malformed_requests(signed: SignedClient) -> None:
    for body in ({"id_number": "123", "types": ["户口簿电子证照"]},
                 {"id_number": HOLDER, "types": []},
                 {"id_number": HOLDER, "types": [1]},
                 {"id_number": HOLDER}):
        _assert_error(signed.post_json(f"{API}/elicences:lookup", body), 400, "bad_request")


def test_platform_client_resolves_and_looks_up(server: PlatformServer,
                                               signed: SignedClient) -> None:
    client = PlatformClient(server.url, signed.kiosk_id, signed.key)
    try:
        token = server.state.issue_identity_token(NAME, HOLDER)
        person = client.resolve_identity(token)
        assert (person.name, person.id_number, person.source) == (NAME, HOLDER, "eid")
        assert NAME not in repr(person) and HOLDER not in repr(person)
        with pytest.raises(SyncRejectedError) as used:
            client.resolve_identity(token)
        assert "已使用" in used.value.user_message
        records = client.lookup_elicences(HOLDER, ["户口簿电子证照", "结婚证电子证照"])
        assert [r.usable for r in records] == [True, True]
        [expired] = client.lookup_elicences(EXPIRED, ["结婚证电子证照"])
        assert expired.found and not expired.usable and expired.status == "expired"
        server.inject("reset", path_prefix="/api/v1/elicences")
        with pytest.raises(SyncTransportError):
            client.lookup_elicences(HOLDER, ["户口簿电子证照"])
    finally:
        client.close()


def test_answers_match_the_openapi_schemas(server: PlatformServer,
                                           signed: SignedClient) -> None:
    from tests.refplatform.test_openapi import _validate

    token = server.state.issue_identity_token(NAME, HOLDER, source="appointment",
                                              appointment={"slot": "10:00"})
    _validate(resolve(signed, token).json(), "ResolvedIdentity")
    _validate(resolve(signed, token).json(), "Error")
    r = signed.post_json(f"{API}/elicences:lookup",
                         {"id_number": EXPIRED, "types": ["户口簿电子证照", "结婚证电子证照", "x"]})
    _validate(r.json(), "ElicenceLookup")
