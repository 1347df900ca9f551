import QtQuick

// 回执: printing, "回执是否已打印？", and when paper is out the QR code on screen and the
// A4 notice.
StepPage {
    id: screen
    required property var app
    readonly property var sub: app.submission
    heading: screen.sub.fallback ? qsTr("请记下您的受理编号") : qsTr("回执打印")
    primaryVisible: screen.sub.fallback
    primaryText: qsTr("我已记下，下一步")
    primarySub: "Next"
    onPrimary: screen.sub.receiptDone()

    Notice {
        text: screen.sub.printMessage
        kind: screen.sub.printState === "printed" && !screen.sub.fallback ? "ok"
            : screen.sub.printState === "printing" ? "info" : "warning"
    }

    // 回执是否已打印？
    Rectangle {
        visible: screen.sub.askConfirm
        width: parent.width
        height: visible ? askCol.implicitHeight + 64 : 0
        radius: Theme.radius
        color: Theme.card
        border.color: Theme.primary
        border.width: 3
        Column {
            id: askCol
            x: 40; y: 32
            width: parent.width - 80
            spacing: Theme.gap
            Text {
                width: parent.width
                text: qsTr("回执是否已打印？")
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
            }
            Text {
                width: parent.width
                text: qsTr("请在出纸口取走回执，上面有受理编号和查询二维码。")
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                wrapMode: Text.Wrap
            }
            Row {
                spacing: Theme.gap
                KButton { text: qsTr("已取得回执"); subText: "Yes, I have it"; onClicked: screen.sub.confirmReceipt(true) }
                KButton { text: qsTr("没有打印出来"); subText: "No"; primary: false; onClicked: screen.sub.confirmReceipt(false) }
            }
        }
    }

    // the fallback: the number and its QR code on screen, the A4 notice
    Rectangle {
        visible: screen.sub.fallback
        width: parent.width
        height: visible ? fbRow.implicitHeight + 64 : 0
        radius: Theme.radius
        color: Theme.card
        border.color: Theme.border
        Row {
            id: fbRow
            x: 40; y: 32
            width: parent.width - 80
            spacing: Theme.margin
            QrCode {
                id: qrCode
                width: Math.round(300 * Theme.scale); height: width
                modules: screen.sub.qrModules
                size: screen.sub.qrSize
            }
            Column {
                width: parent.width - qrCode.width - parent.spacing
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
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                    wrapMode: Text.WrapAnywhere
                }
                Text {
                    width: parent.width
                    text: qsTr("用手机扫描二维码或拍照记下编号，凭编号或身份证可在本机“办件查询”。")
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }
            }
        }
    }
    KButton {
        visible: screen.sub.fallback && screen.sub.a4Available
        enabled: screen.sub.a4State !== "printing" && screen.sub.a4State !== "printed"
        primary: false
        text: qsTr("打印A4受理通知书")
        subText: "Print A4 notice"
        onClicked: screen.sub.printA4()
    }
    Notice {
        text: screen.sub.a4Message
        kind: screen.sub.a4State === "printed" ? "ok" : screen.sub.a4State === "failed" ? "warning" : "info"
    }

    // 保存到手机: the same 受理通知书 as a download for the citizen's phone (online only)
    Rectangle {
        visible: screen.sub.noticeOffered
        width: parent.width
        height: visible ? phoneCol.implicitHeight + 64 : 0
        radius: Theme.radius
        color: Theme.card
        border.color: screen.sub.noticeState === "ready" ? Theme.primary : Theme.border
        border.width: screen.sub.noticeState === "ready" ? 3 : 1
        Column {
            id: phoneCol
            x: 40; y: 32
            width: parent.width - 80
            spacing: Theme.gap
            KButton {
                visible: screen.sub.noticeState !== "ready"
                enabled: screen.sub.noticeAvailable && screen.sub.noticeState !== "uploading"
                primary: false
                text: qsTr("保存到手机")
                subText: "Save to phone"
                onClicked: screen.sub.saveToPhone()
            }
            Notice {
                visible: text.length > 0 && screen.sub.noticeState !== "ready"
                text: screen.sub.noticeMessage
                kind: screen.sub.noticeState === "uploading" ? "info" : "warning"
            }
            Row {
                visible: screen.sub.noticeState === "ready"
                width: parent.width
                spacing: Theme.margin
                QrCode {
                    id: phoneQr
                    objectName: "noticeQr"
                    width: Math.round(300 * Theme.scale); height: width
                    modules: screen.sub.noticeQrModules
                    size: screen.sub.noticeQrSize
                }
                Column {
                    width: parent.width - phoneQr.width - parent.spacing
                    spacing: 12
                    Text {
                        width: parent.width
                        text: qsTr("请用手机扫码下载受理通知书（24小时内有效）")
                        color: Theme.primaryDark
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        wrapMode: Text.Wrap
                    }
                    Text {
                        width: parent.width
                        visible: !Theme.english
                        text: "Scan with your phone to download the notice (valid for 24 hours)"
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.Wrap
                    }
                    Text {
                        width: parent.width
                        text: qsTr("通知书上的姓名和证件号已作遮挡处理；链接过期后请凭编号在本机“办件查询”。")
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.Wrap
                    }
                }
            }
        }
    }
}
