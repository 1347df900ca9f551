"""The shell with the real sync stack: the header shows the link, and a guide says when a
service cannot be accepted right now and why (platform down, demo mode's embedded
platform stopped)."""

from __future__ import annotations

from pathlib import Path

from kiosk.bootstrap import build
from kiosk.config import load_config
from kiosk.logsetup import shutdown_logging
from ui.app import create_window


def test_guide_and_header_follow_the_link(qtbot, qapp, tmp_path: Path,  # type: ignore[no-untyped-def]
                                          artifacts_dir: Path) -> None:
    cfg = load_config(env={}, overrides={"data_dir": str(tmp_path)})
    core = build(cfg, console_log=False)
    assert core.sync is not None and core.platform is not None
    kw = create_window(core)
    try:
        vm = kw.view_model
        core.sync.worker.run_once(pull_status=True)
        qtbot.waitUntil(lambda: vm.linkState == "up", timeout=5000)
        online_only = next(s for s in core.catalogue.services if not s.offline_allowed)
        offline_ok = next(s for s in core.catalogue.services if s.offline_allowed)
        vm.wake()
        vm.openService(online_only.code)
        assert vm.guide.availableNow and vm.guide.availability == ""

        core.platform.stop()  # the link drops
        core.sync.worker.run_once(pull_status=True)
        qtbot.waitUntil(lambda: vm.linkState == "down", timeout=5000)
        assert not vm.guide.availableNow and "需联网" in vm.guide.availability
        qtbot.wait(60)
        kw.window.grabWindow().save(str(artifacts_dir / "screenshots" /
                                        "portrait-guide-link-down.png"))
        vm.goBack()
        vm.openService(offline_ok.code)
        # the first pass confirmed the catalogue, contact was just now: accepted offline
        assert vm.guide.availableNow and "自动上报" in vm.guide.availability
    finally:
        kw.close()
        core.close()
        shutdown_logging()
