import QtQuick

// 授权确认: the personal-information notice in plain words, and the separate consents.
StepPage {
    id: screen
    required property var app
    readonly property var con: app.consent
    steps: app.steps
    heading: qsTr("个人信息处理告知")
    subHeading: qsTr("请仔细阅读，勾选同意后继续。")
    primaryEnabled: screen.con.ready
    onPrimary: screen.app.completeStep()

    Rectangle {
        width: parent.width
        height: notice.implicitHeight + 56
        radius: Theme.radius
        color: Theme.card
        border.color: Theme.border
        Column {
            id: notice
            x: 32; y: 28
            width: parent.width - 64
            spacing: 14
            Repeater {
                model: [
                    qsTr("谁在处理：受理本事项的政府部门，通过本机和政务服务平台处理您的信息。"),
                    qsTr("处理什么：证件上的姓名、证件号码等，以及您填写的信息、材料和签名。"),
                    qsTr("用来做什么：只用于办理您本次申请的事项，不做其他用途。"),
                    qsTr("怎么保护：信息在本机加密保存，上报平台后即从本机删除；屏幕和回执只显示部分内容。"),
                    qsTr("保存多久：按政务服务档案管理规定保存。"),
                    qsTr("您的权利：可查阅、更正您的信息，或撤回同意（撤回不影响已办理的事项），可到窗口或拨打12345咨询。")
                ]
                delegate: Text {
                    required property var modelData
                    width: parent.width
                    text: "· " + modelData
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.Wrap
                    lineHeight: 1.1
                }
            }
        }
    }

    ConsentBox {
        width: parent.width
        checked: screen.con.personal
        text: qsTr("我已阅读并同意上述个人信息处理规则。")
        onToggled: (on) => screen.con.setConsent("personal", on)
    }
    ConsentBox {
        width: parent.width
        checked: screen.con.sensitive
        text: qsTr("我单独同意处理我的敏感个人信息（身份证件号码等），仅用于本次办理。")
        onToggled: (on) => screen.con.setConsent("sensitive", on)
    }
    ConsentBox {
        width: parent.width
        visible: screen.con.needsCommitment
        checked: screen.con.commitment
        text: qsTr("告知承诺：我承诺选择“告知承诺”的材料内容真实有效，如有不实，愿意承担相应法律责任。")
        onToggled: (on) => screen.con.setConsent("commitment", on)
    }
    Notice {
        text: screen.con.face ? qsTr("人脸信息已按您在上一步的单独同意采集。") : ""
        kind: "info"
    }
    Notice { text: screen.con.error; kind: "error" }
}
