"""Technician maintenance mode (issue 7): the hidden entry on the attract screen, log-in
with the demo technician (TOTP + PIN, card + PIN), the idle exit, every tab's action
against the real back-ends (simulated devices, the queue, the reference platform on
loopback) and screenshots of every maintenance screen in both orientations."""

from __future__ import annotations

import shutil
import subprocess
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from devices.smartcard.simulated import SimulatedStaffCard, demo_card
from kiosk.config import load_config
from kiosk.staffauth import totp, totp_step
from sync.models import ItemState
from tests.ui.journey_helpers import kiosk_window, link_up
from tests.ui.test_screens import (
    check_text,
    check_touch_targets,
    distinct_colours,
    grab,
    text_items,
)
from ui.app import KioskWindow
from ui.maintenance import MaintenanceViewModel

TECH, TECH_PIN, TECH_SECRET = "DEMOT01", "654321", "GOVKIOSKDEMOTOTP"  # docs/staff.md
STAFF_PIN = "123456"


def maint(kw: KioskWindow) -> MaintenanceViewModel:
    m = kw.view_model._maintenance
    assert isinstance(m, MaintenanceViewModel)
    return m


def tap_corner(qtbot: Any, kw: KioskWindow, times: int) -> None:
    """Real taps on the window's top-right corner, through QML."""
    qtbot.waitExposed(kw.window)
    grab(qtbot, kw)  # a rendered frame: the corner item has its geometry
    pos = QPoint(kw.window.width() - 30, 30)
    for _ in range(times):
        QTest.mouseClick(kw.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         pos)
        qtbot.wait(20)


def type_keys(m: MaintenanceViewModel, field: str, text: str) -> None:
    m.setLoginField(field)
    m.pressKey("clear")
    for ch in text:
        m.pressKey(ch)


def login_totp(qtbot: Any, m: MaintenanceViewModel, *, staff_id: str = TECH,
               pin: str = TECH_PIN, step_offset: int = 0) -> None:
    m.setLoginMethod("totp")
    type_keys(m, "id", staff_id)
    type_keys(m, "code", totp(TECH_SECRET, totp_step(time.time()) + step_offset))
    type_keys(m, "pin", pin)
    m.submitLogin()
    qtbot.waitUntil(lambda: not m.busy, timeout=10000)


def enter(qtbot: Any, kw: KioskWindow) -> MaintenanceViewModel:
    m = maint(kw)
    tap_corner(qtbot, kw, 5)
    assert m.panel == "login"
    login_totp(qtbot, m)
    assert m.panel == "main", m.loginMessage
    return m


def wait_idle(qtbot: Any, m: MaintenanceViewModel, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: not m.busy, timeout=timeout)
    qtbot.wait(50)  # follow-up refreshes (printer status, queue) land


def shown_texts(kw: KioskWindow) -> list[str]:
    return [str(item.property("text")) for item in text_items(kw.window.contentItem())]


