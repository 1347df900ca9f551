"""帮办代办 through the view-models and the real QML: staff log-in with the (simulated)
staff card and PIN on the help screen, the hand-off of a citizen's draft with per-field
attribution, the terminal's queue (filter, details, 重新上报, 补打), the 日终汇总 A4,
and a 需补正 case reopened and resubmitted under the same case — against the reference
platform on loopback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from devices.smartcard.simulated import SimulatedStaffCard
from tests.ui.journey_helpers import (
    SIGNATURE,
    fill_form,
    identify,
    kiosk_window,
    link_down,
    link_up,
    scan_material,
    sign_and_consent,
    submit,
    to_review,
)
from tests.ui.test_screens import check_text, check_touch_targets, grab

PIN = "123456"  # the demo staff member's PIN (docs/staff.md)


def staff_login(qtbot: Any, kw: Any, pin: str = PIN) -> Any:
    vm = kw.view_model
    staff = vm.staff_vm
    vm.callHelp()
    assert vm.screen == "help"
    staff.openLogin()
    assert staff.panel == "login"
    kw.devices.smartcard.insert(SimulatedStaffCard.demo())
    staff.loginCard(pin)
    qtbot.waitUntil(lambda: not staff.busy, timeout=10000)
    return staff


def audit_actions(core: Any) -> list[tuple[str, str]]:
    return [(e.actor, e.action) for e in core.sync.audit.entries(limit=100)]


def outbox_count(core: Any) -> int:
    return len(core.sync.outbox.list_applications())


def shot(qtbot: Any, kw: Any, core: Any, out: Path, name: str) -> None:
    image = grab(qtbot, kw)
    assert image.save(str(out / name))
    assert check_text(kw) == [], name
    assert check_touch_targets(kw, core.config.ui.screen_dpi) == [], name


def test_wrong_pin_then_the_card_and_pin_log_in_and_the_card_pulled_logs_out(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        link_up(qtbot, kw, core)
        vm.wake()
        staff = staff_login(qtbot, kw, pin="000000")
        assert not staff.loggedIn and "还可尝试 4 次" in staff.error
        staff.loginCard(PIN)
        qtbot.waitUntil(lambda: not staff.busy, timeout=10000)
        assert staff.loggedIn and staff.staffId == "DEMO001" and staff.panel == ""
        assert vm.screen == "help"  # back where the citizen was
        assert vm.citizen.actor == "staff:DEMO001"
        kw.devices.smartcard.remove()  # the staff card leaves: the staff session ends
        qtbot.waitUntil(lambda: (vm.tick() or True) and not staff.loggedIn, timeout=5000)
        assert "拔出" in staff.message and vm.citizen.actor == "citizen"
        actions = audit_actions(core)
        assert ("DEMO001", "staff_login_failed") in actions
        assert ("DEMO001", "staff_login_ok") in actions
        assert ("DEMO001", "staff_logout") in actions


def test_hand_off_keeps_the_draft_and_attributes_each_field(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        link_up(qtbot, kw, core)
        identify(qtbot, kw, "QR00107002")
        vm.completeStep()
        fill_form(kw, vm._catalogue.service("QR00107002"))  # the citizen types it all …
        vm.callHelp()  # … is unsure of the address and asks for help
        staff = staff_login(qtbot, kw)
        assert staff.loggedIn
        vm.goBack()
        assert vm.screen == "form" and vm.citizen.form["phone"] == "13812345678"
        vm.form_vm.setValue("destination", "贵州省贵阳市云岩区中山西路10号")  # staff
        vm.completeStep()
        vm.completeStep()  # materials: all at the window
        sign_and_consent(kw)
        submit(qtbot, kw)
        sub = vm.submission_vm
        assert vm.screen == "result" and sub.caseNo
        sealed = json.loads(core.platform.state.open_application(sub.caseNo))
        assert sealed["entered_by"]["phone"] == "citizen"
        assert sealed["entered_by"]["destination"] == "staff:DEMO001"
        view = core.sync.outbox.lookup(sub.provisionalNo)
        assert view is not None and view.channel_kind == "assisted"


def test_desk_lists_filters_retries_reprints_and_prints_the_day_summary(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, artifacts_dir: Path) -> None:
    out = artifacts_dir / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        qtbot.waitExposed(kw.window)
        link_up(qtbot, kw, core)
        for code in ("QR00107002", "GF00109001", "QR00107002"):
            if code == "QR00107002" and outbox_count(core) == 2:
                link_down(qtbot, kw, core)  # the third one stays on the kiosk …
            to_review(qtbot, kw, code)
            submit(qtbot, kw)
            vm.endSession()
            vm.identify_vm.simulateRemoveIdCard()
            qtbot.waitUntil(lambda: not vm.identify_vm.idcardPresent, timeout=5000)
        outbox = core.sync.outbox
        first = outbox.list_applications()[-1]
        pending = [v for v in outbox.list_applications()
                   if v.state.value in ("pending", "retry_scheduled")]
        assert len(pending) == 1
        # … and the platform refused it for good: a dead letter with a reason
        outbox.dead_letter(pending[0].key, "平台拒收：材料格式不符", "test: refused")
        core.platform.clear_faults()
        dead = [v for v in outbox.list_applications() if v.state.value == "dead_letter"]
        assert len(dead) == 1

        vm.wake()
        staff = staff_login(qtbot, kw)
        assert staff.loggedIn
        staff.openDesk()
        assert staff.panel == "desk" and len(staff.rows) == 3
        qtbot.wait(50)
        shot(qtbot, kw, core, out, "staff-desk-portrait.png")
        staff.setStateFilter("dead_letter")
        assert [r["key"] for r in staff.rows] == [dead[0].key]
        staff.select(dead[0].key)
        assert staff.detail["canRetry"] and staff.detail["history"]
        qtbot.wait(50)
        shot(qtbot, kw, core, out, "staff-desk-detail-portrait.png")
        staff.retry(dead[0].key)
        assert outbox.application(dead[0].key).state.value == "pending"
        assert ("DEMO001", "queue_retry") in audit_actions(core)

        staff.setStateFilter("all")
        staff.setSearch(first.provisional_no[-8:])
        assert [r["key"] for r in staff.rows] == [first.key]
        jobs = len(kw.devices.receipt_printer.jobs)
        staff.reprint(first.key, "receipt")
        qtbot.waitUntil(lambda: not staff.busy, timeout=10000)
        assert len(kw.devices.receipt_printer.jobs) == jobs + 1 and "补打" in staff.message
        assert ("DEMO001", "reprint") in audit_actions(core)

        staff.printSummary()
        qtbot.waitUntil(lambda: not staff.busy, timeout=20000)
        assert staff.summaryFile and staff.error == "", staff.error
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", staff.summaryFile, "-"],
                              capture_output=True, text=True, check=True).stdout
        flat = "".join(text.split())
        assert "办件日终汇总" in flat and "办件总数3" in flat and "尚未上报1" in flat
        assert "户口迁出（省内）" in flat
        assert kw.devices.a4_printer.documents[-1].title == "day-summary"
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", staff.summaryFile,
                        str(artifacts_dir / "printing" / "day-summary")], check=True)


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_login_and_desk_screens_render_readably(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, artifacts_dir: Path, orientation: str) -> None:
    out = artifacts_dir / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with kiosk_window(tmp_path, orientation=orientation) as (kw, core):
        vm = kw.view_model
        qtbot.waitExposed(kw.window)
        link_up(qtbot, kw, core)
        vm.wake()
        vm.callHelp()
        qtbot.wait(50)
        shot(qtbot, kw, core, out, f"staff-help-{orientation}.png")
        vm.staff_vm.openLogin()
        qtbot.wait(50)
        shot(qtbot, kw, core, out, f"staff-login-{orientation}.png")
        staff = staff_login(qtbot, kw)
        vm.goBack()
        qtbot.wait(50)
        shot(qtbot, kw, core, out, f"staff-banner-{orientation}.png")
        staff.openDesk()
        qtbot.wait(50)
        shot(qtbot, kw, core, out, f"staff-desk-{orientation}.png")


def test_needs_correction_is_reopened_and_resubmitted_as_the_same_case(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        link_up(qtbot, kw, core)
        to_review(qtbot, kw, "QR00107002")
        submit(qtbot, kw)
        case_no = vm.submission_vm.caseNo
        assert case_no
        vm.endSession()
        vm.identify_vm.simulateRemoveIdCard()
        qtbot.waitUntil(lambda: not vm.identify_vm.idcardPresent, timeout=5000)
        core.platform.state.set_application_state(
            case_no, "needs_correction", "迁入地址不完整",
            correction={"fields": ["destination"], "materials": ["move_in_proof"],
                        "note_zh": "请填写到门牌号，并补交落户依据"})
        core.sync.worker.run_once(pull_status=True)
        view = core.sync.outbox.lookup(case_no)
        assert view is not None and view.state.value == "needs_correction"

        vm.wake()
        staff = staff_login(qtbot, kw)
        staff.openDesk()
        staff.setStateFilter("needs_correction")
        staff.select(view.key)
        assert staff.detail["canCorrect"] and staff.detail["correctionFields"] == ["迁入地详细地址"]
        staff.startCorrection(view.key)
        assert vm.screen == "identify" and staff.panel == ""
        vm.identify_vm.simulatePlaceIdCard()
        qtbot.waitUntil(lambda: bool(vm.identify_vm.hasIdentity), timeout=5000)
        vm.completeStep()
        rows = {r["fieldId"]: r for r in vm.form_vm._model.rows()}
        assert rows["destination"]["needsFix"] and not rows["phone"]["needsFix"]
        service = vm._catalogue.service("QR00107002")
        fill_form(kw, service)
        vm.form_vm.setValue("destination", "贵州省贵阳市云岩区中山西路10号3单元502")
        vm.completeStep()
        assert vm.screen == "materials"
        fix = {r["materialId"]: r["needsFix"] for r in vm.materials_vm.rows}
        assert fix["move_in_proof"] and not fix["idcard"]  # what the platform asked for
        scan_material(qtbot, kw, "move_in_proof")
        vm.completeStep()
        sign_and_consent(kw)
        submit(qtbot, kw)
        assert vm.screen == "result"
        core.sync.worker.run_once(pull_status=True)
        cases = {a["case_no"] for a in core.platform.state.applications()}
        assert cases == {case_no}  # one case at the platform, not two
        assert vm.submission_vm.caseNo == case_no


def test_proxy_application_carries_principal_agent_letter_and_both_signatures(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, artifacts_dir: Path) -> None:
    out = artifacts_dir / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        idv = vm.identify_vm
        qtbot.waitExposed(kw.window)
        link_up(qtbot, kw, core)
        vm.wake()
        staff = staff_login(qtbot, kw)
        assert staff.loggedIn
        vm.goHome()
        # an elderly principal's daughter comes with her mother's ID card
        identify(qtbot, kw, "QR00107002")  # the principal's card: 李华
        assert idv.proxyAllowed
        idv.setProxyMode(True)
        assert idv.awaitingAgent
        vm.completeStep()
        assert vm.screen == "identify" and "代办人" in idv.error  # the agent's card is missing
        reader = kw.devices.idcard
        reader.remove()
        qtbot.waitUntil(lambda: not idv.idcardPresent, timeout=5000)
        reader.place("resident")  # the principal's card again is not an agent
        qtbot.waitUntil(lambda: "不能是同一人" in idv.error, timeout=5000)
        reader.remove()
        qtbot.waitUntil(lambda: not idv.idcardPresent, timeout=5000)
        reader.place("resident_long_term")  # the agent: 欧阳秀英
        qtbot.waitUntil(lambda: not idv.awaitingAgent, timeout=5000)
        assert idv.agentMaskedName == "欧阳**" and idv.maskedName == "李*"
        vm.completeStep()
        assert vm.screen == "identify" and "关系" in idv.error
        idv.setRelationship("子女")
        qtbot.wait(50)
        shot(qtbot, kw, core, out, "staff-proxy-identify-portrait.png")
        vm.completeStep()
        assert vm.screen == "form"
        fill_form(kw, vm._catalogue.service("QR00107002"))
        vm.completeStep()
        assert vm.screen == "materials"
        rows = {r["materialId"]: r for r in vm.materials_vm.rows}
        assert "proxy_authorisation" in rows  # the 授权委托书 is asked for
        vm.completeStep()
        assert vm.screen == "materials" and "授权委托书" in vm.materials_vm.captureError
        scan_material(qtbot, kw, "proxy_authorisation")
        vm.completeStep()
        assert vm.screen == "signature"
        sig = vm.signature_vm
        assert sig.proxy and sig.signer == "applicant"
        sig.setCanvasSize(800, 400)
        sig.addStroke(SIGNATURE)
        vm.completeStep()
        assert vm.screen == "signature" and sig.signer == "agent" and sig.strokeCount == 0
        sig.addStroke(SIGNATURE[::-1])
        vm.completeStep()
        assert vm.screen == "consent"
        for which in ("personal", "sensitive", "commitment"):
            vm.consent_vm.setConsent(which, True)
        vm.completeStep()
        submit(qtbot, kw)
        sub = vm.submission_vm
        assert vm.screen == "result" and sub.caseNo, vm.review_vm.error
        sealed = json.loads(core.platform.state.open_application(sub.caseNo))
        assert sealed["applicant"]["name"] == "李华"
        assert sealed["agent"]["name"] == "欧阳秀英"
        assert sealed["proxy"]["relationship"] == "子女"
        assert sealed["proxy"]["authorisation_material_id"] == "proxy_authorisation"
        assert [s["role"] for s in sealed["signatures"]] == ["applicant", "agent"]
        letter = [m for m in sealed["materials"] if m["material_id"] == "proxy_authorisation"]
        assert letter and letter[0]["trust_level"] == "C"
        view = core.sync.outbox.lookup(sub.provisionalNo)
        assert view is not None and view.proxy and view.channel_kind == "assisted"


def test_staff_are_logged_out_after_the_idle_timeout(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    import time

    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        link_up(qtbot, kw, core)
        vm.wake()
        staff = staff_login(qtbot, kw)
        assert staff.loggedIn and vm.citizen.actor == "staff:DEMO001"
        auth = vm._staff_auth
        idle = core.config.staff.staff_idle_timeout_s
        auth._now = lambda: time.time() + idle - 5
        vm.tick()
        assert staff.loggedIn  # not yet
        auth._now = lambda: time.time() + idle + 1
        vm.tick()
        assert not staff.loggedIn and "长时间未操作" in staff.message
        assert vm.citizen.actor == "citizen"
        assert ("DEMO001", "staff_logout") in audit_actions(core)
