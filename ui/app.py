"""Qt start-up: the application object, fonts, the virtual keyboard and the QML engine.

This is the only place that creates Qt's application object. ``create_window``
is shared by ``run`` (the kiosk) and the screenshot tests, so what the tests
render is what the kiosk shows.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QTranslator, QUrl
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickWindow

from kiosk.bootstrap import Core
from ui.devices import KioskDevices
from ui.viewmodels import ActivityFilter, AppViewModel
from ui.voice import VoiceGuide

log = logging.getLogger(__name__)

QML_DIR = Path(__file__).resolve().parent / "qml"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
FONT_FAMILY = "Noto Sans CJK SC"


def prepare_environment() -> None:
    """Must run before the QGuiApplication exists."""
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")


def ensure_app(argv: list[str] | None = None) -> QGuiApplication:
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        app = existing
    else:
        prepare_environment()
        app = QGuiApplication(argv if argv is not None else sys.argv[:1])
        app.setApplicationName("gov-kiosk")
        app.setOrganizationName("gov-kiosk")
    font = QFont(FONT_FAMILY)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    QGuiApplication.setFont(font)
    return app


@dataclass
class KioskWindow:
    engine: QQmlApplicationEngine
    window: QQuickWindow
    view_model: AppViewModel
    activity_filter: ActivityFilter
    devices: KioskDevices
    languages: Languages

    def close(self) -> None:
        """Stop the devices and background jobs, then tear down QML before the view-models
        it binds to (they are the engine's children)."""
        self.devices.stop()
        self.view_model.shutdown()
        self.languages.close()
        app = QGuiApplication.instance()
        if app is not None:
            app.removeEventFilter(self.activity_filter)
        self.window.close()
        self.engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class Languages:
    """Qt translations per session language: the QML is written in Simplified Chinese and
    ``ui/i18n/kiosk_<lang>.qm`` (built by scripts/setup.sh from the ``.ts``) translates it.
    A language without its ``.qm`` stays Chinese (logged once)."""

    def __init__(self, app: QGuiApplication, engine: QQmlApplicationEngine) -> None:
        self._app = app
        self._engine = engine
        self._active: QTranslator | None = None
        self._current = "zh_CN"

    def apply(self, language: str) -> None:
        if language == self._current:
            return
        self._current = language
        if self._active is not None:
            self._app.removeTranslator(self._active)
            self._active = None
        if language != "zh_CN":
            translator = QTranslator()
            if translator.load(str(I18N_DIR / f"kiosk_{language.split('_')[0]}.qm")):
                self._app.installTranslator(translator)
                self._active = translator
            else:
                log.warning("no translation for %s: run scripts/setup.sh to build it",
                            language)
        self._engine.retranslate()

    def close(self) -> None:
        if self._active is not None:
            self._app.removeTranslator(self._active)
            self._active = None


def create_window(core: Core, devices: KioskDevices | None = None, *,
                  voice_engine: str = "auto") -> KioskWindow:
    """The kiosk window over ``core``. ``devices`` defaults to the ones the configuration
    names (simulated in demo mode); they are started here and stopped by ``close()``.
    ``voice_engine``: a QtTextToSpeech engine name, "auto" (speech-dispatcher on a display,
    the mock engine offscreen) or "" (silent)."""
    app = ensure_app()
    if devices is None:
        devices = KioskDevices.from_config(core.config)
    engine = QQmlApplicationEngine()
    vm = AppViewModel(core.config, core.catalogue, core.journey, core.sync, devices,
                      VoiceGuide(voice_engine))
    vm.setParent(engine)  # outlives the QML that binds to it, whatever Python collects first
    engine.addImportPath(str(QML_DIR))
    engine.addImageProvider("kiosk", vm.frame_provider)
    engine.setInitialProperties({"app": vm})
    errors: list[str] = []
    engine.warnings.connect(lambda ws: errors.extend(w.toString() for w in ws))
    engine.load(QUrl.fromLocalFile(str(QML_DIR / "Main.qml")))
    roots = engine.rootObjects()
    if not roots:
        raise RuntimeError("QML failed to load: " + "; ".join(errors))
    window = roots[0]
    assert isinstance(window, QQuickWindow)
    flt = ActivityFilter(vm)
    app.installEventFilter(flt)
    languages = Languages(app, engine)
    # the session's language, and back to the default when a session ends
    vm.sessionChanged.connect(lambda: languages.apply(vm.session_language))
    vm.screenChanged.connect(lambda: languages.apply(vm.session_language))
    languages.apply(vm.session_language)
    devices.start(vm.identify_vm.idcard_bridge, vm.identify_vm.smartcard_bridge)
    return KioskWindow(engine=engine, window=window, view_model=vm, activity_filter=flt,
                       devices=devices, languages=languages)


def run(core: Core, *, screenshot: Path | None = None) -> int:
    """Show the kiosk until the application quits. With ``screenshot``, save the first
    rendered frame there and quit (the start-up benchmark and headless checks use it)."""
    app = ensure_app()
    kw = create_window(core)
    if core.config.ui.fullscreen and app.platformName() not in ("offscreen", "minimal"):
        kw.window.showFullScreen()
    if screenshot is not None:
        def save_first_frame() -> None:
            # CLOCK_MONOTONIC is system-wide: bench/bench_startup.py compares it with its own
            print(f"first frame at monotonic {time.monotonic():.6f}", flush=True)
            kw.window.frameSwapped.disconnect(save_first_frame)
            ok = kw.window.grabWindow().save(str(screenshot))
            log.info("first frame saved to %s", screenshot if ok else "(failed)")
            app.exit(0 if ok else 1)

        kw.window.frameSwapped.connect(save_first_frame)
    log.info("kiosk %s started (%s, %s)", core.config.kiosk.code, core.config.mode,
             core.config.ui.orientation)
    code = app.exec()
    kw.close()
    return int(code)
