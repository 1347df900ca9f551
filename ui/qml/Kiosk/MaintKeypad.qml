pragma ComponentBehavior: Bound
import QtQuick

// The maintenance log-in keypad: digits (and letters for a technician ID). It holds no
// value: each key goes to MaintenanceViewModel.pressKey, which owns the PIN and the code.
Column {
    id: pad
    property bool letters: false
    property int keyWidth: Math.round(170 * Theme.scale)
    signal key(string name)
    spacing: 12

    Flow {
        visible: pad.letters
        width: 3 * pad.keyWidth + 24
        spacing: 8
        Repeater {
            model: ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
                    "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"]
            delegate: KButton {
                required property string modelData
                width: Math.floor((3 * pad.keyWidth + 24 - 8 * 8) / 9)
                text: modelData
                primary: false
                onClicked: pad.key(modelData)
            }
        }
    }
    Grid {
        columns: 3
        spacing: 12
        Repeater {
            model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"]
            delegate: KButton {
                required property string modelData
                width: pad.keyWidth
                height: Math.round(112 * Theme.scale)  // one height, with or without a gloss
                text: modelData === "clear" ? qsTr("清空") : modelData === "back" ? qsTr("退格") : modelData
                subText: modelData === "clear" ? "Clear" : modelData === "back" ? "Delete" : ""
                primary: false
                onClicked: pad.key(modelData)
            }
        }
    }
}
