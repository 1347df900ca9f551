pragma ComponentBehavior: Bound
import QtQuick

// 日志与报告: the (already redacted) log files and the readiness report PDF, to the drive
// chosen here or on 导出.
Flow {
    id: tab
    required property var m
    readonly property var r: m.logsResult
    spacing: Theme.gap

    MaintTargets { m: tab.m }

    MaintSection {
        title: qsTr("导出日志与就绪报告")
        subTitle: "Logs and readiness report"
        Text {
            width: parent.width
            text: qsTr("日志已去除个人信息。就绪报告（PDF）包含设备自检结果、链路、队列、版本和磁盘空间。")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            wrapMode: Text.Wrap
        }
        Flow {
            width: parent.width
            spacing: Theme.gap
            KButton {
                text: qsTr("导出日志")
                subText: "Export logs"
                enabled: !tab.m.busy && tab.m.target.length > 0
                onClicked: tab.m.exportLogs()
            }
            KButton {
                text: qsTr("导出就绪报告")
                subText: "Readiness report (PDF)"
                enabled: !tab.m.busy && tab.m.target.length > 0
                onClicked: tab.m.exportReport()
            }
        }
        MaintField {
            visible: (tab.r.logs || "").length > 0
            label: qsTr("日志")
            value: qsTr("%1（%2 个文件，%3）").arg(tab.r.logs || "").arg(tab.r.logFiles ?? 0).arg(tab.r.logSize || "")
            tone: "ok"
        }
        MaintField {
            visible: (tab.r.report || "").length > 0
            label: qsTr("就绪报告")
            value: tab.r.report || ""
            tone: "ok"
        }
        MaintField {
            visible: (tab.r.reportSha256 || "").length > 0
            label: "SHA-256"
            value: tab.r.reportSha256 || ""
            size: Theme.fontSmall
        }
    }
}
