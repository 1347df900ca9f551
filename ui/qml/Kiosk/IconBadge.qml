import QtQuick

// A coloured square with one hanzi: department and life-event icons without image assets.
Rectangle {
    id: badge
    property string icon: ""
    property int size: 88
    width: size
    height: size
    radius: size / 4
    color: Theme.deptColor(icon)
    Text {
        anchors.centerIn: parent
        text: Theme.deptGlyph(badge.icon)
        color: "#ffffff"
        font.family: Theme.fontFamily
        font.pixelSize: Math.round(badge.size * 0.5)
        font.bold: true
    }
}
