"""Faults during the journey end in a clear screen and lose nothing the citizen entered:
the queue refusing to store (disk full), a card pulled out in the middle of a read, the
ID card taken away mid-form, the receipt printer out of paper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devices.idcard.protocol import Command
from devices.smartcard.simulated import SimulatedSocialSecurityCard
from kiosk.errors import StorageError
from sync.db import MSG_DISK_FULL
from tests.ui.journey_helpers import (
    Clock,
    fill_form,
    finish_session,
    identify,
    kiosk_window,
    link_up,
    scan_material,
    submit,
    to_review,
)
from tests.ui.test_screens import check_text, grab


def test_storage_error_goes_back_to_review_with_everything_kept(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, monkeypatch) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None
        vm = kw.view_model
        link_up(qtbot, kw, core)
        to_review(qtbot, kw, "QR00107002")
        form_before = dict(vm.citizen.form)
        real = core.sync.outbox.submit_application

        def disk_full(*args: Any, **kwargs: Any) -> Any:
            raise StorageError("no space left on device (simulated)", user_message=MSG_DISK_FULL)

        monkeypatch.setattr(core.sync.outbox, "submit_application", disk_full)
        submit(qtbot, kw)
        assert vm.screen == "review"
        assert vm.review_vm.error == MSG_DISK_FULL
        assert vm.citizen.form == form_before and vm.citizen.identity is not None
        assert vm.citizen.signature_png and vm.citizen.consent_personal
        assert core.sync.outbox.stats().applications == {}

        monkeypatch.setattr(core.sync.outbox, "submit_application", real)
        submit(qtbot, kw)  # the same draft, now stored
        assert vm.screen == "result" and vm.submission_vm.caseNo
        assert vm.review_vm.error == ""


def test_social_security_card_pulled_during_the_read(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path, with_sync=False) as (kw, _core):
        vm = kw.view_model
        idv = vm.identify_vm
        vm.wake()
        vm.openService("GF00201001")  # 灵活就业人员参保登记 accepts the 社保卡
        vm.startApplication()
        assert "sscard" in [m["method"] for m in idv.methods]
        kw.devices.smartcard.insert(SimulatedSocialSecurityCard(pull_after=3))
        qtbot.waitUntil(lambda: "拔出" in idv.error, timeout=5000)
        assert not idv.hasIdentity and not idv.busy and vm.screen == "identify"

        kw.devices.smartcard.insert(SimulatedSocialSecurityCard())  # put back properly
        qtbot.waitUntil(lambda: bool(idv.hasIdentity), timeout=5000)
        assert idv.error == "" and idv.maskedName == "张**" and idv.cardLabel == "社会保障卡"
        vm.completeStep()
        assert vm.screen == "form"
        rows = {r["fieldId"]: r for r in vm.form_vm._model.rows()}
        # the card's values are filled in, locked, and shown masked (PRODUCT.md §5)
        assert vm.citizen.form["applicant_name"] == "张三丰"
        assert rows["applicant_name"]["locked"] and rows["applicant_name"]["value"] == "张**"


def test_social_security_card_pulled_mid_form_waits_then_wipes_the_session(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, artifacts_dir: Path) -> None:
    (artifacts_dir / "screenshots").mkdir(parents=True, exist_ok=True)
    clock = Clock()
    with kiosk_window(tmp_path, with_sync=False, clock=clock) as (kw, _core):
        vm = kw.view_model
        idv = vm.identify_vm
        vm.wake()
        vm.openService("GF00201001")
        vm.startApplication()
        kw.devices.smartcard.insert(SimulatedSocialSecurityCard())
        qtbot.waitUntil(lambda: bool(idv.hasIdentity), timeout=5000)
        vm.completeStep()
        vm.form_vm.setValue("phone", "13987654321")

        # pulled, then put back within the grace period: the form is all there
        kw.devices.smartcard.remove()
        qtbot.waitUntil(lambda: vm.countdownVisible, timeout=5000)
        assert vm.countdownReason == "card" and vm.countdownSeconds >= 20
        qtbot.waitExposed(kw.window)
        image = grab(qtbot, kw)
        assert image.save(str(artifacts_dir / "screenshots" / "journey-card-pulled.png"))
        assert check_text(kw) == []
        clock.t += 10
        vm.tick()
        assert vm.screen == "form" and vm.countdownVisible
        kw.devices.smartcard.insert(SimulatedSocialSecurityCard())
        qtbot.waitUntil(lambda: not vm.countdownVisible, timeout=5000)
        assert vm.screen == "form" and vm.countdownReason == "idle"
        assert vm.citizen.form["phone"] == "13987654321"

        # someone else's card in the slot: the first citizen's session ends
        kw.devices.smartcard.remove()
        qtbot.waitUntil(lambda: vm.countdownVisible, timeout=5000)
        kw.devices.smartcard.insert(SimulatedSocialSecurityCard(
            name="李四", id_number="520102199003071236", card_number="A00000002"))
        qtbot.waitUntil(lambda: vm.screen == "attract", timeout=5000)
        assert vm.citizen.identity is None and vm.citizen.form == {}
        assert not vm.countdownVisible

        # pulled and not put back: the session ends when the countdown runs out
        kw.devices.smartcard.remove()
        vm.wake()
        vm.openService("GF00201001")
        vm.startApplication()
        kw.devices.smartcard.insert(SimulatedSocialSecurityCard())
        qtbot.waitUntil(lambda: bool(idv.hasIdentity), timeout=5000)
        vm.completeStep()
        vm.form_vm.setValue("phone", "13987654321")
        kw.devices.smartcard.remove()
        qtbot.waitUntil(lambda: vm.countdownVisible, timeout=5000)
        clock.t += vm.countdownSeconds + 1
        vm.tick()
        assert vm.screen == "attract" and vm.citizen.form == {} and vm.citizen.identity is None
        assert not vm.countdownVisible


def test_id_card_moved_during_the_read_then_taken_away_mid_form(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path, with_sync=False) as (kw, _core):
        vm = kw.view_model
        idv = vm.identify_vm
        vm.wake()
        vm.openService("QR00107002")
        vm.startApplication()
        kw.devices.idcard.script_status(Command.READ_BASE, 0x41)  # the card slid off mid-read
        idv.simulatePlaceIdCard()
        qtbot.waitUntil(lambda: bool(idv.hasIdentity), timeout=5000)  # read on the next poll
        assert idv.error == ""
        vm.completeStep()
        vm.form_vm.setValue("phone", "13812345678")
        idv.simulateRemoveIdCard()  # the citizen takes the card back while typing
        qtbot.waitUntil(lambda: not idv.idcardPresent, timeout=5000)
        assert vm.screen == "form" and vm.citizen.identity is not None
        assert vm.citizen.form["phone"] == "13812345678"


def test_receipt_printer_out_of_paper_offers_the_qr_code_and_the_a4_notice(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None
        vm = kw.view_model
        sub = vm.submission_vm
        link_up(qtbot, kw, core)
        to_review(qtbot, kw, "GF00109001")
        submit(qtbot, kw)
        number = sub.number
        kw.devices.receipt_printer.set_status("paper_end")
        vm.nextStep()
        qtbot.waitUntil(lambda: sub.printState != "printing", timeout=10000)
        assert sub.printState == "not_printed" and sub.fallback and not sub.askConfirm
        assert "二维码" in sub.printMessage
        assert sub.qrSize >= 21 and len(sub.qrModules) == sub.qrSize ** 2
        assert kw.devices.receipt_printer.jobs == []
        sub.printA4()
        qtbot.waitUntil(lambda: sub.a4State != "printing", timeout=20000)
        assert sub.a4State == "printed"
        assert core.sync.outbox.lookup(sub.provisionalNo) is not None  # nothing lost
        assert sub.number == number
        sub.receiptDone()
        assert vm.screen == "rating"
        assert kw.devices.health()["receipt_printer"] == "fault"
        # maintenance hears of it at once: a heartbeat naming the fault is queued
        qtbot.waitUntil(lambda: not vm.runner.busy, timeout=5000)
        core.sync.worker.run_once()
        beats = core.platform.state.events(kind="heartbeat")
        assert any(b["body"]["devices"].get("receipt_printer") == "paper_end" for b in beats)


def test_receipt_printed_then_confirmed_and_a_low_rating_is_queued(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None and core.platform is not None
        vm = kw.view_model
        link_up(qtbot, kw, core)
        to_review(qtbot, kw, "QR00107002")
        submit(qtbot, kw)
        provisional = vm.submission_vm.provisionalNo
        finish_session(qtbot, kw, rating=2)
        assert len(kw.devices.receipt_printer.jobs) == 1
        assert "请取回您的证件" in vm.voice.spoken  # spoken in the standard version too
        qtbot.waitUntil(lambda: not vm.runner.busy, timeout=5000)
        core.sync.worker.run_once()
        [rating] = core.platform.state.events(kind="rating")
        body = rating["body"]
        assert body["provisional_no"] == provisional and body["level"] == 2
        assert body["reasons"] and body["channel"] == "self_service_terminal"
        assert set(body) == {"provisional_no", "service_code", "level", "reasons", "comment",
                             "channel"}  # nothing personal travels with a rating


def test_a_slip_that_did_not_come_out_offers_the_fallbacks_and_alerts_maintenance(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None and core.platform is not None
        vm = kw.view_model
        sub = vm.submission_vm
        link_up(qtbot, kw, core)
        to_review(qtbot, kw, "QR00107002")
        submit(qtbot, kw)
        vm.nextStep()
        qtbot.waitUntil(lambda: sub.printState != "printing", timeout=10000)
        assert sub.printState == "printed" and sub.askConfirm  # the printer says it printed
        sub.confirmReceipt(False)  # … but the citizen has nothing in hand
        assert not sub.askConfirm and sub.fallback
        assert sub.qrSize >= 21 and sub.number  # the number stays on screen as a QR code
        assert kw.devices.health()["receipt_printer"] == "fault"
        qtbot.waitUntil(lambda: not vm.runner.busy, timeout=5000)
        core.sync.worker.run_once()
        beats = core.platform.state.events(kind="heartbeat")
        assert any(b["body"]["devices"].get("receipt_printer") == "not_delivered"
                   for b in beats)


def test_a_page_from_the_document_camera_travels_as_an_encrypted_attachment(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None and core.platform is not None
        vm = kw.view_model
        link_up(qtbot, kw, core)
        to_review(qtbot, kw, "GF00601001", scan=("lease",))
        assert any("拍照上传" in r["value"] for r in vm.review_vm.rows)
        submit(qtbot, kw)
        sub = vm.submission_vm
        assert sub.caseNo
        sealed = json.loads(core.platform.state.open_application(sub.caseNo))
        [lease] = [m for m in sealed["materials"] if m["material_id"] == "lease"]
        assert lease["trust_level"] == "C" and lease["media_type"] == "image/jpeg"
        uploaded = list((core.platform.state.data_dir / "attachments").iterdir())
        # the page and the signature (an encrypted attachment too, meta.signatures)
        assert [s["role"] for s in sealed["signatures"]] == ["applicant"]
        sizes = sorted(p.stat().st_size for p in uploaded)
        assert len(uploaded) == 2 and sizes[-1] > 10_000
        assert vm.citizen.scans == {}  # purged from the kiosk's memory after the store
        lines = {m.material_id: m for m in sub._receipt_data().materials}
        assert lines["lease"].received and lines["lease"].trust_level == "C"


def test_camera_lost_during_a_capture_keeps_everything_captured_and_typed(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        mats = vm.materials_vm
        link_up(qtbot, kw, core)
        identify(qtbot, kw, "GF00601001")
        vm.completeStep()
        fill_form(kw, vm._catalogue.service("GF00601001"))
        typed = dict(vm.citizen.form)
        vm.completeStep()
        scan_material(qtbot, kw, "lease")
        mats.choose("marriage_certificate", "scan")
        assert mats.capturing == "marriage_certificate"
        kw.devices.document_camera.faults.unplug()  # the 高拍仪's cable comes out
        qtbot.waitUntil(lambda: mats.captureError != "", timeout=10000)
        assert "摄像头" in mats.captureError and mats.capturing == ""
        assert kw.devices.health()["document_camera"] == "fault"
        rows = {r["materialId"]: r for r in mats.rows}
        assert vm.citizen.materials["marriage_certificate"] in ("window", "elicence")
        assert "scan" not in [c["key"] for c in rows["marriage_certificate"]["choices"]]
        assert rows["lease"]["scanned"] and vm.citizen.materials["lease"] == "scan"
        assert vm.citizen.scans["lease"] and vm.citizen.form == typed
        vm.completeStep()
        assert vm.screen == "face"
