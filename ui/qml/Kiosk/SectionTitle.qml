import QtQuick

Row {
    id: row
    property string text: ""
    property string subText: ""
    spacing: 16
    Rectangle { width: 8; height: title.height; radius: 4; color: Theme.primary }
    Text {
        id: title
        text: row.text
        color: Theme.text
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontLarge
        font.bold: true
    }
    Text {
        anchors.baseline: title.baseline
        visible: !Theme.english  // the English gloss of a Chinese title
        text: row.subText
        color: Theme.textMuted
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
    }
}
