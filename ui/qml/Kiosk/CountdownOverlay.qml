import QtQuick

// The inactivity warning: at least 20 s of visible countdown before the session is wiped.
// reason "card": the 社保卡 that identified the citizen was pulled; putting it back continues.
Rectangle {
    id: overlay
    property int seconds: 0
    property string reason: "idle"
    readonly property bool card: reason === "card"
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
                text: overlay.card ? qsTr("社保卡已拔出") : qsTr("您还在办理吗？")
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
                text: overlay.card
                      ? qsTr("请在 %1 秒内重新插入社保卡继续办理，否则将结束办理并清除您的全部信息。").arg(overlay.seconds)
                      : qsTr("%1 秒后将返回首页，并清除您填写的全部信息。").arg(overlay.seconds)
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
            Text {
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                visible: !Theme.english
                text: overlay.card
                      ? "Your card was taken out. Put it back within %1 s to continue, or this session ends and your data is erased.".arg(overlay.seconds)
                      : "Still there? This session ends in %1 s and your data will be erased.".arg(overlay.seconds)
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
            Row {
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: Theme.gap
                KButton { visible: !overlay.card; text: qsTr("继续办理"); subText: "Continue"; onClicked: overlay.stay() }
                KButton { text: qsTr("结束办理"); subText: "End now"; primary: false; onClicked: overlay.finish() }
            }
        }
    }
}
