"""需补正 on the platform: a correction request travels with the status update; a
resubmission (``supersedes``) joins its case — same case number, no second case — or is
rejected with a reason; replaying it adds nothing."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import requests
import yaml

from refplatform import PlatformServer
from refplatform.store import DEMO_CORRECTIONS
from tests.conftest import ROOT
from tests.refplatform.client import API, SignedClient, application, enroll

SPEC: dict[str, Any] = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text("utf-8"))

REQUEST = {"fields": ["reason"], "materials": ["hukou_booklet"],
           "note_zh": "请补充户口簿首页复印件"}


@pytest.fixture
def enc(platform: PlatformServer) -> str:
    return platform.state.encryption_public_b64


def _valid(instance: Any, schema_name: str) -> Any:
    """``instance``, after checking it against docs/openapi.yaml."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": SPEC["components"]}
    jsonschema.Draft202012Validator(schema).validate(instance)
    return instance


def _result(kiosk: SignedClient, item: dict[str, Any], *,
            well_formed: bool = True) -> dict[str, Any]:
    if well_formed:
        _valid(item, "ApplicationItem")
    r = kiosk.batch([item])
    assert r.status_code == 200, r.text
    result: dict[str, Any] = _valid(r.json(), "BatchResults")["results"][0]
    return result


def _updates(kiosk: SignedClient, cursor: int = 0) -> list[dict[str, Any]]:
    feed = _valid(kiosk.get(f"{API}/status?cursor={cursor}").json(), "StatusFeed")
    updates: list[dict[str, Any]] = feed["updates"]
    return updates


def _case(kiosk: SignedClient, enc: str) -> tuple[dict[str, Any], dict[str, Any]]:
    item = application(enc)
    result = _result(kiosk, item)
    assert result["status"] == "accepted"
    return item, result


def test_admin_asks_for_a_correction_and_the_status_update_carries_it(
        platform: PlatformServer, kiosk: SignedClient, admin: requests.Session,
        enc: str) -> None:
    item, result = _case(kiosk, enc)
    r = admin.post(f"{platform.url}/admin/applications/{result['case_no']}/state",
                   json={"state": "needs_correction", "reason": "材料不齐全，请补正",
                         "correction": REQUEST})
    assert r.status_code == 200, r.text
    assert r.json()["correction"] == REQUEST
    last = _updates(kiosk)[-1]
    assert last["state"] == "needs_correction" and last["correction"] == REQUEST
    assert last["idempotency_key"] == item["idempotency_key"]
    assert "correction" not in _updates(kiosk)[0]  # only the update that asks carries one
    found = _valid(kiosk.get(f"{API}/applications/lookup?no={result['case_no']}").json(),
                   "Lookup")
    assert found["correction"] == REQUEST


@pytest.mark.parametrize("body", [
    {"state": "accepted", "correction": REQUEST},
    {"state": "needs_correction", "correction": {"fields": "reason"}},
    {"state": "needs_correction", "correction": {"fields": ["x"], "name": "张三"}},
    {"state": "needs_correction", "correction": {}},
])
def test_a_bad_correction_request_is_refused(platform: PlatformServer, kiosk: SignedClient,
                                             admin: requests.Session, enc: str,
                                             body: dict[str, Any]) -> None:
    _, result = _case(kiosk, enc)
    r = admin.post(f"{platform.url}/admin/applications/{result['case_no']}/state", json=body)
    assert r.status_code == 400 and r.json()["error"] == "bad_request"
    assert platform.state.lookup(result["case_no"])["state"] == "submitted"  # type: ignore[index]


def test_a_resubmission_joins_its_case_and_a_replay_adds_nothing(
        platform: PlatformServer, kiosk: SignedClient, enc: str) -> None:
    item, result = _case(kiosk, enc)
    platform.state.set_application_state(result["case_no"], "needs_correction",
                                         correction=REQUEST)
    fix = application(enc, payload=b'{"form": {"reason": "corrected"}}')
    fix.update(supersedes=item["idempotency_key"], case_no=result["case_no"])
    got = _result(kiosk, fix)
    assert got["status"] == "accepted" and got["case_no"] == result["case_no"]
    assert got["state"] == "submitted" and got["supersedes"] == item["idempotency_key"]
    replay = _result(kiosk, fix)
    assert replay["status"] == "duplicate" and replay["case_no"] == result["case_no"]
    [case] = platform.state.applications()
    assert _valid(case, "AdminApplication")["resubmissions"] == 1
    assert case["state"] == "submitted"
    assert platform.state.stats()["applications"] == 1
    # the case's status feed: submitted, needs_correction, submitted again — once
    assert [u["state"] for u in _updates(kiosk)] == ["submitted", "needs_correction",
                                                     "submitted"]
    assert _updates(kiosk)[-1]["idempotency_key"] == item["idempotency_key"]
    # the resubmission is found by its own number and opens with its own key
    assert platform.state.open_application(fix["provisional_no"]) \
        == b'{"form": {"reason": "corrected"}}'
    lookup = _valid(kiosk.get(f"{API}/applications/lookup?no={fix['provisional_no']}").json(),
                    "Lookup")
    assert lookup["case_no"] == result["case_no"]
    assert lookup["resubmissions"] == [{"idempotency_key": fix["idempotency_key"],
                                        "provisional_no": fix["provisional_no"]}]


