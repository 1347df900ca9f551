import QtQuick

// Top bar: where the citizen is (hall), what this screen is, and the time.
Rectangle {
    id: bar
    property string hallName: ""
    property string title: ""
    property bool demo: false
    property string now: ""
    implicitHeight: Math.round(120 * Theme.scale)
    color: Theme.primary

    Row {
        anchors.left: parent.left
        anchors.leftMargin: Theme.margin
        anchors.verticalCenter: parent.verticalCenter
        anchors.right: clock.left
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
                text: bar.title.length > 0 ? bar.title : qsTr("政务服务自助终端")
                color: Theme.textOnPrimary
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                elide: Text.ElideRight
            }
            Text {
                width: parent.width
                text: bar.hallName + (bar.demo ? qsTr("　[演示模式]") : "")
                color: "#dbe6ff"
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
            }
        }
    }
    Text {
        id: clock
        anchors.right: parent.right
        anchors.rightMargin: Theme.margin
        anchors.verticalCenter: parent.verticalCenter
        text: bar.now
        color: Theme.textOnPrimary
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontLarge
    }
}
