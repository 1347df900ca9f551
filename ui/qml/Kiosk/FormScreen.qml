pragma ComponentBehavior: Bound
import QtQuick

// 填写信息: the service's fields, prefilled from the card and checked as the citizen types.
StepPage {
    id: screen
    required property var app
    readonly property var form: app.form
    steps: app.steps
    heading: qsTr("请填写申请信息")
    subHeading: qsTr("带 * 的为必填项。来自证件的信息已自动填好。")
    onPrimary: {
        if (screen.form.complete()) {
            screen.app.nextStep()
        } else if (screen.form.firstError >= 0) {
            const item = fieldRepeater.itemAt(screen.form.firstError)
            if (item) screen.ensureVisible(item)
        }
    }

    function ensureVisible(item) {
        const p = item.mapToItem(screen.flick.contentItem, 0, 0)
        const top = p.y - Theme.gap
        const bottom = p.y + item.height + Theme.gap
        if (top < screen.flick.contentY)
            screen.flick.contentY = Math.max(0, top)
        else if (bottom > screen.flick.contentY + screen.flick.height)
            screen.flick.contentY = Math.min(bottom - screen.flick.height,
                                             Math.max(0, screen.flick.contentHeight - screen.flick.height))
    }
    property Item focusedEditor: null
    Connections {
        target: screen.flick
        function onHeightChanged() { if (screen.focusedEditor) Qt.callLater(screen.ensureVisible, screen.focusedEditor) }
    }

    Notice {
        text: screen.form.errorCount > 0 ? qsTr("还有 %1 项需要修改，请查看红色提示。").arg(screen.form.errorCount) : ""
        kind: "error"
    }

    Repeater {
        id: fieldRepeater
        model: screen.form.fields
        delegate: FieldEditor {
            required fieldId
            required label
            required kind
            required mandatory
            required value
            required error
            required options
            required help
            required hints
            required maxLength
            required locked
            required fromCard
            required needsFix
            width: parent.width
            onEdited: (id, text) => screen.form.setValue(id, text)
            onLeftField: (id) => screen.form.touch(id)
            onFocused: (item) => { screen.focusedEditor = item; Qt.callLater(screen.ensureVisible, item) }
            onPickDate: (id, current) => datePicker.openAt(id, current)
        }
    }

    DatePicker {
        id: datePicker
        parent: screen
        onPicked: (id, value) => screen.form.setValue(id, value)
    }
}
