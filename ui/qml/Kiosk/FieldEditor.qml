pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic

// One form field: label, the editor that suits its kind, the check message under it.
// Text kinds use the on-screen keyboard with the hints the view-model chose (digits for
// phones and numbers, upper-case Latin for codes, pinyin for the rest); a select shows
// its options as buttons; a date opens a picker instead of the keyboard.
Column {
    id: editor
    property string fieldId: ""
    property string label: ""
    property string kind: "text"
    property bool mandatory: false
    property string value: ""
    property string error: ""
    property var options: []  // [{value, label}]: the value stored, the label shown
    property string help: ""
    property int hints: 0
    property int maxLength: 100
    property bool locked: false
    property bool fromCard: false
    property bool needsFix: false  // 需补正: the platform asked for this field to be corrected
    signal edited(string fieldId, string value)
    signal leftField(string fieldId)
    signal focused(Item item)
    signal pickDate(string fieldId, string value)

    spacing: 10

    Row {
        spacing: 12
        Text {
            // a long (English) label wraps instead of running off the edge
            width: Math.min(implicitWidth, editor.width - 40)
            text: editor.label + (editor.mandatory ? "" : qsTr("（选填）"))
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            font.bold: true
            wrapMode: Text.Wrap
        }
        Text {
            visible: editor.mandatory
            text: "*"
            color: Theme.danger
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            font.bold: true
        }
        Rectangle {
            visible: editor.needsFix
            anchors.verticalCenter: parent.verticalCenter
            width: fixTag.implicitWidth + 20; height: fixTag.implicitHeight + 8
            radius: 8
            color: Theme.warningBg
            Text {
                id: fixTag
                anchors.centerIn: parent
                text: qsTr("需补正")
                color: Theme.warning
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }
        }
        Rectangle {
            visible: editor.fromCard
            anchors.verticalCenter: parent.verticalCenter
            width: cardTag.implicitWidth + 20; height: cardTag.implicitHeight + 8
            radius: 8
            color: "#e6f4ea"
            Text {
                id: cardTag
                anchors.centerIn: parent
                text: editor.locked ? qsTr("来自证件，不可修改") : qsTr("来自证件")
                color: Theme.success
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
        }
    }

    // single-line text kinds
    TextField {
        id: line
        visible: ["text", "name", "id_number", "uscc", "phone", "number", "address"].indexOf(editor.kind) >= 0
        width: parent.width
        height: visible ? Math.round(96 * Theme.scale) : 0
        text: editor.value
        readOnly: editor.locked
        maximumLength: editor.maxLength
        inputMethodHints: editor.hints
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontLarge
        color: editor.locked ? Theme.textMuted : Theme.text
        leftPadding: 24
        placeholderText: editor.help
        placeholderTextColor: "#8a93a3"
        selectByMouse: false
        background: Rectangle {
            radius: Theme.radius
            color: editor.locked ? "#eef0f3" : Theme.card
            border.color: editor.error.length > 0 ? Theme.danger : line.activeFocus ? Theme.primary : Theme.border
            border.width: line.activeFocus || editor.error.length > 0 ? 3 : 2
        }
        onTextEdited: editor.edited(editor.fieldId, text)
        onActiveFocusChanged: activeFocus ? editor.focused(line) : editor.leftField(editor.fieldId)
    }

    // multi-line text
    TextArea {
        id: area
        visible: editor.kind === "textarea"
        width: parent.width
        height: visible ? Math.max(Math.round(200 * Theme.scale), implicitHeight) : 0
        text: editor.value
        wrapMode: TextEdit.Wrap
        inputMethodHints: editor.hints
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        color: Theme.text
        leftPadding: 24; topPadding: 16
        placeholderText: editor.help
        placeholderTextColor: "#8a93a3"
        background: Rectangle {
            radius: Theme.radius
            color: Theme.card
            border.color: editor.error.length > 0 ? Theme.danger : area.activeFocus ? Theme.primary : Theme.border
            border.width: area.activeFocus || editor.error.length > 0 ? 3 : 2
        }
        onTextChanged: if (activeFocus && text !== editor.value) editor.edited(editor.fieldId, text)
        onActiveFocusChanged: activeFocus ? editor.focused(area) : editor.leftField(editor.fieldId)
    }

    // options as large buttons: no keyboard
    Flow {
        visible: editor.kind === "select"
        width: parent.width
        spacing: 16
        Repeater {
            model: editor.kind === "select" ? editor.options : []
            delegate: KButton {
                required property var modelData
                text: modelData.label
                primary: editor.value === modelData.value
                font.bold: editor.value === modelData.value
                onClicked: editor.edited(editor.fieldId, modelData.value)
            }
        }
    }

    // a date: the picker, never the keyboard
    KButton {
        visible: editor.kind === "date"
        width: parent.width
        primary: false
        text: editor.value.length > 0 ? editor.value : qsTr("点此选择日期")
        subText: editor.value.length > 0 ? qsTr("点此修改") : "Pick a date"
        onClicked: editor.pickDate(editor.fieldId, editor.value)
    }

    Text {
        width: parent.width
        visible: editor.error.length > 0
        text: "✕ " + editor.error
        color: Theme.danger
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
    }
    Text {
        width: parent.width
        visible: editor.error.length === 0 && editor.help.length > 0 && (editor.kind === "select" || editor.kind === "date")
        text: editor.help
        color: Theme.textMuted
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
    }
}
