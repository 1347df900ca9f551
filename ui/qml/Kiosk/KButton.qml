import QtQuick
import QtQuick.Controls.Basic

// The one button of the kiosk: large, high-contrast, with an optional English second line.
Button {
    id: control
    property string subText: ""
    property bool primary: true
    property bool subtle: false

    implicitHeight: Math.max(Theme.touchMin, contentItem.implicitHeight + 24)
    implicitWidth: Math.max(Theme.touchMin * 2, contentItem.implicitWidth + 56)
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    font.bold: true

    contentItem: Item {
        implicitWidth: labels.implicitWidth
        implicitHeight: labels.implicitHeight
        Column {
            id: labels
            anchors.centerIn: parent
            spacing: 2
            Text {
                anchors.horizontalCenter: parent.horizontalCenter
                text: control.text
                font: control.font
                color: control.primary && !control.subtle ? Theme.textOnPrimary : Theme.primaryDark
                opacity: control.enabled ? 1.0 : 0.45
            }
            Text {
                anchors.horizontalCenter: parent.horizontalCenter
                visible: control.subText.length > 0 && !Theme.english
                text: control.subText
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                color: control.primary && !control.subtle ? Theme.textOnPrimary : Theme.textMuted
                opacity: control.enabled ? 0.9 : 0.4
            }
        }
    }
    background: Rectangle {
        radius: Theme.radius
        color: control.subtle ? "transparent"
             : !control.primary ? (control.down ? Theme.primaryLight : Theme.card)
             : control.down ? Theme.primaryDark : Theme.primary
        border.width: control.primary && !control.subtle ? 0 : 3
        border.color: control.subtle ? Theme.border : Theme.primary
        opacity: control.enabled ? 1.0 : 0.5
    }
}
