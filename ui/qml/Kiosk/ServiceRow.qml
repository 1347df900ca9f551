import QtQuick

// One service in a list: icon, name, department and whether it can be accepted offline.
Rectangle {
    id: row
    property string code: ""
    property string name: ""
    property string nameAlt: ""
    property string department: ""
    property string icon: ""
    property bool offlineAllowed: true
    signal activated(string code)

    implicitHeight: Math.max(Theme.touchMin + 24, content.implicitHeight + 40)
    radius: Theme.radius
    color: tap.pressed ? Theme.primaryLight : Theme.card
    border.color: Theme.border
    border.width: Theme.elder ? 2 : 1

    Row {
        id: content
        anchors.left: parent.left
        anchors.right: chevron.left
        anchors.verticalCenter: parent.verticalCenter
        anchors.leftMargin: 24
        anchors.rightMargin: 16
        spacing: 24
        IconBadge { icon: row.icon; size: Math.round(72 * Theme.scale); anchors.verticalCenter: parent.verticalCenter }
        Column {
            width: content.width - Math.round(72 * Theme.scale) - content.spacing
            anchors.verticalCenter: parent.verticalCenter
            spacing: 6
            Text {
                width: parent.width
                text: row.name
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                font.bold: true
                wrapMode: Text.Wrap
            }
            Text {
                width: parent.width
                text: row.department + (row.offlineAllowed ? "" : qsTr("　·　需联网办理"))
                color: row.offlineAllowed ? Theme.textMuted : Theme.warning
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.Wrap
            }
        }
    }
    Text {
        id: chevron
        anchors.right: parent.right
        anchors.rightMargin: 28
        anchors.verticalCenter: parent.verticalCenter
        text: "›"
        color: Theme.primary
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontTitle
    }
    TapHandler { id: tap; onTapped: row.activated(row.code) }
}
