import QtQuick

// 提交成功: the official case number, or the provisional one with what happens next.
StepPage {
    id: screen
    required property var app
    readonly property var sub: app.submission
    heading: ""
    primaryText: qsTr("打印回执")
    primarySub: "Print receipt"
    onPrimary: screen.app.nextStep()

    Column {
        width: parent.width
        spacing: Theme.gap
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.round(140 * Theme.scale); height: width; radius: width / 2
            color: "#e6f4ea"
            Text {
                anchors.centerIn: parent
                text: "✓"
                color: Theme.success
                font.family: Theme.fontFamily
                font.pixelSize: Math.round(parent.width * 0.6)
                font.bold: true
            }
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("申请已提交")
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontHero
            font.bold: true
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: screen.sub.serviceName
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontLarge
        }
    }

    Rectangle {
        width: parent.width
        height: numberCol.implicitHeight + 64
        radius: Theme.radius
        color: Theme.card
        border.color: screen.sub.caseNo.length > 0 ? Theme.success : Theme.primary
        border.width: 3
        Column {
            id: numberCol
            x: 40; y: 32
            width: parent.width - 80
            spacing: 12
            Text {
                text: screen.sub.numberLabel
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
            }
            Text {
                width: parent.width
                text: screen.sub.number
                color: Theme.primaryDark
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                wrapMode: Text.WrapAnywhere
            }
            Text {
                width: parent.width
                visible: screen.sub.caseNo.length > 0
                text: qsTr("临时受理编号：") + screen.sub.provisionalNo
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.WrapAnywhere
            }
            Text {
                text: qsTr("当前状态：") + screen.sub.stateLabel
                color: screen.sub.caseNo.length > 0 ? Theme.success : Theme.warning
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                font.bold: true
            }
        }
    }

    Notice {
        text: screen.sub.explanation
        kind: screen.sub.caseNo.length > 0 ? "ok" : "info"
    }
}
