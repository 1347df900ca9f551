import QtQuick

// Top bar: where the citizen is (hall), what this screen is, and the time.
Rectangle {
    id: bar
    property string hallName: ""
    property string title: ""
    property bool demo: false
    property string now: ""
    property string linkState: "unknown"  // up, down, auth_failed, unknown
    property string linkLabel: ""
    property bool canCallHelp: true
    signal callHelp()
    implicitHeight: Math.round(120 * Theme.scale)
    color: Theme.primary

    Row {
        anchors.left: parent.left
        anchors.leftMargin: Theme.margin
        anchors.verticalCenter: parent.verticalCenter
        anchors.right: helpButton.left
        anchors.rightMargin: Theme.gap
        spacing: 20
        Rectangle {
            width: Math.round(68 * Theme.scale); height: width; radius: width / 2
            color: "#ffffff"
            anchors.verticalCenter: parent.verticalCenter
            Text {
                anchors.centerIn: parent
                text: "政"
                color: Theme.primary
                font.family: Theme.fontFamily
                font.pixelSize: Math.round(parent.width * 0.55)
                font.bold: true
            }
        }
        Column {
            anchors.verticalCenter: parent.verticalCenter
            width: parent.width - Math.round(88 * Theme.scale)
            Text {
                width: parent.width
                // a long (English) title shrinks first, then takes a second line
                height: Math.round(bar.implicitHeight * 0.6)
                verticalAlignment: Text.AlignVCenter
                text: bar.title.length > 0 ? bar.title : qsTr("政务服务自助终端")
                color: Theme.textOnPrimary
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                fontSizeMode: Text.Fit
                minimumPixelSize: Math.round(Theme.fontSmall * 0.9)
                wrapMode: Text.Wrap
                maximumLineCount: 2
                elide: Text.ElideRight
            }
            Text {
                width: parent.width
                text: bar.hallName + (bar.demo ? qsTr("　[演示模式]") : "")
                color: "#dbe6ff"
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                // a long (English) hall name shrinks to fit before anything is cut
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: Math.round(Theme.fontSmall * 0.65)
                elide: Text.ElideRight
            }
        }
    }
    // 一键呼叫: on every screen, always in the same place
    Rectangle {
        id: helpButton
        visible: bar.canCallHelp
        anchors.right: status.left
        anchors.rightMargin: Theme.gap
        anchors.verticalCenter: parent.verticalCenter
        width: visible ? helpRow.implicitWidth + 40 : 0
        height: Math.max(Math.round(76 * Theme.scale), helpRow.implicitHeight + 20)
        radius: height / 2
        color: helpTap.pressed ? "#ffe0b2" : "#fff4e5"
        border.color: "#ffffff"
        border.width: 2
        Row {
            id: helpRow
            anchors.centerIn: parent
            spacing: 8
            Text {
                text: "☎"
                color: Theme.warning
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                font.bold: true
            }
            Text {
                visible: !Theme.elder || Theme.landscape  // 长辈版 portrait: the icon alone
                text: Theme.landscape ? qsTr("一键呼叫") : qsTr("呼叫")
                color: Theme.warning
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                font.bold: true
                anchors.verticalCenter: parent.verticalCenter
            }
        }
        TapHandler { id: helpTap; onTapped: bar.callHelp() }
    }
    // link state and clock: side by side in landscape, stacked in portrait (room for the
    // hall name)
    Grid {
        id: status
        anchors.right: parent.right
        anchors.rightMargin: Theme.margin
        anchors.verticalCenter: parent.verticalCenter
        columns: Theme.landscape ? 2 : 1
        columnSpacing: Theme.gap
        rowSpacing: 4
        horizontalItemAlignment: Grid.AlignRight
        verticalItemAlignment: Grid.AlignVCenter
        Rectangle {
            id: link
            visible: bar.linkLabel.length > 0
            width: visible ? linkRow.implicitWidth + 32 : 0
            height: visible ? linkRow.implicitHeight + 14 : 0
            radius: height / 2
            color: "#ffffff"
            Row {
                id: linkRow
                anchors.centerIn: parent
                spacing: 10
                Rectangle {
                    width: 16; height: 16; radius: 8
                    anchors.verticalCenter: parent.verticalCenter
                    color: bar.linkState === "up" ? Theme.success
                         : bar.linkState === "down" ? Theme.warning
                         : bar.linkState === "auth_failed" ? Theme.danger : Theme.textMuted
                }
                Text {
                    text: bar.linkState === "up" ? qsTr("在线") : bar.linkState === "down"
                          ? qsTr("离线受理中") : bar.linkState === "auth_failed" ? qsTr("认证异常")
                          : qsTr("连接中")
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
            }
        }
        Text {
            id: clock
            text: bar.now
            color: Theme.textOnPrimary
            font.family: Theme.fontFamily
            font.pixelSize: Theme.landscape || !link.visible ? Theme.fontLarge : Theme.fontBody
        }
    }
}
