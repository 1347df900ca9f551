import QtQuick

// 帮办模式: who is logged in on this terminal, the desk and log-out, under the header.
Rectangle {
    id: bar
    required property var staff
    implicitHeight: Math.round(Theme.touchMin * 1.15)
    color: "#fff4e5"
    border.color: Theme.warning
    border.width: 2

    Row {
        anchors.verticalCenter: parent.verticalCenter
        anchors.left: parent.left
        anchors.leftMargin: Theme.margin
        spacing: 16
        Text {
            anchors.verticalCenter: parent.verticalCenter
            text: qsTr("帮办模式")
            color: Theme.warning
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            font.bold: true
        }
        Text {
            anchors.verticalCenter: parent.verticalCenter
            text: bar.staff.staffName + "（" + bar.staff.staffId + "）"
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
        }
    }
    Row {
        anchors.verticalCenter: parent.verticalCenter
        anchors.right: parent.right
        anchors.rightMargin: Theme.margin
        spacing: 16
        KButton { text: qsTr("本机办件"); subText: "Queue"; primary: false; onClicked: bar.staff.openDesk() }
        KButton { text: qsTr("退出"); subText: "Log out"; primary: false; onClicked: bar.staff.logout() }
    }
}
