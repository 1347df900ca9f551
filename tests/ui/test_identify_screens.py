"""Issue 6 screens rendered offscreen, saved under artifacts/screenshots/qr-*.png for a person
to look at and checked like the journey screens (not blank, no tofu, nothing cut off, touch
targets of 9 mm): the QR identification (the methods, the camera looking at an e-ID code,
identified) and the materials step with an e-licence pulled from the platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.camera.simulated import render_scene
from tests.ui.journey_helpers import fill_form, identify, kiosk_window, link_up, pull_licence
from tests.ui.test_screens import check_text, check_touch_targets, distinct_colours, grab

NAME, HOLDER = "王芳", "520102198805122467"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_qr_identification_and_pulled_licence_screens(qtbot, qapp, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                      artifacts_dir: Path, orientation: str,
                                                      language: str, english: None) -> None:
    from kiosk.idcheck import is_valid_id_number

    assert is_valid_id_number(HOLDER)
    out = artifacts_dir / "screenshots"
    out.mkdir(exist_ok=True)
    suffix = "" if language == "zh_CN" else "-en"
    seen: list[str] = []

    with kiosk_window(tmp_path, orientation=orientation) as (kw, core):
        vm, idv = kw.view_model, kw.view_model.identify_vm
        qtbot.waitExposed(kw.window)

        def shot(name: str, screen: str) -> None:
            assert vm.screen == screen, (vm.screen, name)
            qtbot.wait(200)
            image = grab(qtbot, kw)
            file = f"qr-{orientation}{suffix}-{name}.png"
            assert image.save(str(out / file))
            assert distinct_colours(image) > 20, f"{file} looks blank"
            problems = check_text(kw)
            assert problems == [], f"{file}: {problems}"
            small = check_touch_targets(kw, core.config.ui.screen_dpi)
            assert small == [], f"{file}: {small}"
            seen.append(name)

        link_up(qtbot, kw, core)
        vm.wake()
        vm.setLanguage(language)
        vm.openService("QR00107002")
        vm.startApplication()
        shot("identify-methods", "identify")

        camera = kw.devices.camera
        token = core.platform.state.issue_identity_token(NAME, HOLDER)
        frame = render_scene("qr", camera.width, camera.height, "EID:" + token)[0]
        camera.set_frames([render_scene("qr", camera.width, camera.height,
                                        "BJ:DEMO0001-20261122-000017-K")[0]])
        idv.startQrScan()  # a receipt first: the camera stays on and says so
        qtbot.waitUntil(lambda: idv.qrPreviewSource != "" and "身份核验二维码"
                        in idv._message, timeout=15000)
        shot("identify-scanning", "identify")
        camera.set_frames([frame])
        qtbot.waitUntil(lambda: bool(idv.hasIdentity), timeout=15000)
        camera.set_frames(None)
        shot("identified", "identify")

        vm.completeStep()
        fill_form(kw, vm._catalogue.service("QR00107002"))
        vm.completeStep()
        pull_licence(qtbot, kw, "hukou_book")
        vm.materials_vm.choose("idcard", "elicence")
        qtbot.waitUntil(lambda: not vm.materials_vm.pulling, timeout=10000)
        shot("materials-licence", "materials")
    assert len(seen) == 4


def test_identify_screen_without_link_shows_why_qr_is_off(qtbot, qapp, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          artifacts_dir: Path) -> None:
    from tests.ui.journey_helpers import link_down

    out = artifacts_dir / "screenshots"
    out.mkdir(exist_ok=True)
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        qtbot.waitExposed(kw.window)
        link_up(qtbot, kw, core)
        link_down(qtbot, kw, core)
        identify(qtbot, kw, "QR00107002")
        vm.identify_vm.useAnotherCard()
        qtbot.wait(200)
        image = grab(qtbot, kw)
        assert image.save(str(out / "qr-portrait-identify-offline.png"))
        assert check_text(kw) == []
        assert check_touch_targets(kw, core.config.ui.screen_dpi) == []
        reasons = [r["reason"] for r in vm.identify_vm.methods if not r["available"]]
        assert reasons == ["当前无法连接政务服务平台，扫码核验暂不可用，请使用证件"]
        vm.identify_vm.simulateRemoveIdCard()
        qtbot.waitUntil(lambda: not vm.identify_vm.idcardPresent, timeout=5000)
        vm.identify_vm.simulatePlaceIdCard()
        qtbot.waitUntil(lambda: bool(vm.identify_vm.hasIdentity), timeout=5000)
        vm.completeStep()
        fill_form(kw, vm._catalogue.service("QR00107002"))
        vm.completeStep()
        assert vm.screen == "materials"
        rows = {r["materialId"]: r for r in vm.materials_vm.rows}
        assert rows["hukou_book"]["offlineNote"]
        assert "elicence" not in [c["key"] for c in rows["hukou_book"]["choices"]]
        qtbot.wait(200)
        image = grab(qtbot, kw)
        assert image.save(str(out / "qr-portrait-materials-offline.png"))
        assert check_text(kw) == []
        assert check_touch_targets(kw, core.config.ui.screen_dpi) == []
