pragma ComponentBehavior: Bound
import QtQuick

// 核对提交: everything masked; tap a value to see it in full for 10 seconds.
StepPage {
    id: screen
    required property var app
    readonly property var rev: app.review
    steps: app.steps
    heading: qsTr("请核对申请信息")
    subHeading: qsTr("为保护隐私，部分内容以 * 显示。点按带“查看”的内容可显示完整信息10秒。")
    primaryText: qsTr("确认提交")
    primarySub: "Submit"
    secondaryText: qsTr("返回修改")
    secondarySub: "Edit"
    onPrimary: screen.app.completeStep()
    onSecondary: screen.app.goBack()

    Notice { text: screen.rev.error; kind: "error" }

    Repeater {
        model: screen.rev.rows
        delegate: Column {
            id: row
            required property var modelData
            required property int index
            width: parent.width
            spacing: 8
            readonly property bool newSection: index === 0 || screen.rev.rows[index - 1].section !== modelData.section
            SectionTitle { visible: row.newSection; text: row.modelData.section }
            Rectangle {
                width: parent.width
                height: Math.max(Theme.touchMin, valueText.implicitHeight + 28)
                radius: Theme.radius
                color: row.modelData.revealed ? "#fff8e1" : Theme.card
                border.color: Theme.border
                Text {
                    id: labelText
                    x: 28
                    width: parent.width * 0.32
                    anchors.verticalCenter: parent.verticalCenter
                    text: row.modelData.label
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.Wrap
                }
                Text {
                    id: valueText
                    anchors.left: labelText.right
                    anchors.leftMargin: 20
                    anchors.right: reveal.left
                    anchors.rightMargin: 16
                    anchors.verticalCenter: parent.verticalCenter
                    text: row.modelData.value
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                    wrapMode: Text.WrapAnywhere
                }
                Text {
                    id: reveal
                    anchors.right: parent.right
                    anchors.rightMargin: 28
                    anchors.verticalCenter: parent.verticalCenter
                    visible: row.modelData.revealable
                    width: visible ? implicitWidth : 0
                    text: row.modelData.revealed ? qsTr("隐藏") : qsTr("查看")
                    color: Theme.primary
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                }
                TapHandler {
                    enabled: row.modelData.revealable
                    onTapped: row.modelData.revealed ? screen.rev.hide(row.index) : screen.rev.reveal(row.index)
                }
            }
        }
    }
}
