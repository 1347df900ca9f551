"""Issue 6: identification by an e-ID / appointment QR code and e-licences pulled from the
platform, through the view-models against the embedded reference platform on loopback;
the simulated citizen camera shows the QR codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from devices.camera.simulated import render_scene
from kiosk.idcheck import id_check_char
from kiosk.redaction import redact
from tests.ui.journey_helpers import (
    finish_session,
    identify,
    kiosk_window,
    link_down,
    link_up,
    pull_licence,
    submit,
    to_review,
)
from ui.identify import MSG_QR_OFFLINE

NAME = "王芳"
HOLDER = "52010219880512" + "246"  # sequence 246: every e-licence, valid
HOLDER += id_check_char(HOLDER)
NOBODY = "52010219850101" + "567"  # sequence 567: only 身份证 and 户口簿 e-licences
NOBODY += id_check_char(NOBODY)


def show_qr(kw: Any, text: str) -> None:
    """The phone held up to the camera, moving a little (OpenCV misses a rare frame)."""
    camera = kw.devices.camera
    frame = render_scene("qr", camera.width, camera.height, text)[0]
    h, w = frame.shape[:2]
    closer = cv2.resize(frame, None, fx=1.25, fy=1.25)[(h // 8):(h // 8) + h, (w // 8):(w // 8) + w]
    camera.set_frames([frame, np.ascontiguousarray(closer), cv2.GaussianBlur(frame, (3, 3), 0)])


def qr_row(kw: Any) -> dict[str, Any]:
    return next(r for r in kw.view_model.identify_vm.methods if r["method"] == "qr")


def identify_by_qr(qtbot: Any, kw: Any, core: Any, code: str, *, name: str = NAME,
                   id_number: str = HOLDER) -> str:
    vm, idv = kw.view_model, kw.view_model.identify_vm
    if vm.screen == "attract":
        vm.wake()
    vm.openService(code)
    vm.startApplication()
    assert vm.screen == "identify"
    assert qr_row(kw)["available"], qr_row(kw)
    token = core.platform.state.issue_identity_token(name, id_number)
    show_qr(kw, "EID:" + token)
    idv.startQrScan()
    assert idv.scanning
    qtbot.waitUntil(lambda: bool(idv.hasIdentity), timeout=15000)
    assert not idv.scanning and idv.error == ""
    kw.devices.camera.set_frames(None)
    return str(token)


def sealed(core: Any, provisional_no: str) -> dict[str, Any]:
    data = core.platform.state.open_application(provisional_no)
    assert data is not None
    return dict(json.loads(data))


def test_journey_identified_by_qr_code_carries_that_identity_to_the_platform(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm, idv = kw.view_model, kw.view_model.identify_vm
        link_up(qtbot, kw, core)
        identify_by_qr(qtbot, kw, core, "QR00107002")
        assert idv.source == "eid" and idv.cardLabel == "电子身份凭证"
        assert idv.maskedName == "王*" and idv.maskedId == HOLDER[:3] + "*" * 11 + HOLDER[-4:]
        assert NAME not in redact(f"申请人 {NAME}")  # registered for log redaction
        log_text = "".join(p.read_text("utf-8", "replace")
                           for p in (tmp_path / "logs").glob("*") if p.is_file()) \
            if (tmp_path / "logs").is_dir() else ""
        assert NAME not in log_text and HOLDER not in log_text
        vm.completeStep()
        rows = {r["fieldId"]: r for r in vm.form_vm._model.rows()}
        prefilled = [r for r in rows.values() if r["fromCard"]]
        assert prefilled and all(r["locked"] for r in prefilled)  # the platform vouches
        vm.goBack()
        to_review(qtbot, kw, "QR00107002", card="none")
        submit(qtbot, kw)
        assert vm.screen == "result"
        sub = vm.submission_vm
        assert sub.caseNo.startswith("520100-QR00107002")
        payload = sealed(core, sub.provisionalNo)
        applicant = payload["applicant"]
        assert (applicant["name"], applicant["id_number"]) == (NAME, HOLDER)
        assert applicant["extra"]["identified_by"] == "eid"
        item = core.platform.state.lookup(sub.provisionalNo)
        assert item is not None
        finish_session(qtbot, kw)
        assert vm.citizen.identity is None
        assert NAME in redact(f"申请人 {NAME}")  # released at the wipe


def test_a_used_or_expired_code_is_refused_and_the_cards_still_work(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm, idv = kw.view_model, kw.view_model.identify_vm
        link_up(qtbot, kw, core)
        token = identify_by_qr(qtbot, kw, core, "GF00109001")
        idv.useAnotherCard()  # the same code shown again: it resolved once already
        show_qr(kw, "EID:" + token)
        idv.startQrScan()
        qtbot.waitUntil(lambda: bool(idv.error), timeout=15000)
        assert "已使用" in idv.error and not idv.hasIdentity and not idv.busy
        vm.setLanguage("en")
        assert "already used" in idv.error
        vm.setLanguage("zh_CN")

        expired = core.platform.state.issue_identity_token(NAME, HOLDER, ttl_s=0.01)
        qtbot.wait(50)
        show_qr(kw, "YY:" + expired)
        idv.startQrScan()
        qtbot.waitUntil(lambda: "过期" in idv.error, timeout=15000)
        assert not idv.hasIdentity

        show_qr(kw, "BJ:DEMO0001-20261122-000017-K")  # a receipt, not an identity code
        idv.startQrScan()
        qtbot.waitUntil(lambda: "不是身份核验二维码" in idv.message, timeout=15000)
        assert idv.scanning
        idv.stopQrScan()
        kw.devices.camera.set_frames(None)

        assert all(r["available"] for r in idv.methods)  # nothing else was taken away
        idv.simulatePlaceIdCard()
        qtbot.waitUntil(lambda: bool(idv.hasIdentity), timeout=5000)
        assert idv.source == "idcard"


def test_platform_unreachable_while_resolving_says_so(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        idv = kw.view_model.identify_vm
        link_up(qtbot, kw, core)
        vm = kw.view_model
        vm.wake()
        vm.openService("GF00109001")
        vm.startApplication()
        token = core.platform.state.issue_identity_token(NAME, HOLDER)
        core.platform.inject("reset", path_prefix="/api/v1/identity", count=1)
        show_qr(kw, "EID:" + token)
        idv.startQrScan()
        qtbot.waitUntil(lambda: bool(idv.error), timeout=15000)
        assert "无法连接" in idv.error and not idv.hasIdentity
        kw.devices.camera.set_frames(None)


def test_qr_method_is_disabled_with_the_reason_when_the_link_is_down(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm, idv = kw.view_model, kw.view_model.identify_vm
        link_up(qtbot, kw, core)
        vm.wake()
        vm.openService("GF00109001")
        vm.startApplication()
        assert qr_row(kw)["available"] and idv.qrAvailable
        link_down(qtbot, kw, core)
        row = qr_row(kw)
        assert not row["available"] and row["reason"] == MSG_QR_OFFLINE
        assert not idv.qrAvailable
        idv.startQrScan()
        assert not idv.scanning and idv.error == MSG_QR_OFFLINE
        vm.setLanguage("en")
        assert "cannot be reached" in qr_row(kw)["reason"]
        vm.setLanguage("zh_CN")
        assert next(r for r in idv.methods if r["method"] == "idcard")["available"]
        core.platform.clear_faults()  # back up: the method comes back
        link_up(qtbot, kw, core)
        assert qr_row(kw)["available"]


def test_demo_button_shows_a_fresh_token_on_the_simulated_camera(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm, idv = kw.view_model, kw.view_model.identify_vm
        link_up(qtbot, kw, core)
        vm.wake()
        vm.openService("GF00109001")
        vm.startApplication()
        idv.simulateShowEidQr()
        qtbot.waitUntil(lambda: bool(idv.hasIdentity), timeout=15000)
        assert idv.source == "eid" and idv.maskedName == "李*"
        assert kw.devices.camera._script is None  # the demo camera shows the face again


def test_elicence_pulled_during_materials_is_sealed_at_level_a_and_on_the_receipt(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        link_up(qtbot, kw, core)
        service = vm._catalogue.service("QR00107002")
        identify(qtbot, kw, "QR00107002")
        vm.completeStep()
        from tests.ui.journey_helpers import fill_form

        fill_form(kw, service)
        vm.completeStep()
        mats = vm.materials_vm
        row = next(r for r in mats.rows if r["materialId"] == "hukou_book")
        assert row["choice"] != "elicence"  # nothing is claimed before the platform answers
        assert "elicence" in [c["key"] for c in row["choices"]]
        pull_licence(qtbot, kw, "hukou_book")
        row = next(r for r in mats.rows if r["materialId"] == "hukou_book")
        assert row["licenceNo"].startswith("DZZZ-520102-HKB-") and row["licenceIssuer"]
        vm.goBack()  # back and forth: the pulled licence stays
        vm.completeStep()
        assert vm.citizen.materials["hukou_book"] == "elicence"
        vm.goBack()
        vm.goBack()
        assert vm.screen == "identify"
        to_review(qtbot, kw, "QR00107002", card="none")  # form already filled: kept
        assert any(r["value"] == "电子证照（已调取）" for r in vm.review_vm.rows)
        submit(qtbot, kw)
        assert vm.screen == "result"
        sub = vm.submission_vm
        payload = sealed(core, sub.provisionalNo)
        [hukou] = [m for m in payload["materials"] if m["material_id"] == "hukou_book"]
        assert hukou["trust_level"] == "A"
        reference = json.loads(hukou["reference"])
        assert reference["type"] == "户口簿电子证照"
        assert reference["licence_no"] == row["licenceNo"]
        assert len(reference["sha256"]) == 64 and reference["issuer"]
        item = core.platform.state.store.application_item(sub.provisionalNo)
        assert {"material_id": "hukou_book", "trust_level": "A"}.items() <= next(
            m for m in item["meta"]["materials"] if m["material_id"] == "hukou_book").items()
        receipt = vm.submission_vm._receipt_data()
        lines = {m.material_id: m for m in receipt.received_materials}
        assert lines["hukou_book"].trust_level == "A"


def test_elicence_not_held_or_expired_leaves_the_other_ways(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        link_up(qtbot, kw, core)
        identify_by_qr(qtbot, kw, core, "QR00107001", id_number=NOBODY)
        vm.completeStep()
        from tests.ui.journey_helpers import fill_form

        fill_form(kw, vm._catalogue.service("QR00107001"))
        vm.completeStep()
        assert vm.screen == "materials"
        mats = vm.materials_vm
        before = vm.citizen.materials["marriage_certificate"]
        mats.choose("marriage_certificate", "elicence")
        qtbot.waitUntil(lambda: not mats.pulling, timeout=10000)
        row = next(r for r in mats.rows if r["materialId"] == "marriage_certificate")
        assert "未查询到" in row["licenceError"] and row["choice"] == before != "elicence"
        assert {"scan", "window"} <= {c["key"] for c in row["choices"]}
        pull_licence(qtbot, kw, "hukou_book")  # 户口簿 every valid ID holds
        assert mats.complete()


def test_link_down_takes_the_elicence_option_away_and_loses_nothing(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        link_up(qtbot, kw, core)
        identify(qtbot, kw, "QR00107002")
        vm.completeStep()
        from tests.ui.journey_helpers import fill_form, scan_material

        fill_form(kw, vm._catalogue.service("QR00107002"))
        vm.completeStep()
        mats = vm.materials_vm
        pull_licence(qtbot, kw, "hukou_book")
        scan_material(qtbot, kw, "move_in_proof")
        link_down(qtbot, kw, core)
        rows = {r["materialId"]: r for r in mats.rows}
        assert rows["hukou_book"]["choice"] == "elicence" and rows["hukou_book"]["licenceNo"]
        assert rows["move_in_proof"]["choice"] == "scan" and rows["move_in_proof"]["scanned"]
        assert "elicence" not in [c["key"] for c in rows["idcard"]["choices"]]
        assert rows["idcard"]["offlineNote"]  # the reason: 联网时可调取…，当前离线暂不可用
        assert mats.complete()
        # a licence chosen while the link is down is refused with the reason, not claimed
        mats.choose("idcard", "elicence")
        assert vm.citizen.materials["idcard"] != "elicence" and not mats.pulling
        vm.completeStep()
        if vm.screen == "face":
            vm.face_vm.setConsent(True)
            vm.face_vm.capture()
            qtbot.waitUntil(lambda: bool(vm.face_vm.captured), timeout=15000)
            vm.completeStep()
        from tests.ui.journey_helpers import SIGNATURE

        vm.signature_vm.setCanvasSize(800, 400)
        vm.signature_vm.addStroke(SIGNATURE)
        vm.completeStep()
        for which in ("personal", "sensitive", "commitment"):
            vm.consent_vm.setConsent(which, True)
        vm.completeStep()
        submit(qtbot, kw)
        sub = vm.submission_vm
        assert vm.screen == "result" and sub.caseNo == ""  # queued while offline
        core.platform.clear_faults()
        assert core.sync is not None
        core.sync.worker.run_once(pull_status=True)
        payload = sealed(core, sub.provisionalNo)
        levels = {m["material_id"]: m["trust_level"] for m in payload["materials"]}
        assert levels["hukou_book"] == "A" and levels["move_in_proof"] == "C"
        assert "idcard" not in levels  # brought to the window
