import QtQuick

// 办理完成: take your card and your receipt; the citizen's data is wiped when this ends.
Rectangle {
    id: screen
    required property var app
    color: Theme.background
    Column {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin
        spacing: Theme.landscape ? Theme.gap : Theme.margin
        Item {  // the card bobs up and down inside its own slot (the Column owns y)
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.round((Theme.landscape ? 220 : 300) * Theme.scale)
            height: Math.round((Theme.landscape ? 140 : 190) * Theme.scale) + 24
            CardGlyph {
                width: parent.width
                height: parent.height - 24
                kind: "idcard"
                SequentialAnimation on y {
                    loops: Animation.Infinite
                    NumberAnimation { from: 24; to: 0; duration: 700; easing.type: Easing.InOutQuad }
                    NumberAnimation { from: 0; to: 24; duration: 700; easing.type: Easing.InOutQuad }
                }
            }
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("请取回您的证件")
            color: Theme.danger
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontHero
            font.bold: true
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: qsTr("以及您的回执。感谢您的使用！\n离开后，本机将清除您的全部信息。")
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontLarge
            lineHeight: 1.2
        }
        KButton {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.round(420 * Theme.scale)
            text: qsTr("完成")
            subText: "Done"
            onClicked: screen.app.submission.finish()
        }
    }
}