def test_hidden_gesture_login_lockout_messages_and_idle_exit(qtbot, qapp,  # type: ignore[no-untyped-def]
                                                             tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None
        vm, m = kw.view_model, maint(kw)
        tap_corner(qtbot, kw, 4)
        assert m.panel == "" and vm.screen == "attract"  # four taps: nothing, no session
        qtbot.wait(3100)
        tap_corner(qtbot, kw, 1)  # the window has passed: this starts a new count
        assert m.panel == ""
        tap_corner(qtbot, kw, 4)
        assert m.panel == "login" and vm.screen == "attract"

        # a staff member's card is refused for maintenance
        reader = kw.devices.smartcard
        assert reader is not None
        reader.insert(SimulatedStaffCard.demo())
        qtbot.waitUntil(lambda: m.cardPresent, timeout=5000)  # the reader's monitor
        assert m.loginMethod == "card"  # a card in the reader: card log-in offered
        type_keys(m, "pin", STAFF_PIN)
        m.submitLogin()
        qtbot.waitUntil(lambda: not m.busy, timeout=10000)
        assert m.panel == "login"
        assert m.loginMessage == "您不是维护人员，不能进入维护模式"
        reader.remove()
        qtbot.waitUntil(lambda: not m.cardPresent, timeout=5000)

        # wrong PIN: the message tells the tries left; the PIN is never shown
        login_totp(qtbot, m, pin="000000")
        assert m.panel == "login"
        assert m.loginMessage == "动态验证码或密码错误，还可尝试 4 次"
        assert m.pinLength == 0

        # five failures lock that ID (the message counts the seconds down); another ID
        # may still try
        for _attempt in range(5):
            m.setLoginMethod("totp")
            type_keys(m, "id", "T9999")
            type_keys(m, "code", "000000")
            type_keys(m, "pin", "111111")
            m.submitLogin()
            qtbot.waitUntil(lambda: not m.busy, timeout=10000)
        assert m.loginMessage == "错误次数过多，请 30 秒后再试"
        assert m.lockoutSeconds in (29, 30)
        m.submitLogin()  # refused on the panel while locked
        assert not m.busy
        lock_started = m._locked_until
        assert lock_started is not None
        m._mono = lambda: lock_started - 30 + 12.5  # type: ignore[method-assign]  # 12.5 s in
        vm.tick()
        assert m.loginMessage == "错误次数过多，请 18 秒后再试" and m.lockoutSeconds == 18
        m._mono = time.monotonic  # type: ignore[method-assign]
        type_keys(m, "id", TECH)
        assert m.lockoutSeconds == 0
        vm.tick()
        assert m.loginMessage == ""

        login_totp(qtbot, m)
        assert m.panel == "main" and m.technician == TECH
        qtbot.waitUntil(lambda: "维护模式 · DEMOT01" in shown_texts(kw), timeout=3000)
        vm.wake()  # the citizen screens beneath take nothing while maintenance shows
        assert vm.screen == "attract"

        # inactivity: StaffAuth's idle timeout ends the session at the next tick
        auth = vm._staff_auth
        assert auth is not None and auth.current is not None
        auth.current.touch(time.time() - core.config.staff.maintenance_idle_timeout_s - 1)
        vm.tick()
        assert m.panel == ""
        assert m.message == "长时间无操作，已自动退出维护模式"
        assert auth.current is None
        actions = [(e.action, e.detail.get("reason")) for e in core.sync.audit.entries(actor=TECH)]
        assert ("staff_login_ok", None) in actions
        assert ("staff_logout", "idle") in actions
        assert ("staff_login_failed", "wrong_pin") in actions
        assert [e.action for e in core.sync.audit.entries(actor="DEMO001")] == [
            "staff_login_denied"]

        # the technician card + PIN, then 退出维护
        reader.insert(demo_card("technician"))  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: m.cardPresent, timeout=5000)
        tap_corner(qtbot, kw, 5)
        assert m.panel == "login" and m.loginMethod == "card"
        type_keys(m, "pin", TECH_PIN)
        m.submitLogin()
        qtbot.waitUntil(lambda: not m.busy, timeout=10000)
        assert m.panel == "main", m.loginMessage
        m.exitMaintenance()
        assert m.panel == "" and auth.current is None
        assert core.sync.audit.entries(actor=TECH, limit=1)[0].detail["reason"] == "explicit"


