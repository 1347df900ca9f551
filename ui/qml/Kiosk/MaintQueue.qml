pragma ComponentBehavior: Bound
import QtQuick

// 链路与队列: link state, last contact, queue depth by state, oldest undelivered item,
// dead letters with their reasons; 立即同步 and 重试失败项.
Flow {
    id: tab
    required property var m
    readonly property var q: m.queue
    spacing: Theme.gap

    Notice {
        text: tab.q.available === false ? qsTr("本机未启用同步。") : ""
        kind: "warning"
    }

    MaintSection {
        visible: tab.q.available === true
        title: qsTr("链路")
        subTitle: "Link"
        MaintField {
            label: qsTr("状态")
            value: tab.q.linkLabel || ""
            tone: tab.q.link === "up" ? "ok" : "error"
        }
        MaintField {
            label: qsTr("最近联系")
            value: (tab.q.lastContact || "") + (tab.q.lastContactAge ? qsTr("（%1前）").arg(tab.q.lastContactAge) : "")
        }
        MaintField {
            visible: (tab.q.lastError || "").length > 0
            label: qsTr("最近错误")
            value: tab.q.lastError || ""
            size: Theme.fontSmall
        }
    }

    MaintSection {
        visible: tab.q.available === true
        title: qsTr("队列")
        subTitle: "Queue"
        MaintField { label: qsTr("待上报"); value: String(tab.q.undelivered ?? 0) }
        MaintField { label: qsTr("最早未上报"); value: tab.q.oldestAge || "" }
        MaintField { label: qsTr("排队数据量"); value: tab.q.queuedBytes || "" }
        MaintField {
            label: qsTr("上报失败")
            value: String(tab.q.deadCount ?? 0)
            tone: (tab.q.deadCount ?? 0) > 0 ? "error" : ""
        }
        Text {
            width: parent.width
            text: qsTr("按状态：")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        Repeater {
            model: tab.q.depth || []
            delegate: MaintField {
                required property var modelData
                label: "　" + modelData.label
                value: String(modelData.count)
            }
        }
        Flow {
            width: parent.width
            spacing: Theme.gap
            KButton {
                text: qsTr("立即同步")
                subText: "Sync now"
                enabled: !tab.m.busy
                onClicked: tab.m.syncNow()
            }
            KButton {
                primary: false
                text: qsTr("重试失败项")
                subText: "Retry dead letters"
                enabled: !tab.m.busy && (tab.q.deadCount ?? 0) > 0
                onClicked: tab.m.retryDeadLetters()
            }
            KButton {
                primary: false
                text: qsTr("刷新")
                subText: "Refresh"
                onClicked: tab.m.refreshQueue()
            }
        }
    }

    MaintSection {
        visible: tab.q.available === true
        title: qsTr("上报失败的项目")
        subTitle: "Dead letters"
        wide: true
        Text {
            visible: (tab.q.deadLetters || []).length === 0
            width: parent.width
            text: qsTr("没有上报失败的项目。")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        Repeater {
            model: tab.q.deadLetters || []
            delegate: Rectangle {
                id: dead
                required property var modelData
                width: parent.width
                height: deadCol.implicitHeight + 24
                radius: Theme.radius
                color: "#fdecea"
                Column {
                    id: deadCol
                    x: 16; y: 12
                    width: parent.width - 32
                    spacing: 4
                    Text {
                        width: parent.width
                        text: dead.modelData.number + "　·　" + dead.modelData.kind + "　·　" + dead.modelData.at
                        color: Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.WrapAnywhere
                    }
                    Text {
                        width: parent.width
                        text: dead.modelData.reason
                        color: Theme.danger
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        wrapMode: Text.Wrap
                    }
                    Text {
                        visible: text.length > 0
                        width: parent.width
                        text: dead.modelData.detail
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.WrapAnywhere
                    }
                }
            }
        }
    }
}
