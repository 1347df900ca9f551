pragma ComponentBehavior: Bound
import QtQuick

// 维护模式: the technician's full-window layer above the citizen screens (log-in, then a
// red banner, the tabs and the current tab). Nothing beneath it takes a touch.
Rectangle {
    id: maint
    required property var app
    readonly property var m: app.maintenance
    color: Theme.background

    MouseArea { anchors.fill: parent }  // swallow every touch meant for the screens beneath

    Loader {
        anchors.fill: parent
        active: maint.m.panel === "login"
        sourceComponent: MaintLogin { m: maint.m }
    }

    Item {
        anchors.fill: parent
        visible: maint.m.panel === "main"

        Rectangle {
            id: banner
            width: parent.width
            height: Math.round(Theme.touchMin * 1.3)
            color: "#b3261e"
            Column {
                anchors.verticalCenter: parent.verticalCenter
                x: Theme.margin
                Text {
                    text: qsTr("维护模式 · %1").arg(maint.m.technician)
                    color: "#ffffff"
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                }
                Text {
                    text: (Theme.english ? "" : "Maintenance mode · ") + maint.m.kioskCode
                    color: "#ffe1de"
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                }
            }
            KButton {
                anchors.verticalCenter: parent.verticalCenter
                anchors.right: parent.right
                anchors.rightMargin: Theme.margin
                primary: false
                text: qsTr("退出维护")
                subText: "Exit"
                onClicked: maint.m.exitMaintenance()
            }
        }

        Row {
            id: tabs
            anchors.top: banner.bottom
            anchors.topMargin: 16
            x: 16
            spacing: 8
            readonly property var names: [
                {"tab": "devices", "text": qsTr("设备"), "sub": "Devices"},
                {"tab": "queue", "text": qsTr("链路与队列"), "sub": "Link & queue"},
                {"tab": "export", "text": qsTr("导出"), "sub": "Export"},
                {"tab": "config", "text": qsTr("目录与配置"), "sub": "Catalogue"},
                {"tab": "logs", "text": qsTr("日志与报告"), "sub": "Logs"},
                {"tab": "audit", "text": qsTr("审计"), "sub": "Audit"}]
            Repeater {
                model: tabs.names
                delegate: KButton {
                    required property var modelData
                    width: Math.floor((maint.width - 32 - 5 * 8) / 6)
                    font.pixelSize: Theme.landscape ? Theme.fontBody : Theme.english ? 24 : 28
                    primary: maint.m.tab === modelData.tab
                    text: modelData.text
                    subText: modelData.sub
                    onClicked: maint.m.setTab(modelData.tab)
                }
            }
        }

        Column {
            id: status
            anchors.top: tabs.bottom
            anchors.topMargin: 16
            x: 16
            width: parent.width - 32
            spacing: 8
            Notice { text: maint.m.busyText; kind: "info" }
            Notice { text: maint.m.busy ? "" : maint.m.message; kind: maint.m.messageKind }
        }

        Flickable {
            id: flick
            objectName: "maintFlick"
            anchors.top: status.bottom
            anchors.topMargin: 16
            anchors.bottom: parent.bottom
            width: parent.width
            contentHeight: page.height + 32
            clip: true
            boundsBehavior: Flickable.StopAtBounds
            Loader {
                id: page
                x: 16
                width: flick.width - 32
                sourceComponent: {
                    switch (maint.m.tab) {
                    case "queue": return queueTab
                    case "export": return exportTab
                    case "config": return configTab
                    case "logs": return logsTab
                    case "audit": return auditTab
                    default: return devicesTab
                    }
                }
            }
        }
        Component { id: devicesTab; MaintDevices { m: maint.m } }
        Component { id: queueTab; MaintQueue { m: maint.m } }
        Component { id: exportTab; MaintExport { m: maint.m } }
        Component { id: configTab; MaintConfig { m: maint.m } }
        Component { id: logsTab; MaintLogs { m: maint.m } }
        Component { id: auditTab; MaintAudit { m: maint.m } }
    }
}
