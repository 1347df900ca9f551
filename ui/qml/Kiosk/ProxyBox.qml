pragma ComponentBehavior: Bound
import QtQuick

// 代办 on the identification step (staff logged in only): the principal's card first, then
// the agent's; the agent's relationship to the applicant.
Rectangle {
    id: box
    required property var idv
    visible: idv.proxyAllowed && idv.hasIdentity
    height: visible ? col.implicitHeight + 48 : 0
    radius: Theme.radius
    color: Theme.card
    border.color: idv.proxyMode ? Theme.warning : Theme.border
    border.width: 2

    Column {
        id: col
        x: 24; y: 24
        width: parent.width - 48
        spacing: 16
        Row {
            spacing: Theme.gap
            KButton {
                text: box.idv.proxyMode ? qsTr("取消代办") : qsTr("代他人办理（代办）")
                subText: box.idv.proxyMode ? "Not acting for someone" : "Acting for someone"
                primary: false
                onClicked: box.idv.setProxyMode(!box.idv.proxyMode)
            }
        }
        Text {
            width: parent.width
            visible: box.idv.proxyMode
            wrapMode: Text.Wrap
            text: box.idv.awaitingAgent
                  ? qsTr("已读取的证件为申请人（委托人）。请取回，并放置代办人的身份证。")
                  : qsTr("代办人：%1　%2").arg(box.idv.agentMaskedName).arg(box.idv.agentMaskedId)
            color: box.idv.awaitingAgent ? Theme.warning : Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            font.bold: true
        }
        Text {
            visible: box.idv.proxyMode && !box.idv.awaitingAgent
            text: qsTr("代办人与申请人的关系")
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
        }
        Flow {
            width: parent.width
            spacing: 12
            visible: box.idv.proxyMode && !box.idv.awaitingAgent
            Repeater {
                model: box.idv.relationships
                delegate: KButton {
                    required property var modelData
                    text: modelData.label
                    primary: box.idv.relationship === modelData.value
                    onClicked: box.idv.setRelationship(modelData.value)
                }
            }
        }
    }
}
