"""The attract screen before the core exists (``ui.app.run``): Main.qml over the
``BootViewModel`` loads and renders without a QML warning, so the boot object is in step
with what Main.qml binds outside its screens."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtQml import QQmlApplicationEngine

from kiosk.config import load_config
from ui.app import BootViewModel, _load_main, ensure_app


def test_main_qml_loads_over_the_boot_view_model_without_warnings(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path) -> None:
    config = load_config(env={}, overrides={"data_dir": str(tmp_path)})
    engine = QQmlApplicationEngine()
    warnings: list[str] = []
    engine.warnings.connect(lambda ws: warnings.extend(w.toString() for w in ws))
    boot = BootViewModel(config)
    boot.setParent(engine)
    window = _load_main(engine, boot)
    try:
        with qtbot.waitSignal(window.frameSwapped, timeout=10000):
            window.update()
        assert warnings == []
        boot.wake()  # a touch before the kiosk is ready is remembered
        assert boot.woken
    finally:
        window.close()
        engine.deleteLater()


def test_dropped_emit_results_cannot_use_up_true(qapp) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12.0's ``emit()`` returns ``True`` without a new reference; ensure_app()
    pins the bool singletons so a long-running kiosk does not abort. When this starts
    failing at the first assertion, PySide6 is fixed: remove ``pin_singleton_refcounts``."""
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        changed = Signal()

    emitter = Emitter()
    before = sys.getrefcount(True)
    for _ in range(100):
        emitter.changed.emit()
    assert sys.getrefcount(True) - before <= -90, "PySide6 fixed? see pin_singleton_refcounts"


def test_ensure_app_pins_the_singletons(qapp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The kiosk's entry point pins them (this test process is pinned already by
    tests/conftest.py, so the counts themselves prove nothing here: a spy does)."""
    import ui.app

    calls: list[int] = []
    monkeypatch.setattr(ui.app, "pin_singleton_refcounts", lambda: calls.append(1))
    ensure_app()
    assert calls == [1]


def test_void_calls_cannot_use_up_none(qapp) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12.0 returns ``None`` from every wrapped ``void`` method without a new
    reference: each call takes one away, and ~5,000 calls abort a small interpreter (the
    child below, without the work-around); the kiosk's ensure_app() pins ``None``. When the first
    assertion fails, PySide6 is fixed: remove ``pin_singleton_refcounts``."""
    import subprocess

    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        obj.setObjectName("x")
    assert sys.getrefcount(None) - before <= -90, "PySide6 fixed? see pin_singleton_refcounts"
    if sys.version_info >= (3, 12):
        return

    loop = ("from PySide6.QtCore import QObject\n"
            "o = QObject()\n"
            "for _ in range(1_000_000): o.setObjectName('x')\n"
            "print('survived')\n")
    pinned = "from ui.app import ensure_app; app = ensure_app()\n"  # as the kiosk starts
    root = Path(__file__).resolve().parents[2]
    bare = subprocess.run([sys.executable, "-c", loop], capture_output=True, text=True,
                          timeout=120, cwd=root, check=False)
    assert bare.returncode != 0 and "none_dealloc" in bare.stderr
    fixed = subprocess.run([sys.executable, "-c", pinned + loop], capture_output=True,
                           text=True, timeout=120, cwd=root, check=False)
    assert fixed.returncode == 0 and "survived" in fixed.stdout, fixed.stderr[-2000:]


def test_the_screens_main_qml_loads_by_file_compile_in_background(  # type: ignore[no-untyped-def]
        qtbot, qapp) -> None:
    """Main.qml names its screens and layers by file (so they are not compiled before the
    first frame); every name is a file ``files_loaded_on_demand`` lists, and each compiles
    asynchronously without an error."""
    import re

    from PySide6.QtQml import QQmlComponent

    from ui.app import QML_DIR, compile_in_background, files_loaded_on_demand

    main = (QML_DIR / "Main.qml").read_text(encoding="utf-8")
    named = set(re.findall(r'return "(\w+)"', main)) | set(re.findall(r'\? "(\w+)" : ""', main))
    on_demand = {path.stem for path in files_loaded_on_demand()}
    assert named == on_demand
    assert all(path.exists() for path in files_loaded_on_demand())

    engine = QQmlApplicationEngine()
    engine.addImportPath(str(QML_DIR))
    try:
        components = compile_in_background(engine)
        assert len(components) == len(on_demand)
        assert all(c.parent() is engine for c in components)
        qtbot.waitUntil(lambda: all(not c.isLoading() for c in components), timeout=20000)
        errors = {c.url().fileName(): [e.toString() for e in c.errors()]
                  for c in components if c.status() != QQmlComponent.Status.Ready}
        assert errors == {}
    finally:
        engine.deleteLater()


def test_back_on_the_attract_screen_the_engine_collects_garbage(  # type: ignore[no-untyped-def]
        qtbot, qapp, monkeypatch) -> None:
    """The timer ``_wire`` starts when the kiosk is back on the attract screen runs the QML
    engine's garbage collector (the session's JavaScript values) and then malloc_trim."""
    from PySide6.QtQml import QQmlEngine

    import ui.app
    from ui.app import after_session_cleanup

    calls: list[str] = []

    class Engine(QQmlEngine):
        def collectGarbage(self) -> None:  # noqa: N802
            calls.append("collect")
            super().collectGarbage()

    monkeypatch.setattr(ui.app, "release_free_heap", lambda: calls.append("trim"))
    engine = Engine()
    timer = after_session_cleanup(engine)
    assert timer.parent() is engine and timer.isSingleShot()
    timer.start()
    assert calls == []  # not at once: the last screen's QML goes first
    qtbot.waitUntil(lambda: calls == ["collect", "trim"], timeout=2000)
    timer.start()
    qtbot.waitUntil(lambda: calls == ["collect", "trim"] * 2, timeout=2000)
    engine.deleteLater()
