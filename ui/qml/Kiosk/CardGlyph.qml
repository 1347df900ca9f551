pragma ComponentBehavior: Bound
import QtQuick

// A drawn card (ID card, 社保卡 with its chip, or a QR code) — no image assets needed.
Rectangle {
    id: glyph
    property string kind: "idcard"
    radius: 10
    color: kind === "sscard" ? "#d7263d" : kind === "qr" ? "#ffffff" : "#cfe0f7"
    border.color: kind === "qr" ? Theme.text : "#7a93b8"
    border.width: 2
    Rectangle {  // chip (社保卡) or photo (ID card)
        visible: glyph.kind !== "qr"
        x: glyph.kind === "sscard" ? parent.width * 0.12 : parent.width * 0.62
        y: parent.height * (glyph.kind === "sscard" ? 0.3 : 0.18)
        width: parent.width * (glyph.kind === "sscard" ? 0.22 : 0.26)
        height: parent.height * (glyph.kind === "sscard" ? 0.34 : 0.6)
        radius: 4
        color: glyph.kind === "sscard" ? "#f2c14e" : "#8fa9cf"
    }
    Column {  // text lines
        visible: glyph.kind !== "qr"
        x: glyph.kind === "sscard" ? parent.width * 0.42 : parent.width * 0.1
        y: parent.height * 0.24
        spacing: parent.height * 0.1
        Repeater {
            model: 3
            Rectangle {
                width: glyph.width * 0.42
                height: Math.max(3, glyph.height * 0.07)
                radius: 2
                color: glyph.kind === "sscard" ? "#ffffff" : "#7a93b8"
            }
        }
    }
    Grid {  // a stylised QR
        visible: glyph.kind === "qr"
        anchors.centerIn: parent
        columns: 5
        spacing: 2
        Repeater {
            model: [1,1,0,1,1, 1,0,1,0,1, 0,1,1,1,0, 1,0,1,0,1, 1,1,0,1,1]
            Rectangle {
                required property var modelData
                width: glyph.height * 0.14; height: width
                color: modelData ? Theme.text : "transparent"
            }
        }
    }
}
