"""Applications (§4), events (§5), status feed and lookup (§6), advancement, admin."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
import requests

from kiosk.crypto import EncryptionKeyPair
from refplatform import PlatformServer
from refplatform.store import CST
from tests.refplatform.client import API, SignedClient, application, enroll, event, new_key


@pytest.fixture
def enc(platform: PlatformServer) -> str:
    return platform.state.encryption_public_b64


def _submit(kiosk: SignedClient, item: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = kiosk.batch([item]).json()["results"][0]
    assert result["status"] == "accepted", result
    return result


def test_accepted_application_gets_an_official_case_number(platform: PlatformServer,
                                                           kiosk: SignedClient,
                                                           enc: str) -> None:
    day = datetime.now(CST).strftime("%Y%m%d")
    first = _submit(kiosk, application(enc))
    second = _submit(kiosk, application(enc, service_code="GF00201001"))
    assert re.fullmatch(rf"520100-QR00107002-{day}-\d{{6}}", first["case_no"])
    assert second["case_no"].startswith("520100-GF00201001-")
    assert int(second["case_no"][-6:]) == int(first["case_no"][-6:]) + 1
    assert first["state"] == "submitted" and first["reason"] == "已接收，等待受理"


def test_region_of_the_case_number_comes_from_enrollment(platform: PlatformServer,
                                                         enc: str) -> None:
    other, r = enroll(platform.url, "NANMING1", platform.state.mint_enrollment_token(),
                      region_code="520102")
    assert r.status_code == 201
    assert _submit(other, application(enc))["case_no"].startswith("520102-QR00107002-")
    other.close()


def test_platform_opens_the_envelope(platform: PlatformServer, kiosk: SignedClient,
                                     enc: str) -> None:
    payload = json.dumps({"form": {"name": "欧阳娜娜"}}, ensure_ascii=False).encode()
    item = application(enc, payload=payload)
    _submit(kiosk, item)
    assert platform.state.open_application(item["provisional_no"]) == payload


@pytest.mark.parametrize("how", ["other_platform_key", "other_aad", "tampered"])
def test_envelope_that_does_not_open_is_rejected(platform: PlatformServer, kiosk: SignedClient,
                                                 enc: str, how: str) -> None:
    if how == "other_platform_key":
        item = application(EncryptionKeyPair.generate().public_b64())
    elif how == "other_aad":
        item = application(enc, aad=new_key().encode())
    else:
        item = application(enc)
        ct = item["envelope"]["ciphertext"]
        item["envelope"]["ciphertext"] = ("A" if ct[0] != "A" else "B") + ct[1:]
    result = kiosk.batch([item]).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"] == "envelope_unreadable"
    assert re.search(r"[\u4e00-\u9fff]", result["reason"])
    assert platform.state.applications() == []
    single = kiosk.submit(application(EncryptionKeyPair.generate().public_b64()))
    assert single.status_code == 201
    assert single.json()["status"] == "rejected"


@pytest.mark.parametrize("change", [
    {"service_code": "not-a-code"}, {"envelope": "x"}, {"attachments": ["abc"]},
    {"channel": {"kind": "teleport"}}, {"provisional_no": None},
])
def test_malformed_items_are_rejected(kiosk: SignedClient, enc: str,
                                      change: dict[str, object]) -> None:
    result = kiosk.batch([{**application(enc), **change}]).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["error"] == "bad_request"


def _status(kiosk: SignedClient, cursor: int,
            limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    r = kiosk.get(f"{API}/status?cursor={cursor}&limit={limit}")
    assert r.status_code == 200, r.text
    data = r.json()
    return data["updates"], data["next_cursor"]


def test_status_feed_pages_by_cursor_and_advances_on_polls(platform: PlatformServer,
                                                           kiosk: SignedClient,
                                                           enc: str) -> None:
    a, b = application(enc), application(enc)
    case_a, case_b = _submit(kiosk, a)["case_no"], _submit(kiosk, b)["case_no"]
    updates, cursor = _status(kiosk, 0)
    assert [(u["case_no"], u["state"]) for u in updates] == [(case_a, "submitted"),
                                                            (case_b, "submitted")]
    assert updates[0]["provisional_no"] == a["provisional_no"]
    assert updates[0]["idempotency_key"] == a["idempotency_key"]
    assert cursor == updates[-1]["seq"]
    assert _status(kiosk, cursor) == ([], cursor)
    platform.state.set_advancement(accept_after_s=0, complete_after_s=None)
    page, cursor2 = _status(kiosk, cursor, limit=1)
    assert [(u["case_no"], u["state"], u["reason"]) for u in page] == [
        (case_a, "accepted", "材料齐全，予以受理")]
    page2, cursor3 = _status(kiosk, cursor2, limit=1)
    assert [(u["case_no"], u["state"]) for u in page2] == [(case_b, "accepted")]
    platform.state.set_advancement(accept_after_s=0, complete_after_s=0)
    done, cursor4 = _status(kiosk, cursor3)
    assert [(u["state"]) for u in done] == ["completed", "completed"]
    seqs = [u["seq"] for u in updates + page + page2 + done]
    assert seqs == sorted(set(seqs))  # strictly increasing
    assert cursor4 == seqs[-1]


def test_advancement_happens_only_when_the_kiosk_polls(platform: PlatformServer,
                                                       kiosk: SignedClient, enc: str) -> None:
    platform.state.set_advancement(accept_after_s=0, complete_after_s=None)
    item = application(enc)
    _submit(kiosk, item)
    assert platform.state.lookup(item["provisional_no"])["state"] == "submitted"  # type: ignore[index]
    r = kiosk.get(f"{API}/applications/lookup?no={item['provisional_no']}")
    assert r.json()["state"] == "accepted"


def test_status_feed_shows_only_this_kiosks_applications(platform: PlatformServer,
                                                         kiosk: SignedClient, enc: str) -> None:
    other, _ = enroll(platform.url, "TEST0002", platform.state.mint_enrollment_token())
    _submit(other, application(enc))
    assert _status(kiosk, 0) == ([], 0)
    assert len(_status(other, 0)[0]) == 1
    other.close()


def test_lookup_by_provisional_or_case_number(platform: PlatformServer, kiosk: SignedClient,
                                              enc: str) -> None:
    item = application(enc)
    case_no = _submit(kiosk, item)["case_no"]
    for no in (item["provisional_no"], case_no):
        r = kiosk.get(f"{API}/applications/lookup?no={no}")
        assert r.status_code == 200
        found = r.json()
        assert (found["case_no"], found["provisional_no"]) == (case_no, item["provisional_no"])
        assert found["state"] == "submitted" and found["state_name"] == "已上报"
    r = kiosk.get(f"{API}/applications/lookup?no=520100-QR00107002-20200101-000001")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    other, _ = enroll(platform.url, "TEST0002", platform.state.mint_enrollment_token())
    assert other.get(f"{API}/applications/lookup?no={case_no}").status_code == 404
    other.close()


@pytest.mark.parametrize(("state", "reason"), [
    ("needs_correction", "请补充提交户口簿首页复印件"),
    ("refused", "申请人不符合本市户籍迁入条件"),
])
def test_admin_sets_a_state_with_a_reason(platform: PlatformServer, kiosk: SignedClient,
                                          admin: requests.Session, enc: str, state: str,
                                          reason: str) -> None:
    item = application(enc)
    case_no = _submit(kiosk, item)["case_no"]
    r = admin.post(f"{platform.url}/admin/applications/{case_no}/state",
                   json={"state": state, "reason": reason})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["reason"]) == (state, reason)
    updates, _ = _status(kiosk, 0)
    assert (updates[-1]["state"], updates[-1]["reason"]) == (state, reason)
    listed = admin.get(f"{platform.url}/admin/applications").json()["applications"]
    assert [(a["case_no"], a["state"]) for a in listed] == [(case_no, state)]
    bad = admin.post(f"{platform.url}/admin/applications/{case_no}/state", json={"state": "x"})
    assert bad.status_code == 400
    unknown = admin.post(f"{platform.url}/admin/applications/NOPE/state",
                         json={"state": "refused"})
    assert unknown.status_code == 404


def test_rating_is_one_per_case(platform: PlatformServer, kiosk: SignedClient,
                                enc: str) -> None:
    item = application(enc)
    case_no = _submit(kiosk, item)["case_no"]
    first = event("rating", {"provisional_no": item["provisional_no"],
                             "service_code": "QR00107002", "level": 5, "reasons": [],
                             "comment": "", "channel": "self_service_terminal"})
    second = event("rating", {"case_no": case_no, "service_code": "QR00107002", "level": 1,
                              "reasons": ["等待时间长"], "comment": "",
                              "channel": "self_service_terminal"})
    results = kiosk.batch([first], kind="events").json()["results"]
    assert results[0]["status"] == "accepted"
    again = kiosk.batch([second, first], kind="events").json()["results"]
    assert [r["status"] for r in again] == ["conflict", "duplicate"]
    assert again[0]["error"] == "rating_exists"
    assert len(platform.state.events("rating")) == 1


def test_event_kinds(platform: PlatformServer, kiosk: SignedClient,
                     admin: requests.Session) -> None:
    heartbeat = {"queue_depth": {"pending": 3}, "oldest_unsent_age_s": 120,
                 "devices": {"idcard": "ok", "printer": "fault"}, "version": "0.1.0",
                 "catalogue_version": "2025.06.1", "free_disk_bytes": 10 ** 9}
    items = [
        event("help_request", {"screen": "form", "service_code": "QR00107002",
                               "hall_name": "测试大厅"}),
        event("heartbeat", heartbeat),
        event("audit", {"seq": 1, "prev_hash": "0" * 64, "hash": "a" * 64,
                        "actor": "tech-01", "action": "maintenance.login", "detail": {}}),
        event("teleport", {}),
        event("rating", {"provisional_no": "X", "level": 9}),
        event("audit", {"seq": "one", "hash": "h"}),
    ]
    results = kiosk.batch(items, kind="events").json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * 3 + ["rejected"] * 3
    kiosks = admin.get(f"{platform.url}/admin/kiosks").json()["kiosks"]
    assert kiosks[0]["last_heartbeat"] == heartbeat
    kinds = [e["kind"] for e in admin.get(f"{platform.url}/admin/events").json()["events"]]
    assert kinds == ["help_request", "heartbeat", "audit"]


def test_admin_needs_the_token(platform: PlatformServer) -> None:
    r = requests.get(f"{platform.url}/admin/applications", timeout=10)
    assert r.status_code == 401
    r = requests.get(f"{platform.url}/admin/applications", timeout=10,
                     headers={"X-Admin-Token": "wrong"})
    assert r.status_code == 401


def test_admin_mints_tokens_and_reports_stats(platform: PlatformServer, kiosk: SignedClient,
                                              admin: requests.Session, enc: str) -> None:
    token = admin.post(f"{platform.url}/admin/enrollment-tokens").json()["token"]
    assert enroll(platform.url, "TEST0003", token)[1].status_code == 201
    item = application(enc)
    for _ in range(3):
        kiosk.batch([item])
    stats = admin.get(f"{platform.url}/admin/stats").json()
    assert stats["applications"] == 1
    assert stats["duplicates_detected"] == 2
    assert stats["total_requests"] >= 5
    per_second = stats["requests_per_second"]
    assert sum(per_second.values()) == stats["total_requests"]
    assert stats["peak_per_second"] >= stats["mean_per_second"] > 0
