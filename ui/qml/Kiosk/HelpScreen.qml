import QtQuick

// 一键呼叫: the request is queued to hall staff with the screen the citizen was on.
Rectangle {
    id: screen
    required property var app
    readonly property string callState: app.help.state
    color: Theme.background
    Column {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin
        spacing: Theme.margin
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.round(200 * Theme.scale); height: width; radius: width / 2
            color: screen.callState === "failed" ? Theme.warningBg : Theme.primaryLight
            Text {
                anchors.centerIn: parent
                text: screen.callState === "failed" ? "!" : "☎"
                color: screen.callState === "failed" ? Theme.warning : Theme.primary
                font.family: Theme.fontFamily
                font.pixelSize: Math.round(parent.width * 0.5)
                font.bold: true
            }
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: screen.callState === "failed" ? qsTr("呼叫没有发出")
                 : screen.callState === "sent" ? qsTr("工作人员马上就到")
                 : qsTr("正在呼叫工作人员…")
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontHero
            font.bold: true
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: screen.callState === "failed" ? qsTr("请到大厅服务台寻求帮助，或拨打12345政务服务便民热线。")
                                            : qsTr("请在本机旁稍候，您已填写的内容都会保留。")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontLarge
        }
        KButton {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.round(420 * Theme.scale)
            text: qsTr("返回继续办理")
            subText: "Back"
            onClicked: screen.app.goBack()
        }
        // the hand-off: staff who came to help log in here and go on with the same draft
        KButton {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.round(420 * Theme.scale)
            visible: screen.app.staff.available
            text: screen.app.staff.loggedIn ? qsTr("本机办件") : qsTr("工作人员登录")
            subText: screen.app.staff.loggedIn ? "Terminal queue" : "Staff log-in"
            primary: false
            onClicked: screen.app.staff.loggedIn ? screen.app.staff.openDesk() : screen.app.staff.openLogin()
        }
    }
}
