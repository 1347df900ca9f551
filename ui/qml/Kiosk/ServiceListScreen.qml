pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic

// A list of services: one department, one life event (一件事), or search results.
Item {
    id: screen
    required property var app
    readonly property bool searching: app.screen === "search"

    TextField {
        id: searchField
        visible: screen.searching
        anchors.top: parent.top
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.margins: Theme.margin
        height: visible ? Math.round(110 * Theme.scale) : 0
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontLarge
        color: Theme.text
        leftPadding: 36
        placeholderText: qsTr("输入汉字、拼音或首字母")
        placeholderTextColor: Theme.textMuted
        inputMethodHints: Qt.ImhNoPredictiveText
        text: screen.app.searchText
        background: Rectangle {
            radius: height / 2
            color: Theme.card
            border.color: Theme.primary
            border.width: 3
        }
        onTextEdited: screen.app.search(text)
        Component.onCompleted: if (screen.searching) forceActiveFocus()
    }

    Text {
        id: emptyHint
        anchors.top: searchField.bottom
        anchors.topMargin: Theme.margin
        anchors.horizontalCenter: parent.horizontalCenter
        width: parent.width - 2 * Theme.margin
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        visible: list.count === 0
        text: screen.searching && screen.app.searchText.length > 0
              ? qsTr("没有找到“%1”相关的事项。可换个说法，或按部门查找。").arg(screen.app.searchText)
              : screen.searching ? qsTr("例如：户口、社保卡、hkqc、yibao") : qsTr("暂无可办理的事项")
        color: Theme.textMuted
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
    }

    ListView {
        id: list
        anchors.top: searchField.bottom
        anchors.topMargin: screen.searching ? Theme.gap : Theme.margin
        anchors.bottom: parent.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        clip: true
        spacing: Theme.gap
        boundsBehavior: Flickable.StopAtBounds
        model: screen.app.services
        delegate: ServiceRow {
            required code
            required name
            required department
            required icon
            required offlineAllowed
            width: ListView.view.width
            onActivated: (c) => screen.app.openService(c)
        }
    }
}
