pragma ComponentBehavior: Bound
import QtQuick

// Where exports go: the mounted removable drives (/media, /run/media) with their free
// space; the technician picks one.
MaintSection {
    id: box
    required property var m
    title: qsTr("导出位置")
    subTitle: "Target drive"
    Text {
        visible: box.m.targets.length === 0
        width: parent.width
        text: qsTr("未检测到U盘。请插入U盘后点“刷新”。")
        color: Theme.warning
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
    }
    Repeater {
        model: box.m.targets
        delegate: Rectangle {
            id: targetRow
            required property var modelData
            readonly property bool chosen: box.m.target === modelData.path
            width: parent.width
            height: Math.max(Theme.touchMin, targetCol.implicitHeight + 24)
            radius: Theme.radius
            color: chosen ? Theme.primaryLight : Theme.card
            border.color: chosen ? Theme.primary : Theme.border
            border.width: chosen ? 4 : 2
            TapHandler { onTapped: box.m.chooseTarget(targetRow.modelData.path) }
            Column {
                id: targetCol
                anchors.verticalCenter: parent.verticalCenter
                x: 24
                width: parent.width - 48
                Text {
                    width: parent.width
                    text: (targetRow.chosen ? "● " : "") + targetRow.modelData.label
                          + "　" + targetRow.modelData.free
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    font.bold: targetRow.chosen
                    wrapMode: Text.Wrap
                }
                Text {
                    width: parent.width
                    text: targetRow.modelData.path
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.WrapAnywhere
                }
            }
        }
    }
    KButton {
        primary: false
        text: qsTr("刷新")
        subText: "Refresh"
        onClicked: box.m.refreshTargets()
    }
}
