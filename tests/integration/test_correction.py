"""需补正 and 代办 end to end: the real outbox, client and worker against the reference
platform on loopback."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import pytest
import requests

from kiosk.crypto import open_attachment, unwrap_data_key
from sync.models import ItemState
from sync.outbox import (
    Channel,
    CorrectionNotAllowedError,
    CorrectionRequest,
    MaterialInput,
    Person,
)
from tests.integration.conftest import Rig, draft

REQUEST = {"fields": ["reason"], "materials": ["m0"], "note_zh": "请补充户口簿首页复印件"}


def delivered_case(rig: Rig) -> tuple[str, str]:
    receipt = rig.outbox.submit_application(draft(1))
    assert rig.worker.run_once(pull_status=False).delivered == 1
    view = rig.outbox.application(receipt.key)
    assert view is not None and view.case_no
    return receipt.key, view.case_no


def ask_for_correction(rig: Rig, case_no: str) -> None:
    r = requests.post(f"{rig.platform.url}/admin/applications/{case_no}/state",
                      headers={"X-Admin-Token": rig.platform.admin_token}, timeout=10,
                      json={"state": "needs_correction", "reason": "材料不齐全，请补正",
                            "correction": REQUEST})
    assert r.status_code == 200, r.text
    rig.worker.run_once(pull_status=True)


def test_needs_correction_arrives_with_its_request_and_is_stored(rig: Rig) -> None:
    key, case_no = delivered_case(rig)
    ask_for_correction(rig, case_no)
    view = rig.outbox.lookup(case_no)
    assert view is not None and view.key == key
    assert view.state is ItemState.NEEDS_CORRECTION and view.state_label == "需补正"
    assert view.reason_zh == "材料不齐全，请补正"
    assert view.correction == CorrectionRequest(("reason",), ("m0",), "请补充户口簿首页复印件")


def test_a_resubmission_is_delivered_into_the_same_case_exactly_once(rig: Rig) -> None:
    key, case_no = delivered_case(rig)
    ask_for_correction(rig, case_no)
    fix = rig.outbox.submit_correction(case_no, draft(2), client_ref="fix")
    assert fix.key != key and fix.supersedes == key and fix.case_no == case_no
    # the acknowledgement of the first attempt is lost: the kiosk resends, the platform
    # answers duplicate, and nothing is added
    rig.platform.inject("drop_after_commit", path_prefix="/api/v1/applications", count=1)
    rig.drain()
    [case] = rig.platform.state.applications()
    assert case["case_no"] == case_no and case["idempotency_key"] == key
    assert case["resubmissions"] == 1 and case["state"] == "submitted"
    stats = rig.platform.state.stats()
    assert stats["applications"] == 1 and stats["replays"] == 1
    opened = json.loads(rig.platform.state.open_application(fix.provisional_no) or b"{}")
    assert opened["supersedes"] == key and opened["case_no"] == case_no
    assert opened["form"] == {"reason": "工作调动 2"}

    # locally: the correction is delivered and shows the case's number; the case follows
    # the platform back to 已上报, then on to 已受理
    correction = rig.outbox.lookup(fix.provisional_no)
    assert correction is not None and correction.state is ItemState.SUBMITTED
    assert correction.case_no == case_no and correction.supersedes == key
    rig.worker.run_once(pull_status=True)
    original = rig.outbox.application(key)
    assert original is not None and original.state is ItemState.SUBMITTED
    assert original.superseded_by == (fix.key,)
    assert [h.to_state for h in original.history][-3:] == [
        ItemState.NEEDS_CORRECTION, ItemState.NEEDS_CORRECTION, ItemState.SUBMITTED]
    assert fix.provisional_no in original.history[-2].reason_zh
    rig.platform.state.set_application_state(case_no, "accepted")
    rig.worker.run_once(pull_status=True)
    assert rig.outbox.lookup(case_no).state is ItemState.ACCEPTED  # type: ignore[union-attr]
    # replaying the same draft locally writes nothing either
    again = rig.outbox.submit_correction(case_no, draft(2), client_ref="fix")
    assert again.resubmitted and again.key == fix.key
    assert rig.platform.state.stats()["applications"] == 1


def test_a_resubmission_is_refused_on_the_kiosk_unless_the_case_needs_correcting(
        rig: Rig) -> None:
    _, case_no = delivered_case(rig)
    with pytest.raises(CorrectionNotAllowedError) as err:
        rig.outbox.submit_correction(case_no, draft(2))
    assert err.value.user_message == "该办件当前状态为“已上报”，不需要补正"
    assert rig.outbox.stats().undelivered == 0


def test_the_platform_rejects_a_resubmission_whose_case_moved_on(rig: Rig) -> None:
    key, case_no = delivered_case(rig)
    ask_for_correction(rig, case_no)
    # staff accept the case at the window before the kiosk hears of it
    rig.platform.state.set_application_state(case_no, "accepted")
    fix = rig.outbox.submit_correction(key, draft(2))
    report = rig.worker.run_once(pull_status=False)
    assert report.dead_lettered == 1
    view = rig.outbox.application(fix.key)
    assert view is not None and view.state is ItemState.DEAD_LETTER
    assert view.reason_zh == "原办件当前为“已受理”，不需要补正"
    assert "not_awaiting_correction" in (view.last_error or "")
    assert rig.platform.state.applications()[0]["resubmissions"] == 0


def test_a_proxy_application_reaches_the_platform_with_principal_agent_letter_and_signatures(
        rig: Rig) -> None:
    agent = Person("欧阳娜娜", "110105194912310021", phone="13900001111")
    d = draft(3)
    d = dataclasses.replace(
        d, channel=Channel("assisted", staff_id="GY-0042", proxy_relationship="子女",
                           agent=agent, authorisation_material_id="letter",
                           agent_signature=b"PNG agent"),
        signature=b"PNG principal", entered_by={"reason": "staff:GY-0042"},
        materials=[*d.materials, MaterialInput("letter", "B", b"letter scan", name="授权委托书")])
    receipt = rig.outbox.submit_application(d)
    assert rig.worker.run_once(pull_status=False).delivered == 1
    view = rig.outbox.application(receipt.key)
    assert view is not None and view.proxy and view.state is ItemState.SUBMITTED
    assert [m.material_id for m in view.materials] == ["m0", "letter"]
    item = rig.platform.state.store.application_item(receipt.provisional_no)
    assert item is not None
    assert item["channel"]["proxy"] == {"relationship": "子女", "authorisation_material": "letter"}
    assert "欧阳" not in json.dumps({k: v for k, v in item.items() if k != "envelope"},
                                   ensure_ascii=False)
    sealed = json.loads(rig.platform.state.open_application(receipt.provisional_no) or b"{}")
    assert sealed["applicant"]["name"] == "张三丰"
    assert sealed["agent"] == agent.as_dict()
    assert sealed["proxy"] == {"relationship": "子女", "authorisation_material_id": "letter"}
    assert [m["material_id"] for m in sealed["materials"]] == ["m0", "letter"]
    assert sealed["entered_by"] == {"reason": "staff:GY-0042"}
    # every attachment, signatures included, was uploaded and opens with the data key
    data_key = unwrap_data_key(item["envelope"], rig.platform.state.encryption_key,
                               aad=receipt.key.encode())
    signatures = {s["role"]: open_attachment(
        rig.platform.state.store.attachment_bytes(s["attachment"]) or b"", data_key)
        for s in item["meta"]["signatures"]}
    assert signatures == {"applicant": b"PNG principal", "agent": b"PNG agent"}
    letter = next(m for m in item["meta"]["materials"] if m["material_id"] == "letter")
    assert open_attachment(rig.platform.state.store.attachment_bytes(letter["attachment"])
                           or b"", data_key) == b"letter scan"
    assert Counter(a["idempotency_key"] for a in rig.platform.state.applications()) \
        == Counter({receipt.key: 1})
