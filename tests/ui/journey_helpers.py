"""Driving the citizen journey through the view-models, as a person would with the screen:
shared by the journey, fault, leakage and screenshot tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kiosk.bootstrap import Core, build
from kiosk.catalogue import FormField, Service
from kiosk.config import load_config
from kiosk.journey import Journey
from kiosk.logsetup import shutdown_logging
from sync.backoff import BackoffPolicy
from ui.app import KioskWindow, create_window

#: typed values per field kind: valid, and recognisably not the card holder's
VALUES = {
    "name": "王小明",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "date": "2024-03-15",
    "number": "2",
    "address": "贵州省贵阳市云岩区中山西路10号",
    "text": "贵阳市测试单位",
    "textarea": "家庭收入较低，申请帮助",
    "uscc": "91350100M000100Y43",
}
#: fields whose catalogue pattern the generic values do not meet
BY_FIELD = {"fund_account": "123456789012", "bank_account": "6222021234567890123",
            "cert_no": "黔(2023)贵阳市不动产权第0012345号"}
SIGNATURE = [{"x": 40 + i * 12, "y": 120 + (i % 5) * 14} for i in range(40)]


class Clock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@contextmanager
def kiosk_window(tmp_path: Path, *, orientation: str = "portrait", with_sync: bool = True,
                 clock: Clock | None = None,
                 **overrides: Any) -> Iterator[tuple[KioskWindow, Core]]:
    """A kiosk window over a fresh data directory; with ``with_sync`` the embedded reference
    platform runs on loopback and the sync worker thread is stopped (tests run the passes)."""
    cfg = load_config(env={}, overrides={"data_dir": str(tmp_path), "ui.orientation": orientation,
                                         **overrides})
    core = build(cfg, console_log=False, with_sync=with_sync)
    if clock is not None:
        core.journey = Journey(core.catalogue, inactivity_timeout_s=cfg.ui.inactivity_timeout_s,
                               countdown_s=cfg.ui.countdown_s, clock=clock)
    if core.sync is not None:
        core.sync.worker.stop()
        core.sync.worker.policy = BackoffPolicy(base_s=0.0, cap_s=0.0, spread_s=0.0)
    kw = create_window(core)
    try:
        yield kw, core
    finally:
        kw.close()
        core.close()
        shutdown_logging()


def link_up(qtbot: Any, kw: KioskWindow, core: Core) -> None:
    assert core.sync is not None
    core.sync.worker.run_once(pull_status=True)
    qtbot.waitUntil(lambda: kw.view_model.linkState == "up", timeout=5000)


def link_down(qtbot: Any, kw: KioskWindow, core: Core) -> None:
    """The platform becomes unreachable: every connection is reset."""
    assert core.sync is not None and core.platform is not None
    core.platform.inject("reset", path_prefix="/api/")
    core.sync.worker.run_once(pull_status=True)
    qtbot.waitUntil(lambda: kw.view_model.linkState == "down", timeout=5000)


def value_for(f: FormField) -> str:
    if f.id in BY_FIELD:
        return BY_FIELD[f.id]
    if f.kind == "select":
        return f.options[0]
    return VALUES[f.kind]


def identify(qtbot: Any, kw: KioskWindow, service_code: str, *, card: str = "idcard") -> None:
    vm = kw.view_model
    if vm.screen == "attract":
        vm.wake()
    vm.openService(service_code)
    vm.startApplication()
    assert vm.screen == "identify"
    if card == "idcard":
        vm.identify_vm.simulatePlaceIdCard()
    else:
        vm.identify_vm.simulateInsertSsCard()
    qtbot.waitUntil(lambda: bool(vm.identify_vm.hasIdentity), timeout=5000)


def fill_form(kw: KioskWindow, service: Service) -> None:
    vm = kw.view_model
    assert vm.screen == "form"
    rows = {r["fieldId"]: r for r in vm.form_vm._model.rows()}
    for f in service.fields:
        if rows[f.id]["locked"] or (rows[f.id]["value"] and f.prefill):
            continue
        vm.form_vm.setValue(f.id, value_for(f))


def scan_material(qtbot: Any, kw: KioskWindow, material_id: str) -> None:
    """Take a picture of one material with the (simulated) 高拍仪 and use it."""
    mats = kw.view_model.materials_vm
    mats.choose(material_id, "scan")
    assert mats.capturing == material_id
    qtbot.waitUntil(lambda: bool(mats.hasResult), timeout=15000)
    mats.acceptCapture()
    assert kw.view_model.citizen.materials[material_id] == "scan"


def pull_licence(qtbot: Any, kw: KioskWindow, material_id: str) -> None:
    """调取电子证照 for one material: the platform is asked on a background job."""
    mats = kw.view_model.materials_vm
    mats.choose(material_id, "elicence")
    qtbot.waitUntil(lambda: not mats.pulling, timeout=10000)
    assert kw.view_model.citizen.materials[material_id] == "elicence", mats.rows


def to_review(qtbot: Any, kw: KioskWindow, service_code: str, *, card: str = "idcard",
              scan: tuple[str, ...] = (), pull: tuple[str, ...] = ()) -> None:
    """From wherever the kiosk is to a complete application on the review screen
    (``card="none"``: the citizen is identified already, on the identify screen)."""
    vm = kw.view_model
    service = vm._catalogue.service(service_code)
    if card != "none":
        identify(qtbot, kw, service_code, card=card)
    vm.completeStep()
    fill_form(kw, service)
    vm.completeStep()
    assert vm.screen == "materials", vm.form_vm._model.rows()
    for material_id in scan:
        scan_material(qtbot, kw, material_id)
    for material_id in pull:
        pull_licence(qtbot, kw, material_id)
    vm.completeStep()
    if service.needs_face:
        assert vm.screen == "face"
        vm.face_vm.setConsent(True)
        vm.face_vm.capture()
        qtbot.waitUntil(lambda: bool(vm.face_vm.captured), timeout=15000)
        vm.completeStep()
    sign_and_consent(kw)


def sign_and_consent(kw: KioskWindow) -> None:
    """From the signature step (one signer) through the consents to the review screen."""
    vm = kw.view_model
    assert vm.screen == "signature"
    vm.signature_vm.setCanvasSize(800, 400)
    vm.signature_vm.addStroke(SIGNATURE)
    vm.completeStep()
    assert vm.screen == "consent"
    for which in ("personal", "sensitive", "commitment"):
        vm.consent_vm.setConsent(which, True)
    vm.completeStep()
    assert vm.screen == "review"


def submit(qtbot: Any, kw: KioskWindow) -> None:
    vm = kw.view_model
    vm.completeStep()
    qtbot.waitUntil(lambda: vm.screen in ("result", "review"), timeout=15000)


def finish_session(qtbot: Any, kw: KioskWindow, *, rating: int = 5) -> None:
    """From the result screen through receipt, 好差评 and farewell back to the attract
    screen."""
    vm = kw.view_model
    sub = vm.submission_vm
    assert vm.screen == "result"
    vm.nextStep()
    assert vm.screen == "receipt"
    qtbot.waitUntil(lambda: sub.printState != "printing", timeout=10000)
    if sub.askConfirm:
        sub.confirmReceipt(True)
    else:
        sub.receiptDone()
    assert vm.screen == "rating"
    sub.rate(rating)
    if rating <= 2:
        sub.toggleReason(sub.reasonOptions[0]["key"])
    sub.sendRating()
    assert vm.screen == "farewell"
    sub.finish()
    assert vm.screen == "attract"
