pragma ComponentBehavior: Bound
import QtQuick

// 维护模式登录: technician card + PIN, or technician ID + one-time code + PIN, on the
// layer's own keypad (the PIN shows as dots only). Lock-out messages count down.
Item {
    id: login
    required property var m
    readonly property bool wide: Theme.landscape
    readonly property int colWidth: wide ? Math.min(820, (width - 3 * Theme.margin) / 2)
                                         : Math.min(width - 2 * Theme.margin, 900)

    Rectangle {
        id: loginBar
        width: parent.width
        height: Math.round(Theme.touchMin * 1.3)
        color: "#b3261e"
        Column {
            anchors.verticalCenter: parent.verticalCenter
            x: Theme.margin
            Text {
                text: qsTr("维护模式登录")
                color: "#ffffff"
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            Text {
                text: (Theme.english ? "" : "Maintenance log-in · ") + login.m.kioskCode
                color: "#ffe1de"
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
            }
        }
        KButton {
            anchors.verticalCenter: parent.verticalCenter
            anchors.right: parent.right
            anchors.rightMargin: Theme.margin
            primary: false
            text: qsTr("取消")
            subText: "Cancel"
            onClicked: login.m.cancelLogin()
        }
    }

    Flow {
        anchors.top: loginBar.bottom
        anchors.topMargin: Theme.margin
        anchors.horizontalCenter: parent.horizontalCenter
        width: login.wide ? 2 * login.colWidth + Theme.margin : login.colWidth
        spacing: Theme.margin

        Column {
            width: login.colWidth
            spacing: Theme.gap
            Row {
                spacing: Theme.gap
                KButton {
                    width: (login.colWidth - Theme.gap) / 2
                    primary: login.m.loginMethod === "card"
                    text: qsTr("维护人员卡")
                    subText: "Technician card"
                    onClicked: login.m.setLoginMethod("card")
                }
                KButton {
                    width: (login.colWidth - Theme.gap) / 2
                    primary: login.m.loginMethod === "totp"
                    text: qsTr("工号 + 动态验证码")
                    subText: "ID + one-time code"
                    onClicked: login.m.setLoginMethod("totp")
                }
            }
            Text {
                visible: login.m.loginMethod === "card"
                width: parent.width
                text: login.m.cardPresent ? qsTr("已检测到卡片，请输入密码后登录。")
                                          : qsTr("请将维护人员卡插入读卡器，然后输入密码。")
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                wrapMode: Text.Wrap
            }
            KButton {
                visible: login.m.loginMethod === "card" && login.m.demo && !login.m.cardPresent
                primary: false
                text: qsTr("模拟插入维护人员卡")
                subText: "Demo: technician card"
                onClicked: login.m.simulateTechnicianCard()
            }
            Repeater {
                model: login.m.loginMethod === "totp"
                       ? [{"name": "id", "label": qsTr("工号"), "sub": "Technician ID"},
                          {"name": "code", "label": qsTr("动态验证码"), "sub": "One-time code"},
                          {"name": "pin", "label": qsTr("密码"), "sub": "PIN"}]
                       : [{"name": "pin", "label": qsTr("密码"), "sub": "PIN"}]
                delegate: Rectangle {
                    id: fieldBox
                    required property var modelData
                    readonly property bool current: login.m.loginField === modelData.name
                    width: login.colWidth
                    height: Theme.touchMin
                    radius: Theme.radius
                    color: Theme.card
                    border.color: current ? Theme.primary : Theme.border
                    border.width: current ? 4 : 2
                    TapHandler { onTapped: login.m.setLoginField(fieldBox.modelData.name) }
                    Column {
                        anchors.verticalCenter: parent.verticalCenter
                        x: 24
                        Text {
                            text: fieldBox.modelData.label
                            color: Theme.textMuted
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                        }
                        Text {
                            visible: !Theme.english  // the English gloss of a Chinese label
                            text: fieldBox.modelData.sub
                            color: Theme.textMuted
                            font.family: Theme.fontFamily
                            font.pixelSize: 18
                        }
                    }
                    Text {
                        anchors.verticalCenter: parent.verticalCenter
                        anchors.right: parent.right
                        anchors.rightMargin: 32
                        text: fieldBox.modelData.name === "pin" ? "●".repeat(login.m.pinLength)
                              : fieldBox.modelData.name === "code" ? login.m.code : login.m.staffId
                        color: Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontLarge
                        font.letterSpacing: 6
                    }
                }
            }
            Notice { text: login.m.loginMessage; kind: "error" }
            Notice { text: login.m.busy ? login.m.busyText : ""; kind: "info" }
            KButton {
                width: parent.width
                text: qsTr("登录")
                subText: "Log in"
                enabled: !login.m.busy && login.m.pinLength >= 6 && login.m.lockoutSeconds === 0
                onClicked: login.m.submitLogin()
            }
        }

        MaintKeypad {
            letters: login.m.loginField === "id"
            keyWidth: Math.floor((login.colWidth - 24) / 3)
            onKey: (name) => login.m.pressKey(name)
        }
    }
}
