"""Session hygiene: citizen A walks away mid-form and the session times out; citizen B
starts. Nothing of A may be left in B's screens, the view-models, the kiosk's files, the
temporary directory, the clipboard or the log-redaction registry (which would mean A's
values are still held somewhere)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from devices.idcard.simulated import sample_card
from kiosk import redaction
from tests.ui.journey_helpers import Clock, identify, kiosk_window, link_up
from tests.ui.test_screens import text_items

A_PHONE = "13987654321"
A_ADDRESS = "贵州省贵阳市观山湖区林城西路99号"


def files_under(path: Path) -> dict[Path, bytes]:
    out = {}
    for root, _dirs, files in os.walk(path):
        for name in files:
            p = Path(root) / name
            try:
                out[p] = p.read_bytes()
            except OSError:
                continue
    return out


def test_next_citizen_sees_nothing_of_the_one_who_timed_out(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, monkeypatch) -> None:
    import ui.app

    cleanups: list[str] = []  # ui.app.after_session_cleanup: QML garbage, then malloc_trim
    monkeypatch.setattr(ui.app, "release_free_heap", lambda: cleanups.append("trim"))
    clock = Clock()
    tmp_before = set(os.listdir(tempfile.gettempdir()))
    with kiosk_window(tmp_path, clock=clock) as (kw, core):
        vm = kw.view_model
        card_a = sample_card("resident")
        secrets = [card_a.name, card_a.id_number, A_PHONE, A_ADDRESS, "520102199003071236"[:14]]

        link_up(qtbot, kw, core)
        # citizen A: identified, half-way through the form, copies the phone number
        identify(qtbot, kw, "QR00107002")
        vm.completeStep()
        vm.form_vm.setValue("phone", A_PHONE)
        vm.form_vm.setValue("destination", A_ADDRESS)
        QGuiApplication.clipboard().setText(A_PHONE)
        vm.setElderMode(True)
        assert vm.screen == "form" and vm.citizen.identity is not None
        assert redaction._registry.matcher is not None  # A's values are being redacted

        # A walks away: the countdown shows, then the session is wiped
        clock.t += core.journey.timeout_s - 25
        vm.tick()
        assert vm.countdownVisible
        clock.t += 26
        vm.tick()
        assert vm.screen == "attract"
        assert cleanups == []
        qtbot.waitUntil(lambda: cleanups == ["trim"], timeout=2000)  # the JS heap collected

        # nothing of A is held any more
        assert vm.citizen.identity is None and vm.citizen.form == {}
        assert vm.citizen.signature_png is None and vm.citizen.receipt is None
        assert vm.form_vm._model.rows() == [] and vm.review_vm.rows == []
        assert not vm.identify_vm.hasIdentity and vm.identify_vm.maskedName == ""
        assert vm.submission_vm.number == "" and vm.query_vm.results == []
        assert QGuiApplication.clipboard().text() == ""
        assert not vm.elderMode and vm.language == "zh_CN"  # accessibility settings reset
        # the reader itself forgets A's card only when it is taken away
        kw.devices.idcard.remove()
        qtbot.waitUntil(lambda: not vm.identify_vm.idcardPresent, timeout=5000)
        matcher = redaction._registry.matcher
        needles = {n for g in matcher.groups for n in g.needles} if matcher else set()
        held = [s for s in secrets if s.casefold() in needles]
        assert held == [], f"values of A are still registered: {held}"

        # citizen B starts the same service with another card
        kw.devices.idcard.place(sample_card("resident_long_term"))
        vm.wake()
        vm.openService("QR00107002")
        vm.startApplication()
        qtbot.waitUntil(lambda: bool(vm.identify_vm.hasIdentity), timeout=5000)
        assert vm.identify_vm.maskedName == "欧阳**"
        vm.completeStep()
        rows = {r["fieldId"]: r["value"] for r in vm.form_vm._model.rows()}
        assert rows["phone"] == "" and rows["destination"] == ""
        qtbot.wait(100)
        shown = " ".join(str(item.property("text")) for item in text_items(kw.window.contentItem()))
        for secret in [*secrets, "李*", "李华"]:
            assert secret not in shown, f"B's screen shows {secret!r}"
        for vm_obj in (vm.form_vm, vm.review_vm, vm.submission_vm, vm.query_vm):
            dump = repr([getattr(vm_obj, n, "") for n in dir(vm_obj) if n[0].islower()])
            for secret in secrets:
                assert secret not in dump

        # no file of the kiosk or in the temporary directory holds A's data in clear
        for path, data in files_under(tmp_path).items():
            for secret in secrets:
                assert secret.encode() not in data, f"{secret!r} found in {path}"
    new_tmp = set(os.listdir(tempfile.gettempdir())) - tmp_before
    for name in new_tmp:
        path = Path(tempfile.gettempdir()) / name
        for data in (files_under(path).values() if path.is_dir() else
                     [path.read_bytes()] if path.is_file() else []):
            for secret in secrets:
                assert secret.encode() not in data, f"{secret!r} in temporary {path}"
