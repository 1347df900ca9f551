pragma ComponentBehavior: Bound
import QtQuick

// 导出: the undelivered queue as one signed, encrypted bundle on a removable drive
// (sneakernet, docs/maintenance.md), for the platform's import when the link is down.
Flow {
    id: tab
    required property var m
    spacing: Theme.gap

    MaintTargets { m: tab.m }

    MaintSection {
        title: qsTr("导出待上报数据")
        subTitle: "Export the queue"
        Text {
            width: parent.width
            text: qsTr("导出文件已签名并加密，只有政务服务平台能读取；本机数据不会删除，仍会照常上报。")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            wrapMode: Text.Wrap
        }
        KButton {
            text: qsTr("开始导出")
            subText: "Export"
            enabled: !tab.m.busy && tab.m.target.length > 0
            onClicked: tab.m.exportQueue()
        }
        Notice {
            text: tab.m.exportResult.ok === false ? tab.m.exportResult.error : ""
            kind: "error"
        }
        Column {
            visible: tab.m.exportResult.ok === true
            width: parent.width
            spacing: 10
            MaintField { label: qsTr("文件"); value: tab.m.exportResult.file || ""; tone: "ok" }
            MaintField { label: qsTr("项目数"); value: String(tab.m.exportResult.items ?? "") }
            MaintField {
                label: qsTr("其中")
                value: qsTr("申请 %1 · 事件 %2 · 附件 %3").arg(tab.m.exportResult.applications ?? 0)
                       .arg(tab.m.exportResult.events ?? 0).arg(tab.m.exportResult.attachments ?? 0)
            }
            MaintField { label: qsTr("大小"); value: tab.m.exportResult.size || "" }
            MaintField { label: "SHA-256"; value: tab.m.exportResult.sha256 || ""; size: Theme.fontSmall }
        }
    }
}
