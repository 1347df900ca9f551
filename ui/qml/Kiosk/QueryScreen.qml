pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic

// 办件查询: by the number on the receipt, or by the ID card. Online the platform's status;
// offline this kiosk's record and when it was last updated.
StepPage {
    id: screen
    required property var app
    readonly property var q: app.query
    heading: qsTr("办件查询")
    subHeading: qsTr("输入回执上的受理编号或办件编号，或将身份证放在阅读区。")
    primaryText: qsTr("查询")
    primarySub: "Search"
    primaryEnabled: !screen.q.busy && screen.q.number.length > 0
    onPrimary: { numberField.focus = false; screen.q.search() }

    TextField {
        id: numberField
        width: parent.width
        height: Math.round(110 * Theme.scale)
        text: screen.q.number
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontLarge
        color: Theme.text
        leftPadding: 32
        placeholderText: qsTr("例如 DEMO0001-20261122-000017-K")
        placeholderTextColor: "#8a93a3"
        inputMethodHints: Qt.ImhUppercaseOnly | Qt.ImhLatinOnly | Qt.ImhNoPredictiveText | Qt.ImhSensitiveData
        selectByMouse: false
        background: Rectangle {
            radius: Theme.radius
            color: Theme.card
            border.color: numberField.activeFocus ? Theme.primary : Theme.border
            border.width: 3
        }
        onTextEdited: screen.q.setNumber(text)
        onAccepted: { focus = false; screen.q.search() }
    }

    Row {
        width: parent.width
        spacing: Theme.gap
        CardGlyph { kind: "idcard"; width: Math.round(120 * Theme.scale); height: Math.round(76 * Theme.scale) }
        Text {
            width: parent.width - Math.round(120 * Theme.scale) - Theme.gap
            anchors.verticalCenter: parent.verticalCenter
            text: screen.q.hasCard ? qsTr("已读取身份证，正在查询您在本机提交的申请")
                                   : qsTr("也可以把身份证放在阅读区，查询您在本机提交的全部申请")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            wrapMode: Text.Wrap
        }
    }
    Flow {
        width: parent.width
        spacing: Theme.gap
        KButton {
            visible: screen.q.canScan
            primary: false
            text: qsTr("扫描回执二维码"); subText: "Scan the receipt"
            onClicked: screen.q.startScan()
        }
        KButton {
            visible: screen.app.identify.demo && !screen.q.hasCard
            primary: false
            text: qsTr("模拟放置身份证"); subText: "Demo: ID card"
            onClicked: screen.app.identify.simulatePlaceIdCard()
        }
    }
    Notice { text: screen.q.scanning ? "" : screen.q.scanMessage; kind: "warning" }

    Notice { text: screen.q.message; kind: screen.q.busy ? "info" : "warning" }

    Repeater {
        model: screen.q.results
        delegate: Rectangle {
            id: res
            required property var modelData
            width: parent.width
            height: resCol.implicitHeight + 56
            radius: Theme.radius
            color: Theme.card
            border.color: Theme.border
            Column {
                id: resCol
                x: 32; y: 28
                width: parent.width - 64
                spacing: 10
                Text {
                    width: parent.width
                    text: res.modelData.serviceName
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                    wrapMode: Text.Wrap
                }
                Text {
                    width: parent.width
                    text: res.modelData.caseNo.length > 0 ? qsTr("办件编号：") + res.modelData.caseNo
                                                          : qsTr("临时受理编号：") + res.modelData.provisionalNo
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.WrapAnywhere
                }
                Row {
                    spacing: 16
                    Rectangle {
                        width: stateText.implicitWidth + 28; height: stateText.implicitHeight + 12
                        radius: 10
                        color: ["accepted", "completed", "submitted"].indexOf(res.modelData.state) >= 0 ? "#e6f4ea"
                             : ["needs_correction", "refused", "dead_letter"].indexOf(res.modelData.state) >= 0 ? "#fdecea"
                             : Theme.warningBg
                        Text {
                            id: stateText
                            anchors.centerIn: parent
                            text: res.modelData.stateLabel
                            color: ["accepted", "completed", "submitted"].indexOf(res.modelData.state) >= 0 ? Theme.success
                                 : ["needs_correction", "refused", "dead_letter"].indexOf(res.modelData.state) >= 0 ? Theme.danger
                                 : Theme.warning
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                        }
                    }
                    Text {
                        anchors.verticalCenter: parent.verticalCenter
                        text: res.modelData.reason
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                    }
                }
                Text {
                    width: parent.width
                    text: (res.modelData.source === "platform" ? qsTr("来自政务服务平台　·　更新时间 ")
                                                               : qsTr("本机记录（暂未连上平台）　·　最后更新时间 "))
                          + res.modelData.updated
                    color: res.modelData.source === "platform" ? Theme.textMuted : Theme.warning
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }
            }
        }
    }

    // the citizen camera, looking for the receipt's QR code
    Rectangle {
        parent: screen
        anchors.fill: parent
        visible: screen.q.scanning
        z: 10
        color: Theme.background
        TapHandler {}
        Column {
            anchors.fill: parent
            anchors.margins: Theme.margin
            spacing: Theme.gap
            Text {
                width: parent.width
                text: screen.q.scanMessage
                color: Theme.primaryDark
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                wrapMode: Text.Wrap
            }
            Rectangle {
                width: parent.width
                height: parent.height - y - cancelScan.height - Theme.gap
                radius: Theme.radius
                color: "#1f2937"
                clip: true
                Image {
                    anchors.fill: parent
                    anchors.margins: 8
                    fillMode: Image.PreserveAspectFit
                    cache: false
                    source: screen.q.previewSource
                }
            }
            KButton {
                id: cancelScan
                anchors.horizontalCenter: parent.horizontalCenter
                primary: false
                text: qsTr("取消"); subText: "Cancel"
                onClicked: screen.q.stopScan()
            }
        }
    }
}
