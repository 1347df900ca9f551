"""Every screen of the application journey rendered offscreen in both orientations,
standard and 长辈版, saved under artifacts/screenshots/journey-*.png for a person to look
at, and checked like the shell screens: not blank, no tofu, nothing cut off at the edge or
elided. The walk uses 住房公积金提取（租房）, which has every step (a page from the
高拍仪, face capture on the live camera, a 告知承诺 material, e-licences), then a paper-out
receipt, 办件查询 and 一键呼叫."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from devices.camera.simulated import render_scene
from tests.ui.journey_helpers import (
    SIGNATURE,
    fill_form,
    kiosk_window,
    link_up,
)
from tests.ui.test_screens import check_text, check_touch_targets, distinct_colours, grab

CODE = "GF00601001"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_every_journey_screen_renders_readably(qtbot, qapp, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               artifacts_dir: Path, orientation: str,
                                               elder: bool, language: str, english: None,
                                               monkeypatch: Any) -> None:
    out = artifacts_dir / "screenshots"
    out.mkdir(exist_ok=True)
    mode = ("elder" if elder else "standard") + ("" if language == "zh_CN" else "-en")
    seen: list[str] = []

    with kiosk_window(tmp_path, orientation=orientation) as (kw, core):
        assert core.sync is not None
        vm = kw.view_model
        qtbot.waitExposed(kw.window)

        def shot(name: str, screen: str | None = None) -> None:
            assert vm.screen == (screen or name), (vm.screen, name)
            image = grab(qtbot, kw)
            file = f"journey-{orientation}-{mode}-{name}.png"
            assert image.save(str(out / file))
            assert distinct_colours(image) > 20, f"{file} looks blank"
            problems = check_text(kw)
            assert problems == [], f"{file}: {problems}"
            # 9 mm at the configured density, on every screen (issue 6, accessibility)
            small = check_touch_targets(kw, core.config.ui.screen_dpi)
            assert small == [], f"{file}: {small}"
            seen.append(name)

        link_up(qtbot, kw, core)
        vm.wake()
        vm.setElderMode(elder)
        vm.setLanguage(language)
        service = vm._catalogue.service(CODE)
        vm.openService(CODE)
        shot("guide")
        vm.startApplication()
        shot("identify")
        vm.identify_vm.simulatePlaceIdCard()
        qtbot.waitUntil(lambda: bool(vm.identify_vm.hasIdentity), timeout=5000)
        shot("identified", "identify")
        vm.completeStep()
        shot("form")
        vm.form_vm.setValue("phone", "1391234")
        vm.form_vm.complete()
        shot("form-errors", "form")
        fill_form(kw, service)
        vm.completeStep()
        shot("materials")
        mats = vm.materials_vm
        mats.choose("lease", "scan")  # the 高拍仪: auto-capture once the page holds still
        qtbot.waitUntil(lambda: bool(mats.hasResult), timeout=15000)
        shot("materials-capture", "materials")
        mats.acceptCapture()
        shot("materials-scanned", "materials")
        vm.completeStep()
        face = vm.face_vm
        face.setConsent(True)
        shot("face")
        monkeypatch.setattr(type(face), "OK_FRAMES", 10**6)  # hold the live picture
        face.capture()
        qtbot.waitUntil(lambda: face.previewSource != "", timeout=10000)
        qtbot.wait(300)
        shot("face-live", "face")
        monkeypatch.setattr(type(face), "OK_FRAMES", 1)
        qtbot.waitUntil(lambda: bool(face.captured), timeout=10000)
        shot("face-captured", "face")
        vm.completeStep()
        vm.signature_vm.addStroke(SIGNATURE)
        shot("signature")
        vm.completeStep()
        vm.consent_vm.setConsent("personal", True)
        shot("consent")
        vm.consent_vm.setConsent("sensitive", True)
        vm.consent_vm.setConsent("commitment", True)
        vm.completeStep()
        vm.review_vm.reveal(2)
        shot("review")

        # hold the store for a moment to see the submitting screen
        release = threading.Event()
        real = core.sync.outbox.submit_application

        def slow_submit(*args: Any, **kwargs: Any) -> Any:
            release.wait(10)
            return real(*args, **kwargs)

        monkeypatch.setattr(core.sync.outbox, "submit_application", slow_submit)
        vm.completeStep()
        shot("submitting")
        release.set()
        qtbot.waitUntil(lambda: vm.screen == "result", timeout=15000)
        shot("result")

        kw.devices.receipt_printer.set_status("paper_end")
        vm.nextStep()
        qtbot.waitUntil(lambda: vm.submission_vm.printState != "printing", timeout=10000)
        shot("receipt-paper-out", "receipt")
        vm.submission_vm.receiptDone()
        vm.submission_vm.rate(1)
        vm.submission_vm.toggleReason("等待时间长")
        shot("rating")
        vm.submission_vm.sendRating()
        shot("farewell")
        number = vm.submission_vm.provisionalNo
        vm.submission_vm.finish()

        vm.wake()
        vm.setElderMode(elder)
        vm.setLanguage(language)
        vm.openQuery()
        query, camera = vm.query_vm, kw.devices.camera
        camera.set_frames([render_scene("qr", camera.width, camera.height, "YY:20261122-0042")[0]])
        query.startScan()  # an appointment code first: not a receipt, the camera stays on
        qtbot.waitUntil(lambda: "不是回执" in query.scanMessage, timeout=10000)
        shot("query-scan", "query")
        camera.set_frames([render_scene("qr", camera.width, camera.height, number)[0]])
        qtbot.waitUntil(lambda: not query.scanning and not query.busy and bool(query.results),
                        timeout=15000)
        shot("query")
        vm.callHelp()
        qtbot.waitUntil(lambda: vm.help_vm.state != "sending", timeout=10000)
        shot("help")
        vm.goBack()
        assert vm.screen == "query"
    assert len(seen) == 22
