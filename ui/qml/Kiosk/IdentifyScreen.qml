pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts

// 身份核验: place the ID card (or insert the 社保卡); the identity read is shown masked.
StepPage {
    id: screen
    required property var app
    readonly property var idv: app.identify
    steps: app.steps
    heading: idv.hasIdentity ? qsTr("请核对您的身份信息") : qsTr("请出示证件")
    subHeading: idv.hasIdentity ? (idv.source === "eid" ? qsTr("信息已由政务服务平台核验，仅显示部分内容以保护您的隐私。")
                                                        : qsTr("信息已由证件读取，仅显示部分内容以保护您的隐私。"))
                                : qsTr("请使用下列任一方式核验身份。证件读取后可以取回。")
    primaryText: qsTr("确认，下一步")
    primaryEnabled: idv.hasIdentity && (!idv.proxyMode || (!idv.awaitingAgent && idv.relationship !== ""))
    secondaryText: idv.hasIdentity ? qsTr("使用其他证件") : ""
    secondarySub: "Another card"
    onPrimary: screen.app.completeStep()
    onSecondary: screen.idv.useAnotherCard()

    Notice { text: screen.idv.error; kind: "error" }
    Notice { text: screen.idv.busy ? screen.idv.message : ""; kind: "info" }
    ProxyBox { idv: screen.idv; width: parent.width }

    // the identity that was read
    Rectangle {
        visible: screen.idv.hasIdentity
        width: parent.width
        height: visible ? idCol.implicitHeight + 64 : 0
        radius: Theme.radius
        color: Theme.card
        border.color: Theme.primary
        border.width: 3
        ColumnLayout {
            id: idCol
            x: 40; y: 32
            width: parent.width - 80
            spacing: 18
            Text {
                text: screen.idv.cardLabel
                color: Theme.primaryDark
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
            GridLayout {
                columns: 2
                columnSpacing: 32
                rowSpacing: 14
                Text { text: qsTr("姓名"); color: Theme.textMuted; font.family: Theme.fontFamily; font.pixelSize: Theme.fontBody }
                Text { text: screen.idv.maskedName; color: Theme.text; font.family: Theme.fontFamily; font.pixelSize: Theme.fontLarge; font.bold: true }
                Text { text: qsTr("证件号码"); color: Theme.textMuted; font.family: Theme.fontFamily; font.pixelSize: Theme.fontBody }
                Text { text: screen.idv.maskedId; color: Theme.text; font.family: Theme.fontFamily; font.pixelSize: Theme.fontLarge; font.bold: true }
            }
            Repeater {
                model: screen.idv.warnings
                delegate: Text {
                    required property var modelData
                    Layout.fillWidth: true
                    text: "⚠ " + modelData
                    color: Theme.warning
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.Wrap
                }
            }
            Text {
                Layout.fillWidth: true
                text: screen.idv.idcardPresent ? qsTr("证件已读取，您可以取回证件。") : qsTr("证件已取回，信息已保留。")
                color: Theme.success
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                wrapMode: Text.Wrap
                visible: screen.idv.source === "idcard"
            }
            Text {
                Layout.fillWidth: true
                text: qsTr("身份已由政务服务平台核验，二维码已失效。")
                color: Theme.success
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                wrapMode: Text.Wrap
                visible: screen.idv.source === "eid"
            }
        }
    }

    // the ways to identify, with why one is not available right now
    Repeater {
        model: screen.idv.hasIdentity ? [] : screen.idv.methods
        delegate: Rectangle {
            id: method
            required property var modelData
            width: parent.width
            height: methodRow.implicitHeight + 48
            radius: Theme.radius
            color: Theme.card
            border.color: modelData.available ? Theme.border : Theme.warning
            border.width: Theme.elder ? 2 : 1
            opacity: modelData.available ? 1.0 : 0.85
            RowLayout {
                id: methodRow
                x: 32
                anchors.verticalCenter: parent.verticalCenter
                width: parent.width - 64
                spacing: 28
                CardGlyph {
                    kind: method.modelData.method
                    Layout.preferredWidth: Math.round(150 * Theme.scale)
                    Layout.preferredHeight: Math.round(96 * Theme.scale)
                }
                Column {
                    Layout.fillWidth: true
                    spacing: 6
                    Text {
                        width: parent.width
                        text: method.modelData.label
                        color: Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        wrapMode: Text.Wrap
                    }
                    Text {
                        width: parent.width
                        text: !method.modelData.available ? method.modelData.reason
                              : method.modelData.method === "idcard" ? qsTr("将身份证平放在屏幕下方的阅读区，听到提示音后即可取回")
                              : method.modelData.method === "sscard" ? qsTr("将社保卡芯片朝上插入读卡口，读取完成前请勿拔出")
                              : qsTr("打开电子证照或预约二维码，对准摄像头")
                        color: method.modelData.available ? Theme.textMuted : Theme.warning
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        wrapMode: Text.Wrap
                    }
                    KButton {  // the QR code is read only when the citizen asks: the camera
                        visible: method.modelData.method === "qr" && method.modelData.available
                        enabled: !screen.idv.busy
                        text: qsTr("扫码核验"); subText: "Scan the code"
                        onClicked: screen.idv.startQrScan()
                    }
                }
            }
        }
    }

    Text {
        width: parent.width
        visible: !screen.idv.hasIdentity
        text: qsTr("如证件已放在阅读区但没有反应，请取下后重新放置。")
        color: Theme.textMuted
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
    }

    // demo mode only: drive the simulated readers
    Flow {
        width: parent.width
        spacing: Theme.gap
        visible: screen.idv.demo && !screen.idv.hasIdentity
        KButton { text: qsTr("模拟放置身份证"); subText: "Demo: ID card"; primary: false; onClicked: screen.idv.simulatePlaceIdCard() }
        KButton { text: qsTr("模拟插入社保卡"); subText: "Demo: SSC"; primary: false; onClicked: screen.idv.simulateInsertSsCard() }
        KButton { visible: screen.idv.qrAvailable; text: qsTr("模拟出示电子身份证二维码"); subText: "Demo: e-ID QR"; primary: false; onClicked: screen.idv.simulateShowEidQr() }
    }

    // the citizen camera, looking for the e-ID / appointment QR code
    Rectangle {
        parent: screen
        anchors.fill: parent
        visible: screen.idv.scanning
        z: 10
        color: Theme.background
        TapHandler {}  // nothing behind is touched by accident
        Column {
            anchors.fill: parent
            anchors.margins: Theme.margin
            spacing: Theme.gap
            Text {
                width: parent.width
                text: qsTr("扫码核验身份")
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                wrapMode: Text.Wrap
            }
            Text {
                width: parent.width
                text: screen.idv.message
                color: Theme.primaryDark
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                wrapMode: Text.Wrap
            }
            Text {
                width: parent.width
                text: qsTr("二维码只含一次性核验码，不含个人信息；核验后即失效。")
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.Wrap
            }
            Rectangle {
                width: parent.width
                height: parent.height - y - scanButtons.height - Theme.gap
                radius: Theme.radius
                color: "#1f2937"
                clip: true
                Image {
                    id: qrLive
                    anchors.fill: parent
                    anchors.margins: 8
                    fillMode: Image.PreserveAspectFit
                    cache: false
                    source: screen.idv.qrPreviewSource
                }
                Text {
                    anchors.centerIn: parent
                    visible: qrLive.status !== Image.Ready
                    text: qsTr("正在打开摄像头…")
                    color: "#ffffff"
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                }
            }
            Flow {
                id: scanButtons
                width: parent.width
                spacing: Theme.gap
                KButton { text: qsTr("取消"); subText: "Cancel"; primary: false; onClicked: screen.idv.stopQrScan() }
                KButton { visible: screen.idv.demo; text: qsTr("模拟出示电子身份证二维码"); subText: "Demo: e-ID QR"; primary: false; onClicked: screen.idv.simulateShowEidQr() }
            }
        }
    }
}
