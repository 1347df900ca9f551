"""The attract screen before the core exists (``ui.app.run``): Main.qml over the
``BootViewModel`` loads and renders without a QML warning, so the boot object is in step
with what Main.qml binds outside its screens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtQml import QQmlApplicationEngine

from kiosk.config import load_config
from ui.app import BootViewModel, _load_main


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
