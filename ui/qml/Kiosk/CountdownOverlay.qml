import QtQuick

// The inactivity warning: at least 20 s of visible countdown before the session is wiped.
Rectangle {
    id: overlay
    property int seconds: 0
    signal stay()
    signal finish()
    color: "#cc0b1220"

    // Swallow touches on the backdrop so nothing behind is triggered by accident.
    TapHandler {}

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 900)
        height: box.implicitHeight + 96
        radius: 24
        color: Theme.card
        Column {
            id: box
            anchors.centerIn: parent
            width: parent.width - 96
            spacing: 28
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("您还在办理吗？")
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                text: overlay.seconds
                color: Theme.danger
                font.family: Theme.fontFamily
                font.pixelSize: Math.round(Theme.fontHero * 1.6)
                font.bold: true
            }
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                text: qsTr("%1 秒后将返回首页，并清除您填写的全部信息。").arg(overlay.seconds)
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                visible: !Theme.english
                text: "Still there? This session ends in %1 s and your data will be erased.".arg(overlay.seconds)
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
            Row {
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: Theme.gap
                KButton { text: qsTr("继续办理"); subText: "Continue"; onClicked: overlay.stay() }
                KButton { text: qsTr("结束办理"); subText: "End now"; primary: false; onClicked: overlay.finish() }
            }
        }
    }
}
