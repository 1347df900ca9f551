"""Voice guidance through QtTextToSpeech's mock engine: 长辈版 hears every screen's next
step, everyone hears the inactivity warning and "请取回您的证件", English sessions hear
English, and no prompt carries personal data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtTextToSpeech import QTextToSpeech

from kiosk.bootstrap import build
from kiosk.config import load_config
from kiosk.journey import Journey
from kiosk.logsetup import shutdown_logging
from tests.ui.journey_helpers import Clock
from ui.app import create_window


def test_voice_guidance_follows_the_screens(qtbot, qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    cfg = load_config(env={}, overrides={"data_dir": str(tmp_path)})
    core = build(cfg, console_log=False, with_sync=False)
    core.journey = Journey(core.catalogue, inactivity_timeout_s=cfg.ui.inactivity_timeout_s,
                           countdown_s=cfg.ui.countdown_s, clock=clock)
    kw = create_window(core, voice_engine="mock")
    try:
        vm = kw.view_model
        voice = vm.voice
        assert voice.engine == "mock"
        vm.wake()
        vm.openService("QR00107002")
        assert list(voice.spoken) == []  # standard version: quiet while browsing
        vm.setElderMode(True)
        assert voice.spoken[-1].startswith("这是办事指南")
        vm.startApplication()
        assert voice.spoken[-1] == "请将身份证平放在阅读区"
        tts = voice._tts
        assert tts is not None
        qtbot.waitUntil(lambda: tts.state() in (QTextToSpeech.State.Speaking,
                                                QTextToSpeech.State.Ready), timeout=3000)
        vm.setLanguage("en")
        vm.goBack()
        assert voice.spoken[-1].startswith("This guide lists")

        # the countdown speaks, in any version
        vm.setElderMode(False)
        clock.t += core.journey.timeout_s - 25
        vm.tick()
        assert vm.countdownVisible and voice.spoken[-1].startswith("Are you still there")
        vm.stayHere()
        assert all("李" not in text for text in voice.spoken)
    finally:
        kw.close()
        core.close()
        shutdown_logging()
