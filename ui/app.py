"""Qt start-up: the application object, fonts, the virtual keyboard and the QML engine.

This is the only place that creates Qt's application object. ``create_window``
is shared by ``run`` (the kiosk) and the screenshot tests, so what the tests
render is what the kiosk shows.

``run`` shows the attract screen first and builds the rest after its first frame: the
window is loaded over a :class:`BootViewModel` (constants from the configuration), and
only then are the core (sync stack, embedded platform, catalogue), the view-models and
the devices built and bound to the same window. The heavy imports (view-models, devices,
the sync stack) are therefore local to the functions that need them.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    Property,
    QCoreApplication,
    QEvent,
    QObject,
    QTimer,
    QTranslator,
    QUrl,
    Slot,
)
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine, QQmlComponent, QQmlEngine
from PySide6.QtQuick import QQuickWindow

if TYPE_CHECKING:
    from kiosk.bootstrap import Core
    from kiosk.config import Config
    from ui.devices import KioskDevices
    from ui.viewmodels import ActivityFilter, AppViewModel

log = logging.getLogger(__name__)

QML_DIR = Path(__file__).resolve().parent / "qml"
I18N_DIR = Path(__file__).resolve().parent / "i18n"
FONT_FAMILY = "Noto Sans CJK SC"


def prepare_environment() -> None:
    """Must run before the QGuiApplication exists."""
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")


def pin_singleton_refcounts() -> None:
    """Work around two PySide6 6.12.0 reference-count bugs that abort the interpreter on
    Python 3.11 (Debian 12's):

    * every call of a wrapped C++ method that returns ``void`` (``setObjectName``,
      ``QTimer.start``, ``deleteLater``, ``processEvents``, ``QTimer.singleShot``…) returns
      ``None`` without a new reference, so each takes one reference away from ``None``:
      in a small process ~5,000 such calls end in "none_dealloc: deallocating None";
    * ``SignalInstance.emit()`` (and ``disconnect()``) return ``True`` the same way: with the
      view-models emitting a few hundred signals per citizen session, ``True`` reached zero
      after about 75 sessions ("bool_dealloc", found by bench/bench_memory.py).

    Python 3.12+ makes these singletons immortal; before that, give them a count no kiosk
    lifetime can use up (one lost reference per call: 2**60 is centuries at a million calls
    a second). tests/ui/test_boot.py reproduces both and fails once PySide6 is fixed:
    remove this then."""
    if sys.version_info >= (3, 12):
        return
    import ctypes

    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt, first field
        if refcount.value < 1 << 59:
            refcount.value += 1 << 60


def _libc() -> Any:
    """glibc through ctypes, or None (another C library: the tuning below is glibc's). By
    its soname: ``ctypes.util.find_library`` costs ~17 ms of start-up (it runs ldconfig)."""
    import ctypes

    try:
        lib = ctypes.CDLL("libc.so.6")
        return lib if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim") else None
    except OSError:
        return None


def limit_malloc_arenas() -> None:
    """glibc gives threads that contend for malloc their own arenas (up to 8 per core), and
    memory freed in an arena stays resident. The kiosk's threads (sync worker, device
    pollers, one-off jobs, Qt's) made that ~30 MB of RSS (bench/bench_memory.py); Python's
    GIL serialises most allocations anyway. Two arenas, set before the threads start
    (``run`` calls ``ensure_app`` before it builds the core).

    And a fixed mmap threshold of 1 MB: camera frames, their QImages and the scan's working
    images (1.5–2.7 MB each, ten a second during a preview) get their own mappings and go
    back to the system when freed. glibc's default threshold is dynamic: after the first
    freed frame it rises above the frame size, the frames then come from the heap and the
    freed ones stay resident and fragment it: in a probe of 8 document scans, 11 MB more
    resting RSS even after ``malloc_trim`` and a 15 MB higher peak (docs/benchmarks.md)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(-8, 2)  # M_ARENA_MAX
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD (setting it turns the dynamic one off)


def release_free_heap() -> None:
    """Give the heap memory freed by the last session (camera frames, the screens' QML)
    back to the system, so the resting RSS does not creep up with fragmentation."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def after_session_cleanup(engine: QQmlEngine) -> QTimer:
    """A timer to start when the kiosk is back on the attract screen: 200 ms later (the last
    screen's QML is destroyed by then) it runs the QML engine's garbage collector, so the
    JavaScript values the session's screens held (the citizen's text among them) are freed
    now rather than whenever a later allocation triggers a collection, and then gives the
    freed heap back (``release_free_heap``). One timer, restarted: a new
    ``QTimer.singleShot`` per session leaves a Python block behind in PySide6 6.12."""
    timer = QTimer(engine)
    timer.setSingleShot(True)
    timer.setInterval(200)

    def clean() -> None:
        engine.collectGarbage()
        release_free_heap()

    timer.timeout.connect(clean)
    return timer


def ensure_app(argv: list[str] | None = None) -> QGuiApplication:
    pin_singleton_refcounts()
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        app = existing
    else:
        limit_malloc_arenas()
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


class _BootPanel(QObject):
    """``app.staff`` and ``app.maintenance`` as Main.qml reads them on the attract screen:
    nobody logged in, no panel open."""

    loggedIn = Property(bool, lambda s: False, constant=True, final=True)
    active = Property(bool, lambda s: False, constant=True, final=True)
    panel = Property(str, lambda s: "", constant=True, final=True)


class BootViewModel(QObject):
    """The ``app`` of the window until the real view-model exists (``run``): the properties
    Main.qml and the attract screen read, as constants from the configuration, so the first
    frame needs neither the core nor the view-models. A touch meanwhile is remembered
    (``woken``) and replayed on the real view-model. Keep it in step with what Main.qml
    binds outside its screens (tests/ui/test_boot.py loads it without a warning)."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self._config = config
        self._panel = _BootPanel(self)
        self.woken = False

    @Slot()
    def wake(self) -> None:
        self.woken = True

    screen = Property(str, lambda s: "attract", constant=True, final=True)
    title = Property(str, lambda s: "", constant=True, final=True)
    canGoBack = Property(bool, lambda s: False, constant=True, final=True)
    canGoHome = Property(bool, lambda s: False, constant=True, final=True)
    elderMode = Property(bool, lambda s: False, constant=True, final=True)
    language = Property(str, lambda s: s._config.ui.language, constant=True, final=True)
    countdownVisible = Property(bool, lambda s: False, constant=True, final=True)
    countdownReason = Property(str, lambda s: "", constant=True, final=True)
    countdownSeconds = Property(int, lambda s: 0, constant=True, final=True)
    linkState = Property(str, lambda s: "unknown", constant=True, final=True)
    linkLabel = Property(str, lambda s: "", constant=True, final=True)
    orientation = Property(str, lambda s: s._config.ui.orientation, constant=True, final=True)
    hallName = Property(str, lambda s: s._config.kiosk.hall_name, constant=True, final=True)
    hallNameEn = Property(str, lambda s: s._config.kiosk.hall_name_en, constant=True,
                          final=True)
    kioskCode = Property(str, lambda s: s._config.kiosk.code, constant=True, final=True)
    demoMode = Property(bool, lambda s: s._config.mode == "demo", constant=True, final=True)
    staff = Property(QObject, lambda s: s._panel, constant=True, final=True)
    maintenance = Property(QObject, lambda s: s._panel, constant=True, final=True)


def _load_main(engine: QQmlApplicationEngine, app_object: QObject) -> QQuickWindow:
    engine.addImportPath(str(QML_DIR))
    engine.setInitialProperties({"app": app_object})
    errors: list[str] = []
    engine.warnings.connect(lambda ws: errors.extend(w.toString() for w in ws))
    engine.load(QUrl.fromLocalFile(str(QML_DIR / "Main.qml")))
    roots = engine.rootObjects()
    if not roots:
        raise RuntimeError("QML failed to load: " + "; ".join(errors))
    window = roots[0]
    assert isinstance(window, QQuickWindow)
    return window


def files_loaded_on_demand() -> list[Path]:
    """The QML files Main.qml loads by file when they are first shown rather than with the
    window: every screen but the attract screen, the staff panel and the maintenance layer."""
    kiosk = QML_DIR / "Kiosk"
    screens = sorted(p for p in kiosk.glob("*Screen.qml") if p.stem != "AttractScreen")
    return [*screens, kiosk / "StaffPanel.qml", kiosk / "MaintLayer.qml"]


def compile_in_background(engine: QQmlApplicationEngine) -> list[QQmlComponent]:
    """Start compiling ``files_loaded_on_demand`` in the engine's loader thread, so that the
    first citizen's screens do not wait for it: the engine caches the types by URL and
    ScreenHost (ui/qml/Kiosk) finds them there. The components are the engine's children
    (they hold the types for its lifetime)."""
    return [QQmlComponent(engine, QUrl.fromLocalFile(str(path)),
                          QQmlComponent.CompilationMode.Asynchronous, engine)
            for path in files_loaded_on_demand()]


def _view_model(core: Core, engine: QQmlApplicationEngine, devices: KioskDevices | None,
                voice_engine: str, config_path: Path | None = None,
                ) -> tuple[AppViewModel, KioskDevices]:
    from ui.devices import KioskDevices
    from ui.viewmodels import AppViewModel
    from ui.voice import VoiceGuide

    if devices is None:
        devices = KioskDevices.from_config(core.config)
    vm = AppViewModel(core.config, core.catalogue, core.journey, core.sync, devices,
                      VoiceGuide(voice_engine), demo_identity_token=_demo_identity_token(core),
                      config_path=config_path)
    vm.setParent(engine)  # outlives the QML that binds to it, whatever Python collects first
    engine.addImageProvider("kiosk", vm.frame_provider)
    return vm, devices


def _demo_identity_token(core: Core) -> Callable[[], str] | None:
    """In the demo, a fresh one-time identity token of the sample card holder from the
    embedded platform (what the e-ID app would show as a QR code)."""
    platform = getattr(core, "platform", None)
    if core.config.mode != "demo" or platform is None:
        return None

    def issue() -> str:
        from devices.idcard.simulated import sample_card

        card = sample_card("resident")
        return str(platform.state.issue_identity_token(card.name, card.id_number))

    return issue


def create_window(core: Core, devices: KioskDevices | None = None, *,
                  voice_engine: str = "auto") -> KioskWindow:
    """The kiosk window over ``core``. ``devices`` defaults to the ones the configuration
    names (simulated in demo mode); they are started here and stopped by ``close()``.
    ``voice_engine``: a QtTextToSpeech engine name, "auto" (speech-dispatcher on a display,
    the mock engine offscreen) or "" (silent)."""
    ensure_app()
    engine = QQmlApplicationEngine()
    vm, devices = _view_model(core, engine, devices, voice_engine)
    window = _load_main(engine, vm)
    return _wire(engine, window, vm, devices)


def _wire(engine: QQmlApplicationEngine, window: QQuickWindow, vm: AppViewModel,
          devices: KioskDevices) -> KioskWindow:
    """Activity filter, translations, devices: what the window needs once ``vm`` is its app."""
    from ui.viewmodels import ActivityFilter

    app = ensure_app()
    flt = ActivityFilter(vm)
    app.installEventFilter(flt)
    languages = Languages(app, engine)
    # the session's language, and back to the default when a session ends
    vm.sessionChanged.connect(lambda: languages.apply(vm.session_language))
    vm.screenChanged.connect(lambda: languages.apply(vm.session_language))
    languages.apply(vm.session_language)
    # back on the attract screen: the session's objects are gone once the screen's QML is
    cleanup = after_session_cleanup(engine)
    vm.screenChanged.connect(lambda: cleanup.start() if vm.screen == "attract" else None)
    devices.start(vm.identify_vm.idcard_bridge, vm.identify_vm.smartcard_bridge)
    return KioskWindow(engine=engine, window=window, view_model=vm, activity_filter=flt,
                       devices=devices, languages=languages)


def run(config: Config, *, screenshot: Path | None = None,
        config_path: Path | None = None) -> int:
    """Show the kiosk until the application quits: the attract screen first, then
    ``kiosk.bootstrap.build(config)`` and the view-models after its first frame. A
    ``KioskError`` of the build is raised from here once the event loop has stopped. With
    ``screenshot``, save the first frame of the complete kiosk there and quit; the times of
    the first frame and of the kiosk being ready are printed (``bench/bench_startup.py``:
    CLOCK_MONOTONIC is system-wide, so it compares them with its own)."""
    app = ensure_app()
    engine = QQmlApplicationEngine()
    boot = BootViewModel(config)
    boot.setParent(engine)
    window = _load_main(engine, boot)
    if config.ui.fullscreen and app.platformName() not in ("offscreen", "minimal"):
        window.showFullScreen()
    started: list[tuple[Core, KioskWindow]] = []
    failed: list[BaseException] = []

    def first_frame() -> None:
        window.frameSwapped.disconnect(first_frame)
        if screenshot is not None:
            print(f"first frame at monotonic {time.monotonic():.6f}", flush=True)
        QTimer.singleShot(0, finish_start)

    def finish_start() -> None:
        from kiosk.bootstrap import build

        try:
            core = build(config)
        except BaseException as err:  # re-raised after exec(): a slot must not raise
            failed.append(err)
            app.exit(2)
            return
        try:
            vm, devices = _view_model(core, engine, None, "auto", config_path)
            window.setProperty("app", vm)
            started.append((core, _wire(engine, window, vm, devices)))
        except BaseException as err:
            core.close()
            failed.append(err)
            app.exit(2)
            return
        if boot.woken:
            vm.wake()
        compile_in_background(engine)
        log.info("kiosk %s started (%s, %s)", config.kiosk.code, config.mode,
                 config.ui.orientation)
        if screenshot is not None:
            print(f"kiosk ready at monotonic {time.monotonic():.6f}", flush=True)
            window.frameSwapped.connect(save_frame)
            window.update()

    def save_frame() -> None:
        window.frameSwapped.disconnect(save_frame)
        ok = window.grabWindow().save(str(screenshot))
        log.info("first frame saved to %s", screenshot if ok else "(failed)")
        app.exit(0 if ok else 1)

    window.frameSwapped.connect(first_frame)
    code = app.exec()
    for core, kw in started:
        kw.close()
        core.close()
    if not started:
        window.close()
        engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if failed:
        raise failed[0]
    return int(code)
