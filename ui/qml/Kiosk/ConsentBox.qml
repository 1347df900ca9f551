import QtQuick

// A large tick box with its sentence: the whole row is the touch target.
Rectangle {
    id: box
    property bool checked: false
    property string text: ""
    signal toggled(bool on)
    implicitHeight: Math.max(Theme.touchMin, label.implicitHeight + 40)
    radius: Theme.radius
    color: box.checked ? Theme.primaryLight : Theme.card
    border.color: box.checked ? Theme.primary : Theme.border
    border.width: 2
    Rectangle {
        id: tick
        x: 28
        anchors.verticalCenter: parent.verticalCenter
        width: Math.round(52 * Theme.scale); height: width
        radius: 8
        color: box.checked ? Theme.primary : Theme.card
        border.color: box.checked ? Theme.primary : Theme.textMuted
        border.width: 3
        Text {
            anchors.centerIn: parent
            visible: box.checked
            text: "✓"
            color: Theme.textOnPrimary
            font.family: Theme.fontFamily
            font.pixelSize: Math.round(parent.width * 0.7)
            font.bold: true
        }
    }
    Text {
        id: label
        anchors.left: tick.right
        anchors.leftMargin: 24
        anchors.right: parent.right
        anchors.rightMargin: 28
        anchors.verticalCenter: parent.verticalCenter
        text: box.text
        color: Theme.text
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
        lineHeight: 1.1
    }
    TapHandler { onTapped: box.toggled(!box.checked) }
}