def test_maintenance_not_reachable_during_a_citizen_session(qtbot, qapp,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    with kiosk_window(tmp_path, with_sync=False) as (kw, _core):
        vm, m = kw.view_model, maint(kw)
        vm.wake()
        assert vm.screen == "home"
        for _ in range(5):
            m.cornerTap()
        assert m.panel == ""


def test_every_tab_does_its_job_audited(qtbot, qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with kiosk_window(tmp_path / "kiosk") as (kw, core):
        sync = core.sync
        assert sync is not None
        m = enter(qtbot, kw)

        def audited(action: str) -> list[dict[str, Any]]:
            return [e.detail for e in sync.audit.entries(actor=TECH, action=action)]

        # -- devices: every self-test, the test pages, the cameras, a masked card read
        m.runSelfTests()
        wait_idle(qtbot, m)
        rows = {r["kind"]: r for r in m.deviceRows}
        assert set(rows) == {"idcard", "smartcard", "receipt_printer", "a4_printer", "camera",
                             "document_camera"}
        assert all(r["ok"] and r["summary"] for r in rows.values()), rows
        assert audited("maint_self_test")[0]["ok"] == 6
        assert [r["label"] for r in m.printerRows] == ["正常", "正常"]

        printer = kw.devices.receipt_printer
        jobs = len(printer.jobs)
        m.printTestPage("receipt_printer")
        wait_idle(qtbot, m)
        assert len(printer.jobs) == jobs + 1 and b"TEST-PAGE" in printer.jobs[-1]
        assert m.message == "回执打印机测试页已打印"
        m.printTestPage("a4_printer")
        wait_idle(qtbot, m)
        assert kw.devices.a4_printer.documents[-1].pdf.startswith(b"%PDF")
        assert {d["printer"] for d in audited("maint_test_page")} == {"receipt_printer",
                                                                      "a4_printer"}
        printer.set_status("paper_end")
        m.refreshPrinters()
        qtbot.waitUntil(lambda: m.printerRows[0]["label"] == "缺纸", timeout=5000)
        printer.set_status("paper_ok")

        for camera in ("camera", "document_camera"):
            m.startPreview(camera)
            qtbot.waitUntil(lambda: m.previewFps > 0 and m.previewSharpness > 0, timeout=15000)
            assert m.previewKind == camera
        m.stopPreview()
        assert m.previewKind == ""

        kw.devices.idcard.place("resident")
        m.readCard("idcard")
        wait_idle(qtbot, m)
        card = {r["label"]: r["value"] for r in m.cardRows}
        assert "*" in card["证件号码"] and "*" in card["姓名"], card
        m.simulateCards()
        m.readCard("sscard")
        wait_idle(qtbot, m)
        card = {r["label"]: r["value"] for r in m.cardRows}
        assert "*" in card["社会保障号码"], card
        assert audited("maint_card_read")[0] == {"card": "sscard", "ok": True}

        # -- link and queue: a dead letter listed with its reason, retried, audited
        key = sync.outbox.enqueue_event("heartbeat", {"queue_depth": 0})
        sync.outbox.dead_letter(key, "政务服务平台拒收该申请", "rejected: schema")
        m.setTab("queue")
        qtbot.waitUntil(lambda: bool(m.queue.get("deadLetters")), timeout=5000)
        dead = m.queue["deadLetters"]
        assert [(d["key"], d["reason"]) for d in dead] == [(key, "政务服务平台拒收该申请")]
        assert m.queue["deadCount"] == 1 and m.queue["undelivered"] >= 1
        m.retryDeadLetters()
        wait_idle(qtbot, m)
        qtbot.waitUntil(lambda: m.queue.get("deadCount") == 0, timeout=5000)
        assert sync.outbox.stats().depth.get(ItemState.DEAD_LETTER.value, 0) == 0
        assert sync.outbox.history(key)[-1].to_state == ItemState.PENDING
        assert audited("retry_dead_letters") == [{"requeued": 1}]

        # -- export: to a directory → a bundle with its item count; a missing one → the
        # Chinese error and the queue unchanged
        undelivered = sync.outbox.stats().undelivered
        drive = tmp_path / "usb"
        drive.mkdir()
        m.setTab("export")
        m.chooseTarget(str(drive))
        m.exportQueue()
        wait_idle(qtbot, m)
        result = m.exportResult
        assert result["ok"] is True, result
        bundle = drive / result["file"]
        assert bundle.exists() and bundle.suffix == ".kbundle"
        assert result["items"] >= undelivered >= 1
        assert len(result["sha256"]) == 64
        assert audited("export")[0]["items"] == result["items"]
        m.chooseTarget(str(tmp_path / "gone"))
        m.exportQueue()
        wait_idle(qtbot, m)
        assert m.exportResult == {"ok": False, "error": "未找到导出位置，请插入U盘后重试"}
        assert sync.outbox.stats().undelivered >= undelivered

        # -- configuration: a bad value refused with the validation message, a good one
        # written (readable by kiosk.config) and audited
        m.setTab("config")
        assert m.catalogueInfo["version"] == core.catalogue.version
        assert any(r["key"] == "ui.countdown_s" for r in m.configRows)
        m.saveSetting("ui.countdown_s", "10")
        wait_idle(qtbot, m)
        assert m.messageKind == "error"
        assert m.message.startswith("设置无效：ui.countdown_s: expected at least 20 seconds")
        config_file = core.config.data_dir / "kiosk.toml"
        assert not config_file.exists()
        m.saveSetting("ui.inactivity_timeout_s", "abc")
        wait_idle(qtbot, m)
        assert "ui.inactivity_timeout_s" in m.message and m.messageKind == "error"
        m.saveSetting("ui.inactivity_timeout_s", "150")
        wait_idle(qtbot, m)
        assert m.message.endswith("需要重启生效"), m.message
        m.saveSetting("kiosk.hall_name", "贵阳市云岩区政务服务中心")
        wait_idle(qtbot, m)
        written = tomllib.loads(config_file.read_text(encoding="utf-8"))
        assert written == {"ui": {"inactivity_timeout_s": 150},
                           "kiosk": {"hall_name": "贵阳市云岩区政务服务中心"}}
        reloaded = load_config(config_file, env={}, overrides={"data_dir": str(tmp_path)})
        assert reloaded.ui.inactivity_timeout_s == 150
        assert [d["key"] for d in audited("maint_config_set")] == [
            "kiosk.hall_name", "ui.inactivity_timeout_s"]
        edit = {r["key"]: r for r in m.editableRows}
        assert edit["ui.inactivity_timeout_s"]["saved"] == "150"
        m.refreshCatalogue()
        wait_idle(qtbot, m)
        assert m.message.startswith("目录已是最新版本"), m.message

        # -- logs and the readiness report on the drive
        m.setTab("logs")
        m.chooseTarget(str(drive))
        m.exportLogs()
        wait_idle(qtbot, m)
        logs = drive / m.logsResult["logs"]
        assert (logs / "kiosk.log").exists()
        m.exportReport()
        wait_idle(qtbot, m)
        pdf = Path(m.logsResult["reportPath"])
        assert pdf.parent == drive and pdf.read_bytes().startswith(b"%PDF")
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert "终端就绪报告" in text and "就绪" in text
        assert core.config.kiosk.code in text and "身份证阅读器" in text
        assert audited("maint_logs_export")[0]["files"] >= 1
        assert audited("maint_readiness_report")[0]["sha256"] == m.logsResult["reportSha256"]

        # -- audit: the latest entries and the verified chain
        m.setTab("audit")
        m.verifyAudit()
        wait_idle(qtbot, m)
        assert m.auditVerify["ok"] is True and m.auditVerify["checked"] >= 10
        qtbot.waitUntil(lambda: any(r["action"] == "maint_audit_verify" for r in m.auditRows),
                        timeout=5000)
        assert all(r["actor"] for r in m.auditRows)

        # 立即同步 with the platform up delivers the queue
        link_up(qtbot, kw, core)
        m.setTab("queue")
        m.syncNow()
        wait_idle(qtbot, m)
        assert m.message.startswith("同步完成"), m.message
        assert audited("maint_sync_now")

        # 退出维护: the demo cards put in the readers here leave with the technician
        m.exitMaintenance()
        assert m.panel == ""
        assert not kw.devices.idcard.card_present and kw.devices.smartcard.card is None


SHOTS = ("login", "devices", "devices-camera", "queue", "export", "config", "config-effective",
         "logs", "audit")


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_every_maintenance_screen_renders_readably(qtbot, qapp, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   artifacts_dir: Path,
                                                   orientation: str) -> None:
    out = artifacts_dir / "screenshots"
    out.mkdir(exist_ok=True)
    seen = []
    with kiosk_window(tmp_path / "kiosk", orientation=orientation) as (kw, core):
        assert core.sync is not None
        m = maint(kw)
        link_up(qtbot, kw, core)

        def shot(name: str) -> None:
            image = grab(qtbot, kw)
            file = f"maintenance-{orientation}-{name}.png"
            assert image.save(str(out / file))
            assert distinct_colours(image) > 20, f"{file} looks blank"
            problems = check_text(kw)
            assert problems == [], f"{file}: {problems}"
            small = check_touch_targets(kw, core.config.ui.screen_dpi)
            assert small == [], f"{file}: {small}"
            seen.append(name)

        tap_corner(qtbot, kw, 5)
        m.setLoginMethod("totp")
        type_keys(m, "id", "DEMO")
        m.setLoginField("id")
        shot("login")
        type_keys(m, "id", TECH)
        type_keys(m, "code", totp(TECH_SECRET, totp_step(time.time())))
        type_keys(m, "pin", TECH_PIN)
        m.submitLogin()
        qtbot.waitUntil(lambda: m.panel == "main", timeout=10000)

        m.runSelfTests()
        wait_idle(qtbot, m)
        m.startPreview("document_camera")
        qtbot.waitUntil(lambda: m.previewSharpness > 0, timeout=15000)
        shot("devices")
        flick = kw.window.findChild(QQuickItem, "maintFlick")
        assert flick is not None
        flick.setProperty("contentY", flick.property("contentHeight") - flick.height())
        shot("devices-camera")
        m.stopPreview()

        key = core.sync.outbox.enqueue_event("heartbeat", {"queue_depth": 0})
        core.sync.outbox.dead_letter(key, "政务服务平台拒收该申请", "rejected: schema")
        m.setTab("queue")
        qtbot.waitUntil(lambda: bool(m.queue.get("deadLetters")), timeout=5000)
        shot("queue")

        drive = tmp_path / "usb"
        drive.mkdir()
        m.setTab("export")
        m.chooseTarget(str(drive))
        m.exportQueue()
        wait_idle(qtbot, m)
        assert m.exportResult["ok"] is True
        shot("export")

        m.setTab("config")
        m.saveSetting("ui.countdown_s", "10")
        wait_idle(qtbot, m)
        shot("config")
        flick = kw.window.findChild(QQuickItem, "maintFlick")
        flick.setProperty("contentY", flick.property("contentHeight") - flick.height())
        shot("config-effective")

        m.setTab("logs")
        m.exportLogs()
        wait_idle(qtbot, m)
        m.exportReport()
        wait_idle(qtbot, m)
        shot("logs")

        m.setTab("audit")
        m.verifyAudit()
        wait_idle(qtbot, m)
        qtbot.waitUntil(lambda: bool(m.auditRows), timeout=5000)
        shot("audit")
    assert tuple(seen) == SHOTS
    shutil.rmtree(tmp_path / "usb", ignore_errors=True)


def test_settings_go_to_the_config_file_the_kiosk_was_started_with(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    """``kiosk run --config FILE``: main.py hands FILE through ui.app.run to the maintenance
    view-model, so a changed setting lands where the next start reads it."""
    from PySide6.QtQml import QQmlApplicationEngine

    from kiosk.bootstrap import build
    from ui.app import _view_model

    site = tmp_path / "site.toml"
    site.write_text('[kiosk]\nhall_name = "贵阳市云岩区政务服务中心"\n', encoding="utf-8")
    cfg = load_config(site, env={}, overrides={"data_dir": str(tmp_path / "data")})
    core = build(cfg, console_log=False, with_sync=False)
    engine = QQmlApplicationEngine()
    vm, devices = _view_model(core, engine, None, "", site)
    try:
        vm._maintenance.write_setting("ui.countdown_s", 30)
        assert tomllib.loads(site.read_text(encoding="utf-8")) == {
            "kiosk": {"hall_name": "贵阳市云岩区政务服务中心"}, "ui": {"countdown_s": 30}}
        assert not (cfg.data_dir / "kiosk.toml").exists()
        assert load_config(site, env={}).ui.countdown_s == 30  # the next start reads it
    finally:
        vm.shutdown()
        devices.stop()
        core.close()
        engine.deleteLater()