def test_a_resubmission_is_rejected_with_a_reason_when_it_names_no_correctable_case(
        platform: PlatformServer, kiosk: SignedClient, enc: str) -> None:
    item, result = _case(kiosk, enc)
    other, r = enroll(platform.url, "OTHER001", platform.state.mint_enrollment_token())
    assert r.status_code == 201
    theirs = application(enc)
    assert _result(other, theirs)["status"] == "accepted"
    platform.state.set_application_state(theirs["idempotency_key"], "needs_correction")
    other.close()

    def fix(*, well_formed: bool = True, **fields: Any) -> dict[str, Any]:
        out = application(enc)
        out.update(fields)
        return _result(kiosk, out, well_formed=well_formed)

    unknown = fix(supersedes="7d3c9a52-6f0e-4b8e-9a51-0c7f2d1e4b36")
    another_kiosks = fix(supersedes=theirs["idempotency_key"])
    for got in (unknown, another_kiosks):
        assert got["status"] == "rejected" and got["error"] == "supersedes_unknown"
        assert got["reason"] == "未找到需要补正的原办件，补正材料不予接收"
    not_asked = fix(supersedes=item["idempotency_key"])
    assert not_asked["error"] == "not_awaiting_correction"
    assert not_asked["reason"] == "原办件当前为“已上报”，不需要补正"
    platform.state.set_application_state(item["idempotency_key"], "needs_correction")
    wrong_case = fix(supersedes=item["idempotency_key"],
                     case_no="520100-QR00107002-20261122-999999")
    assert wrong_case["error"] == "supersedes_mismatch"
    wrong_service = fix(supersedes=item["idempotency_key"], service_code="GF00201001")
    assert wrong_service["error"] == "supersedes_mismatch"
    assert fix(supersedes="not-a-key", well_formed=False)["error"] == "bad_request"
    # nothing changed: the case still waits for its correction, no case was added
    assert platform.state.lookup(result["case_no"])["state"] == "needs_correction"  # type: ignore[index]
    assert platform.state.stats()["applications"] == 2
    assert all(a["resubmissions"] == 0 for a in platform.state.applications())


def test_two_resubmissions_in_one_batch_take_the_case_once(
        platform: PlatformServer, kiosk: SignedClient, enc: str) -> None:
    item, result = _case(kiosk, enc)
    platform.state.set_application_state(result["case_no"], "needs_correction")
    fixes = [application(enc), application(enc)]
    for f in fixes:
        f["supersedes"] = item["idempotency_key"]
    results = kiosk.batch(fixes).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[1]["error"] == "not_awaiting_correction"


def test_demo_advancement_asks_once_for_a_correction_of_the_demo_service(
        platform: PlatformServer, kiosk: SignedClient, enc: str) -> None:
    platform.state.demo_corrections = DEMO_CORRECTIONS
    platform.state.set_advancement(accept_after_s=0, complete_after_s=None)
    permit = application(enc, service_code="GF00109001")
    other = application(enc)
    for item in (permit, other):
        assert _result(kiosk, item)["status"] == "accepted"
    updates = _updates(kiosk)  # the poll advances
    asked = [u for u in updates if u["idempotency_key"] == permit["idempotency_key"]]
    assert [u["state"] for u in asked] == ["submitted", "needs_correction"]
    assert asked[-1]["correction"] == DEMO_CORRECTIONS["GF00109001"]["correction"]
    assert platform.state.lookup(other["provisional_no"])["state"] == "accepted"  # type: ignore[index]
    fix = application(enc, service_code="GF00109001")
    fix["supersedes"] = permit["idempotency_key"]
    assert _result(kiosk, fix)["status"] == "accepted"
    _updates(kiosk)
    # corrected once: accepted now, not asked again
    assert platform.state.lookup(permit["provisional_no"])["state"] == "accepted"  # type: ignore[index]
