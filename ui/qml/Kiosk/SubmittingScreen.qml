import QtQuick

// 正在提交: the application is being stored and sent; the inactivity timer is held.
Item {
    id: screen
    required property var app
    Column {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin
        spacing: Theme.margin
        Item {
            anchors.horizontalCenter: parent.horizontalCenter
            width: 160; height: 160
            Rectangle {
                anchors.fill: parent
                radius: width / 2
                color: "transparent"
                border.color: Theme.primaryLight
                border.width: 16
            }
            Canvas {
                id: arc
                anchors.fill: parent
                onPaint: {
                    const ctx = getContext("2d")
                    ctx.reset()
                    ctx.strokeStyle = Theme.primary
                    ctx.lineWidth = 16
                    ctx.lineCap = "round"
                    ctx.beginPath()
                    ctx.arc(width / 2, height / 2, width / 2 - 8, 0, Math.PI / 2)
                    ctx.stroke()
                }
                RotationAnimation on rotation { from: 0; to: 360; duration: 1200; loops: Animation.Infinite }
            }
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("正在提交，请稍候…")
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontTitle
            font.bold: true
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: qsTr("您的申请正在加密保存并上报政务服务平台，请不要离开。")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
    }
}
