import QtQuick

// A coloured box with one message: info (blue), warning (orange), error (red), ok (green).
Rectangle {
    id: box
    property string text: ""
    property string kind: "info"
    readonly property color fg: kind === "error" ? Theme.danger : kind === "warning" ? Theme.warning
                              : kind === "ok" ? Theme.success : Theme.primaryDark
    visible: text.length > 0
    width: parent ? parent.width : 0
    height: visible ? label.implicitHeight + 36 : 0
    radius: Theme.radius
    color: kind === "error" ? "#fdecea" : kind === "warning" ? Theme.warningBg
         : kind === "ok" ? "#e6f4ea" : Theme.primaryLight
    border.color: fg
    border.width: 2
    Text {
        id: label
        anchors.verticalCenter: parent.verticalCenter
        x: 24
        width: parent.width - 48
        text: box.text
        color: box.fg
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        font.bold: true
        wrapMode: Text.Wrap
    }
}
