pragma ComponentBehavior: Bound
import QtQuick

// The application's steps (身份核验 → 填写信息 → … → 核对提交): where the citizen is.
Rectangle {
    id: bar
    property var steps: []
    implicitHeight: Math.round(96 * Theme.scale)
    color: Theme.card
    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 2; color: Theme.border }

    Row {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin
        Repeater {
            model: bar.steps
            delegate: Item {
                id: step
                required property var modelData
                required property int index
                width: parent.width / Math.max(1, bar.steps.length)
                height: bar.height - 8
                Rectangle {  // the line joining this step to the previous one
                    visible: step.index > 0
                    anchors.verticalCenter: dot.verticalCenter
                    anchors.right: dot.left
                    anchors.rightMargin: 6
                    width: step.width / 2 - dot.width / 2 - 12
                    height: 4
                    radius: 2
                    color: step.modelData.done || step.modelData.current ? Theme.primary : Theme.border
                }
                Rectangle {
                    id: dot
                    anchors.horizontalCenter: parent.horizontalCenter
                    y: 8
                    width: Math.round(36 * Theme.scale); height: width; radius: width / 2
                    color: step.modelData.current || step.modelData.done ? Theme.primary : Theme.card
                    border.color: step.modelData.current || step.modelData.done ? Theme.primary : Theme.border
                    border.width: 3
                    Text {
                        anchors.centerIn: parent
                        text: step.modelData.done ? "✓" : String(step.index + 1)
                        color: step.modelData.current || step.modelData.done ? Theme.textOnPrimary : Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Math.round(20 * Theme.scale)
                        font.bold: true
                    }
                }
                Text {
                    anchors.top: dot.bottom
                    anchors.topMargin: 4
                    anchors.horizontalCenter: parent.horizontalCenter
                    width: parent.width - 4
                    horizontalAlignment: Text.AlignHCenter
                    text: step.modelData.name
                    color: step.modelData.current ? Theme.primaryDark : Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Math.round(20 * Theme.scale)
                    font.bold: step.modelData.current
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 14
                }
            }
        }
    }
}
