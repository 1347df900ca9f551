pragma ComponentBehavior: Bound
import QtQuick

// 审计: the latest audit entries and 校验审计链 (recompute the hash chain; OK or the first
// broken entry).
Flow {
    id: tab
    required property var m
    readonly property var v: m.auditVerify
    spacing: Theme.gap

    MaintSection {
        title: qsTr("审计链校验")
        subTitle: "Verify the audit chain"
        KButton {
            text: qsTr("校验审计链")
            subText: "Verify"
            enabled: !tab.m.busy
            onClicked: tab.m.verifyAudit()
        }
        Notice {
            text: tab.v.ok === undefined ? "" : tab.v.ok ? qsTr("校验通过：%1（共 %2 条）").arg(tab.v.text).arg(tab.v.checked)
                                                         : tab.v.text
            kind: tab.v.ok ? "ok" : "error"
        }
    }

    MaintSection {
        title: qsTr("最近的审计记录")
        subTitle: "Latest entries"
        wide: true
        Repeater {
            model: tab.m.auditRows
            delegate: Column {
                id: entry
                required property var modelData
                width: parent.width
                spacing: 2
                Text {
                    width: parent.width
                    text: "#" + entry.modelData.seq + "　" + entry.modelData.at + "　" + entry.modelData.actor
                          + "　" + entry.modelData.action
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                    wrapMode: Text.WrapAnywhere
                }
                Text {
                    width: parent.width
                    text: entry.modelData.detail
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: 20
                    wrapMode: Text.WrapAnywhere
                }
            }
        }
    }
}
