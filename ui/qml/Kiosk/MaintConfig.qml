pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic

// 目录与配置: the catalogue in use and 刷新目录, versions, a few settings a technician may
// change (validated by kiosk.config, written to the configuration file, effective after a
// restart) and the effective configuration (secrets hidden).
Flow {
    id: tab
    required property var m
    readonly property var info: m.catalogueInfo
    spacing: Theme.gap

    MaintSection {
        title: qsTr("服务目录与版本")
        subTitle: "Catalogue and versions"
        MaintField { label: qsTr("在用目录版本"); value: tab.info.version || "" }
        MaintField { label: qsTr("签发时间"); value: tab.info.issuedAt || "" }
        MaintField { label: qsTr("本机缓存版本"); value: tab.info.cached || "" }
        MaintField { label: qsTr("事项数"); value: String(tab.info.services ?? "") }
        MaintField { label: qsTr("程序版本"); value: tab.info.appVersion || "" }
        MaintField { label: qsTr("配置文件"); value: tab.info.configFile || "" }
        KButton {
            text: qsTr("刷新目录")
            subText: "Refresh catalogue"
            enabled: !tab.m.busy
            onClicked: tab.m.refreshCatalogue()
        }
    }

    MaintSection {
        title: qsTr("修改设置")
        subTitle: "Settings (restart to apply)"
        Repeater {
            model: tab.m.editableRows
            delegate: Column {
                id: setting
                required property var modelData
                width: parent.width
                spacing: 8
                Text {
                    width: parent.width
                    text: setting.modelData.label + "　" + setting.modelData.key
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                    wrapMode: Text.WrapAnywhere
                }
                Text {
                    width: parent.width
                    text: qsTr("当前：%1").arg(setting.modelData.value)
                          + (setting.modelData.saved.length > 0
                             ? qsTr("　已保存：%1（需要重启生效）").arg(setting.modelData.saved) : "")
                    color: setting.modelData.saved.length > 0 ? Theme.warning : Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }
                Row {
                    spacing: Theme.gap
                    TextField {
                        id: input
                        width: setting.width - saveButton.width - Theme.gap
                        height: Theme.touchMin
                        text: setting.modelData.value
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        color: Theme.text
                        leftPadding: 20
                        inputMethodHints: Qt.ImhNoPredictiveText
                        background: Rectangle {
                            radius: Theme.radius
                            color: Theme.card
                            border.color: input.activeFocus ? Theme.primary : Theme.border
                            border.width: 3
                        }
                    }
                    KButton {
                        id: saveButton
                        primary: false
                        text: qsTr("保存")
                        subText: "Save"
                        enabled: !tab.m.busy
                        onClicked: { input.focus = false; tab.m.saveSetting(setting.modelData.key, input.text) }
                    }
                }
            }
        }
    }

    MaintSection {
        title: qsTr("当前生效的配置")
        subTitle: "Effective configuration"
        wide: true
        Repeater {
            model: tab.m.configRows
            delegate: MaintField {
                required property var modelData
                label: modelData.key
                value: modelData.value
                size: Theme.fontSmall
            }
        }
    }
}
