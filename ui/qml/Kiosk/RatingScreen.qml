pragma ComponentBehavior: Bound
import QtQuick

// 好差评: one rating for this application; a low rating asks why.
StepPage {
    id: screen
    required property var app
    readonly property var sub: app.submission
    heading: qsTr("请您对本次服务进行评价")
    subHeading: qsTr("“好差评”帮助我们改进服务，评价不影响办理结果。")
    primaryText: qsTr("提交评价")
    primarySub: "Send"
    primaryEnabled: screen.sub.level > 0
    secondaryText: qsTr("跳过")
    secondarySub: "Skip"
    onPrimary: screen.sub.sendRating()
    onSecondary: screen.sub.skipRating()

    Grid {
        id: levelGrid
        width: parent.width
        columns: Theme.landscape ? 5 : (Theme.elder ? 2 : 3)
        spacing: Theme.gap
        Repeater {
            model: screen.sub.levels
            delegate: Rectangle {
                id: lv
                required property var modelData
                readonly property bool chosen: screen.sub.level === modelData.level
                width: (levelGrid.width - (levelGrid.columns - 1) * Theme.gap) / levelGrid.columns
                height: Math.round(190 * Theme.scale)
                radius: Theme.radius
                color: chosen ? Theme.primary : Theme.card
                border.color: chosen ? Theme.primary : Theme.border
                border.width: 2
                Column {
                    anchors.centerIn: parent
                    spacing: 10
                    Text {
                        anchors.horizontalCenter: parent.horizontalCenter
                        text: "★".repeat(lv.modelData.level)
                        color: lv.chosen ? "#ffd54f" : "#f59e0b"
                        font.family: Theme.fontFamily
                        font.pixelSize: Math.round(26 * Theme.scale)
                    }
                    Text {
                        anchors.horizontalCenter: parent.horizontalCenter
                        text: lv.modelData.label
                        color: lv.chosen ? Theme.textOnPrimary : Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                    }
                }
                TapHandler { onTapped: screen.sub.rate(lv.modelData.level) }
            }
        }
    }

    Column {
        visible: screen.sub.lowRating
        width: parent.width
        spacing: Theme.gap
        Text {
            width: parent.width
            text: qsTr("很抱歉给您带来不便，请告诉我们哪里不满意（可多选）：")
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            font.bold: true
            wrapMode: Text.Wrap
        }
        Flow {
            width: parent.width
            spacing: 16
            Repeater {
                model: screen.sub.reasonOptions
                delegate: KButton {
                    required property var modelData
                    readonly property bool chosen: screen.sub.reasons.indexOf(modelData.key) >= 0
                    text: (chosen ? "✓ " : "") + modelData.label
                    primary: chosen
                    onClicked: screen.sub.toggleReason(modelData.key)
                }
            }
        }
    }
    Notice { text: screen.sub.ratingError; kind: "error" }
}
