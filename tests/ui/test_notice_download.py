"""保存到手机 on the receipt screen (issue 5): the 受理通知书 goes to the reference platform
over loopback and comes back as a download link in a QR code; a phone (``requests``)
downloads the very PDF the A4 printer would print. Offline the button is disabled with the
reason; the session wipe forgets the link."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtQuick import QQuickItem

from tests.ui.journey_helpers import kiosk_window, link_down, link_up, submit, to_review
from tests.ui.test_screens import check_text, check_touch_targets, distinct_colours, grab
from ui.submission import MSG_NOTICE_OFFLINE, MSG_NOTICE_READY, qr_matrix
from ui.texts import say

CODE = "QR00107002"


def to_receipt(qtbot: Any, kw: Any) -> Any:
    vm = kw.view_model
    sub = vm.submission_vm
    to_review(qtbot, kw, CODE)
    submit(qtbot, kw)
    assert vm.screen == "result"
    vm.nextStep()
    assert vm.screen == "receipt"
    qtbot.waitUntil(lambda: sub.printState != "printing", timeout=10000)
    return sub


def show_notice_qr(kw: Any) -> QQuickItem:
    """Scroll the receipt page so that the download QR code is on screen."""
    qr = kw.window.findChild(QQuickItem, "noticeQr")
    assert qr is not None and qr.isVisible()
    flick = qr.parentItem()
    while flick is not None and not flick.inherits("QQuickFlickable"):
        flick = flick.parentItem()
    assert flick is not None
    bottom = flick.property("contentHeight") - flick.height()
    flick.setProperty("contentY", max(0.0, bottom))
    return qr


@pytest.mark.parametrize(("orientation", "language", "elder"),
                         [("portrait", "zh_CN", False), ("landscape", "en", True)],
                         ids=["portrait-zh", "landscape-elder-en"])
def test_save_to_phone_shows_a_qr_code_whose_link_downloads_the_notice(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, artifacts_dir: Path, english: None, orientation: str,
        language: str, elder: bool) -> None:
    with kiosk_window(tmp_path, orientation=orientation) as (kw, core):
        assert core.sync is not None and core.platform is not None
        vm = kw.view_model
        qtbot.waitExposed(kw.window)
        link_up(qtbot, kw, core)
        vm.wake()
        vm.setElderMode(elder)
        vm.setLanguage(language)
        sub = to_receipt(qtbot, kw)
        provisional = sub.provisionalNo
        service_name = core.catalogue.service(CODE).name
        assert sub.noticeOffered and sub.noticeAvailable
        assert sub.noticeState == "idle" and sub.noticeUrl == "" and sub.noticeQrSize == 0
        sub.saveToPhone()
        assert sub.noticeState == "uploading"
        qtbot.waitUntil(lambda: sub.noticeState != "uploading", timeout=30000)
        assert sub.noticeState == "ready", sub.noticeMessage
        assert sub.noticeMessage == (MSG_NOTICE_READY if language == "zh_CN"
                                     else say(language, MSG_NOTICE_READY))
        url = sub.noticeUrl
        assert url.startswith(core.platform.url + "/d/")
        # the QR code on screen encodes exactly that link
        assert sub.noticeQrSize >= 21
        assert sub.noticeQrModules == [v for row in qr_matrix(url) for v in row]
        # the citizen's phone: no credential, just the link
        phone = requests.get(url, timeout=10)
        assert phone.status_code == 200
        assert phone.headers["Content-Type"] == "application/pdf"
        assert phone.headers["Content-Disposition"] == \
            f'attachment; filename="notice-{provisional}.pdf"'
        assert phone.content.startswith(b"%PDF-")
        pdf = tmp_path / "downloaded.pdf"
        pdf.write_bytes(phone.content)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        flat = "".join(text.split())
        assert provisional in flat and "".join(service_name.split()) in flat
        assert "受理通知书" in flat
        # masked values only: what the platform decrypts never appears in full
        person = json.loads(core.platform.state.open_application(provisional))["applicant"]
        assert person["id_number"] not in flat and person["name"] not in flat
        assert person["id_number"][:3] + "*" in flat
        # pressing again does nothing new: the link stays
        sub.saveToPhone()
        assert sub.noticeState == "ready" and sub.noticeUrl == url
        # the receipt screen with the download QR code, for a person to look at
        qr = show_notice_qr(kw)
        image = grab(qtbot, kw)
        out = artifacts_dir / "screenshots"
        out.mkdir(exist_ok=True)
        suffix = "" if language == "zh_CN" else f"-{'elder-' if elder else ''}{language}"
        assert image.save(str(out / f"receipt-save-to-phone-{orientation}{suffix}.png"))
        assert distinct_colours(image) > 20
        top = qr.mapToScene(qr.boundingRect().topLeft())
        assert top.y() >= 0 and top.y() + qr.height() <= kw.window.height(), top
        assert check_text(kw) == []
        assert check_touch_targets(kw, core.config.ui.screen_dpi) == []
        # nothing of the link in the log
        logs = "".join(p.read_text("utf-8", errors="replace")
                       for p in tmp_path.rglob("*.log"))
        assert url.rsplit("/", 1)[1] not in logs
        # the session ends: the link and its QR code go with it
        vm.endSession()
        assert vm.screen == "attract"
        assert sub.noticeUrl == "" and sub.noticeQrSize == 0 and sub.noticeQrModules == []
        assert sub.noticeState == "idle" and not sub.noticeOffered


def test_offline_the_button_is_disabled_with_the_reason_and_the_fallbacks_stay(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None
        vm = kw.view_model
        qtbot.waitExposed(kw.window)
        link_up(qtbot, kw, core)
        sub = to_receipt(qtbot, kw)
        assert sub.noticeAvailable and sub.noticeMessage == ""
        link_down(qtbot, kw, core)  # the link drops while the citizen is on the screen
        assert sub.noticeOffered and not sub.noticeAvailable
        assert sub.noticeMessage == MSG_NOTICE_OFFLINE
        button = next(b for b in buttons(kw.window.contentItem()) if b.property("text")
                      == "保存到手机")
        assert button.isVisible() and not button.isEnabled()
        sub.saveToPhone()  # pressed anyway (a stale tap): nothing is uploaded
        assert sub.noticeState == "idle" and sub.noticeUrl == ""
        assert not vm.runner.busy
        # the receipt and its fallbacks are untouched
        assert sub.printState in ("printed", "not_printed", "uncertain")


def test_the_link_dropping_during_the_upload_gives_a_clear_message(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None and core.platform is not None
        qtbot.waitExposed(kw.window)
        link_up(qtbot, kw, core)
        sub = to_receipt(qtbot, kw)
        core.platform.inject("reset", path_prefix="/api/v1/notices")
        sub.saveToPhone()
        qtbot.waitUntil(lambda: sub.noticeState != "uploading", timeout=30000)
        assert sub.noticeState == "failed" and sub.noticeUrl == "" and sub.noticeQrSize == 0
        assert "网络暂时不通" in sub.noticeMessage
        core.platform.clear_faults()
        sub.saveToPhone()  # and a second try works
        qtbot.waitUntil(lambda: sub.noticeState != "uploading", timeout=30000)
        assert sub.noticeState == "ready" and sub.noticeUrl


def buttons(root: QQuickItem) -> list[QQuickItem]:
    out, stack = [], [root]
    while stack:
        item = stack.pop()
        if item.inherits("QQuickAbstractButton"):
            out.append(item)
        stack.extend(item.childItems())
    return out
