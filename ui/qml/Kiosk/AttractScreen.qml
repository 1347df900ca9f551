import QtQuick

// 待机页: what this machine is for, and one obvious way in. Any touch starts a session.
Rectangle {
    id: screen
    required property var app
    gradient: Gradient {
        GradientStop { position: 0.0; color: "#0a4fc2" }
        GradientStop { position: 1.0; color: "#062f75" }
    }

    TapHandler { onTapped: screen.app.wake() }

    // 维护模式: five taps within three seconds on this invisible top-right corner
    // (docs/maintenance.md); it takes the taps, so they do not start a session
    MouseArea {
        objectName: "maintenanceCorner"
        anchors.top: parent.top
        anchors.right: parent.right
        width: Theme.touchMin * 1.5
        height: width
        // every press counts (quick taps pair into double clicks); while the kiosk is still
        // starting (ui/app.py BootViewModel) there is nothing to open yet
        onPressed: if (screen.app.maintenance.cornerTap) screen.app.maintenance.cornerTap()
    }

    Column {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin
        spacing: Theme.landscape ? 36 : 56

        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Theme.landscape ? 150 : 200; height: width; radius: width / 2
            color: "#ffffff"
            Text {
                anchors.centerIn: parent
                text: "政"
                color: "#0a4fc2"
                font.family: Theme.fontFamily
                font.pixelSize: parent.width * 0.55
                font.bold: true
            }
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("政务服务自助终端")
            color: "#ffffff"
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontHero
            font.bold: true
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: "Government Services Self-Service Terminal"
            color: "#c9d8ff"
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("一网通办　·　就近可办　·　断网也能受理")
            color: "#e3ecff"
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontLarge
        }
        Rectangle {
            id: cta
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.min(parent.width, 760); height: Theme.landscape ? 150 : 190
            radius: height / 2
            color: "#ffffff"
            Column {
                anchors.centerIn: parent
                Text {
                    anchors.horizontalCenter: parent.horizontalCenter
                    text: qsTr("轻触屏幕　开始办理")
                    color: "#0a4fc2"
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                }
                Text {
                    anchors.horizontalCenter: parent.horizontalCenter
                    text: "Touch to start"
                    color: "#4b5563"
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                }
            }
            SequentialAnimation on scale {
                loops: Animation.Infinite
                running: true
                NumberAnimation { from: 1.0; to: 1.04; duration: 900; easing.type: Easing.InOutQuad }
                NumberAnimation { from: 1.04; to: 1.0; duration: 900; easing.type: Easing.InOutQuad }
            }
        }
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: Theme.gap * 2
            KButton {
                text: qsTr("长辈版"); subText: "Large text"
                primary: false
                width: 300
                onClicked: { screen.app.wake(); screen.app.setElderMode(true) }
            }
            KButton {
                text: "English"; subText: "英文界面"
                primary: false
                width: 300
                onClicked: { screen.app.wake(); screen.app.setLanguage("en") }
            }
        }
    }

    Column {
        anchors.bottom: parent.bottom
        anchors.bottomMargin: Theme.margin
        anchors.horizontalCenter: parent.horizontalCenter
        spacing: 8
        Text {
            anchors.horizontalCenter: parent.horizontalCenter
            text: screen.app.hallName
            color: "#e3ecff"
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        Text {
            anchors.horizontalCenter: parent.horizontalCenter
            text: qsTr("终端编号 %1　·　请勿将身份证遗留在设备上").arg(screen.app.kioskCode)
            color: "#a9c0f0"
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
        }
    }
}
