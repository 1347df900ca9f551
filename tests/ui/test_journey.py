"""The complete citizen journey through the view-models, against the embedded reference
platform on loopback: online (official number), platform unreachable (provisional number,
queued, delivered later, visible in 办件查询), and the link dropping during submission."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from devices.camera.simulated import render_scene
from devices.idcard.simulated import sample_card
from kiosk.masking import mask_id_number, mask_name
from tests.ui.journey_helpers import (
    finish_session,
    kiosk_window,
    link_down,
    link_up,
    submit,
    to_review,
)


@pytest.mark.parametrize("code", ["QR00107002", "GF00109001", "JF00702001"])
def test_online_journey_returns_the_official_case_number(qtbot, qapp, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         code: str) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        vm = kw.view_model
        link_up(qtbot, kw, core)
        to_review(qtbot, kw, code)
        submit(qtbot, kw)
        assert vm.screen == "result"
        sub = vm.submission_vm
        assert sub.caseNo.startswith("520100-" + code)
        assert sub.number == sub.caseNo and sub.numberLabel == "办件编号"
        assert core.platform.state.lookup(sub.provisionalNo)["case_no"] == sub.caseNo


def test_offline_journey_gets_a_provisional_number_and_is_delivered_later(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None and core.platform is not None
        vm = kw.view_model
        link_up(qtbot, kw, core)  # the kiosk has been in contact: offline acceptance allowed
        link_down(qtbot, kw, core)
        to_review(qtbot, kw, "GF00109001")
        submit(qtbot, kw)
        sub = vm.submission_vm
        assert vm.screen == "result"
        assert sub.caseNo == "" and sub.numberLabel == "临时受理编号"
        assert sub.number == sub.provisionalNo.strip() and sub.provisionalNo.startswith("DEMO0001-")
        assert "自动上报" in sub.explanation
        view = core.sync.outbox.lookup(sub.provisionalNo)
        assert view is not None and view.state.value in ("pending", "retry_scheduled")
        assert core.platform.state.lookup(sub.provisionalNo) is None
        number = sub.provisionalNo
        finish_session(qtbot, kw)

        # 办件查询 while still offline: this kiosk's record, with when it was last updated
        vm.wake()
        vm.openQuery()
        query = vm.query_vm
        query.setNumber(number)
        query.search()
        qtbot.waitUntil(lambda: not query.busy, timeout=10000)
        [row] = query.results
        assert row["source"] == "local" and row["stateLabel"] == "待上报" and row["updated"]

        core.platform.clear_faults()  # the link comes back
        core.sync.worker.run_once(pull_status=True)
        qtbot.waitUntil(lambda: vm.linkState == "up", timeout=5000)
        view = core.sync.outbox.lookup(number)
        assert view is not None and view.case_no and view.state.value == "submitted"
        assert core.platform.state.lookup(number)["case_no"] == view.case_no

        # … and after the sync the platform's status, by the number and by the ID card
        query.search()
        qtbot.waitUntil(lambda: not query.busy, timeout=10000)
        [row] = query.results
        assert row["source"] == "platform" and row["caseNo"] == view.case_no
        assert row["stateLabel"] in ("已上报", "已受理")
        # … by the QR code on the receipt, held up to the citizen camera
        query.setNumber("")
        camera = kw.devices.camera
        frame, _ = render_scene("qr", camera.width, camera.height, number)
        camera.set_frames([frame])
        query.startScan()
        assert query.scanning
        qtbot.waitUntil(lambda: not query.scanning and bool(query.results), timeout=15000)
        assert query.number == number and query.results[0]["caseNo"] == view.case_no
        camera.set_frames(None)

        query.setNumber("")
        vm.identify_vm.simulateRemoveIdCard()
        qtbot.waitUntil(lambda: not vm.identify_vm.idcardPresent, timeout=5000)
        vm.identify_vm.simulatePlaceIdCard()
        qtbot.waitUntil(lambda: bool(query.results), timeout=10000)
        assert [r["caseNo"] for r in query.results] == [view.case_no]
        vm.setLanguage("en")  # the service's name follows the language; the record stays
        assert query.results[0]["serviceName"] == vm._catalogue.service(view.service_code).name_en
        vm.setLanguage("zh_CN")
        assert query.results[0]["serviceName"] == view.service_name

        # someone else with the same masks (李* and 520***********1236) sees nothing of it:
        # the match is on a digest of the whole ID number, not on the masked values
        other = dataclasses.replace(sample_card("resident"), name="李明",
                                    id_number="520102198501191236")
        assert (mask_name(other.name), mask_id_number(other.id_number)) == \
            (view.masked_name, view.masked_id)
        vm.identify_vm.simulateRemoveIdCard()
        qtbot.waitUntil(lambda: not vm.identify_vm.idcardPresent, timeout=5000)
        kw.devices.idcard.place(other)
        qtbot.waitUntil(lambda: not query.busy and "未查询到" in query.message, timeout=10000)
        assert query.results == []


def test_link_dropping_during_submission_delivers_exactly_once(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    with kiosk_window(tmp_path) as (kw, core):
        assert core.sync is not None and core.platform is not None
        vm = kw.view_model
        link_up(qtbot, kw, core)
        to_review(qtbot, kw, "QR00107001")
        # the platform stores the application, then the connection dies before the answer
        core.platform.inject("drop_after_commit", path_prefix="/api/v1/applications", count=1)
        submit(qtbot, kw)
        sub = vm.submission_vm
        assert vm.screen == "result" and sub.caseNo == ""  # no acknowledgement: provisional
        stored = core.platform.state.lookup(sub.provisionalNo)
        assert stored is not None  # … although the platform has it
        core.sync.worker.run_once(pull_status=True)  # the retry is answered as a duplicate
        view = core.sync.outbox.lookup(sub.provisionalNo)
        assert view is not None and view.case_no == stored["case_no"]
        apps = [a for a in core.platform.state.applications()
                if a["provisional_no"] == sub.provisionalNo]
        assert len(apps) == 1
