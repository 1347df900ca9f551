pragma ComponentBehavior: Bound
import QtQuick

// A numeric keypad for PINs and staff numbers: no system keyboard, nothing echoed but dots
// (``masked``). ``value`` is what was typed; ``maxLength`` caps it.
Column {
    id: pad
    property string value: ""
    property bool masked: true
    property int maxLength: 12
    property string placeholder: ""
    spacing: 12

    function clear() { value = "" }

    Rectangle {
        width: grid.width
        height: Theme.touchMin
        radius: Theme.radius
        color: Theme.card
        border.color: Theme.primary
        border.width: 3
        Text {
            anchors.centerIn: parent
            text: pad.value.length === 0 ? pad.placeholder
                  : pad.masked ? "●".repeat(pad.value.length) : pad.value
            color: pad.value.length === 0 ? Theme.textMuted : Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: pad.value.length === 0 ? Theme.fontBody : Theme.fontLarge
            font.letterSpacing: pad.masked && pad.value.length > 0 ? 8 : 0
        }
    }
    Grid {
        id: grid
        columns: 3
        spacing: 12
        Repeater {
            model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "清空", "0", "⌫"]
            delegate: KButton {
                id: key
                required property string modelData
                width: Math.round(150 * Theme.scale)
                text: key.modelData
                primary: false
                onClicked: {
                    if (key.modelData === "⌫")
                        pad.value = pad.value.slice(0, -1)
                    else if (key.modelData === "清空")
                        pad.value = ""
                    else if (pad.value.length < pad.maxLength)
                        pad.value += key.modelData
                }
            }
        }
    }
}
