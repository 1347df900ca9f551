"""The on-screen keyboard as a citizen uses it: pinyin typed on Qt Virtual Keyboard's
zh_CN layout becomes Chinese characters in a form field, through the real input panel of
the kiosk window (offscreen), not by setting values on the view-model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Q_ARG, QMetaObject, Qt
from PySide6.QtQml import QQmlComponent
from PySide6.QtQuick import QQuickItem

from tests.ui.journey_helpers import identify, kiosk_window
from tests.ui.test_screens import grab

#: a QML object that presses keys of the virtual keyboard and picks a candidate, the way a
#: finger does (InputEngine.virtualKeyClick is what the key buttons call)
DRIVER = b"""
import QtQuick
import QtQuick.VirtualKeyboard
QtObject {
    property string locale: InputContext.locale
    property bool panelVisible: Qt.inputMethod.visible
    property var candidates: []
    function press(ch) {
        InputContext.inputEngine.virtualKeyClick(ch.toUpperCase().charCodeAt(0), ch, 0)
        var m = InputContext.inputEngine.wordCandidateListModel
        var out = []
        for (var i = 0; i < m.count; ++i)
            out.push(m.dataAt(i, 0))
        candidates = out
    }
    function choose(i) { InputContext.inputEngine.wordCandidateListModel.selectItem(i) }
}
"""


def field_editor(root: QQuickItem, field_id: str) -> QQuickItem:
    """The visible text field inside the FieldEditor of ``field_id``."""
    stack = [root]
    while stack:
        item = stack.pop()
        if item.property("fieldId") == field_id:
            inner = list(item.childItems())
            while inner:
                child = inner.pop()
                if child.inherits("QQuickTextInput") and child.isVisible():
                    return child
                inner.extend(child.childItems())
        stack.extend(item.childItems())
    raise AssertionError(f"no text field for {field_id}")


def call(obj: Any, name: str, arg: Any) -> None:
    QMetaObject.invokeMethod(obj, name, Qt.ConnectionType.DirectConnection,
                             Q_ARG("QVariant", arg))


def test_pinyin_on_the_virtual_keyboard_types_chinese_into_the_form(  # type: ignore[no-untyped-def]
        qtbot, qapp, tmp_path: Path, artifacts_dir: Path) -> None:
    with kiosk_window(tmp_path, with_sync=False) as (kw, _core):
        vm = kw.view_model
        qtbot.waitExposed(kw.window)
        identify(qtbot, kw, "QR00107002")
        vm.completeStep()
        assert vm.screen == "form"
        qtbot.wait(50)
        field = field_editor(kw.window.contentItem(), "destination")
        field.forceActiveFocus()
        qtbot.waitUntil(lambda: field.hasActiveFocus(), timeout=3000)

        component = QQmlComponent(kw.engine)
        component.setData(DRIVER, "driver.qml")
        driver = component.create()
        assert driver is not None, component.errorString()
        qtbot.waitUntil(lambda: driver.property("panelVisible") is True, timeout=5000)
        assert driver.property("locale") == "zh_CN"

        for ch in "guiyang":
            call(driver, "press", ch)
        candidates = driver.property("candidates").toVariant()
        assert "贵阳" in candidates, candidates[:10]
        qtbot.wait(200)  # let the candidate bar render before the screenshot
        out = artifacts_dir / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        assert grab(qtbot, kw).save(str(out / "keyboard-pinyin-candidates.png"))
        call(driver, "choose", candidates.index("贵阳"))
        qtbot.waitUntil(lambda: vm.citizen.form.get("destination") == "贵阳", timeout=3000)
        assert field.property("text") == "贵阳"
