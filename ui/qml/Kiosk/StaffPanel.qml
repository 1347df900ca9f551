pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic

// 帮办代办 staff layer above the citizen screens: log-in (staff card + PIN, or staff number
// + PIN where allowed) and 本机办件 (this terminal's queue, its details and the staff actions).
Rectangle {
    id: panel
    required property var app
    readonly property var staff: app.staff
    color: Theme.background

    TapHandler {}  // nothing behind the layer reacts to a touch

    Rectangle {
        id: topBar
        width: parent.width
        height: Math.round(Theme.touchMin * 1.4)
        color: Theme.primaryDark
        Text {
            anchors.verticalCenter: parent.verticalCenter
            anchors.left: parent.left
            anchors.leftMargin: Theme.margin
            text: panel.staff.panel === "desk" ? qsTr("本机办件") : qsTr("工作人员登录")
            color: Theme.textOnPrimary
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontTitle
            font.bold: true
        }
        KButton {
            anchors.verticalCenter: parent.verticalCenter
            anchors.right: parent.right
            anchors.rightMargin: Theme.margin
            text: qsTr("关闭")
            subText: "Close"
            primary: false
            onClicked: panel.staff.closePanel()
        }
    }

    Loader {
        anchors.top: topBar.bottom
        anchors.bottom: statusBar.top
        width: parent.width
        sourceComponent: panel.staff.panel === "desk" ? desk : login
    }

    Rectangle {
        id: statusBar
        anchors.bottom: parent.bottom
        width: parent.width
        height: visible ? statusText.implicitHeight + 40 : 0
        visible: panel.staff.error.length > 0 || panel.staff.message.length > 0
        color: panel.staff.error.length > 0 ? Theme.warningBg : Theme.primaryLight
        Text {
            id: statusText
            anchors.centerIn: parent
            width: parent.width - 2 * Theme.margin
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: panel.staff.error.length > 0 ? panel.staff.error : panel.staff.message
            color: panel.staff.error.length > 0 ? Theme.danger : Theme.primaryDark
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            font.bold: true
        }
    }

    Component {
        id: login
        Item {
            Flickable {
                anchors.fill: parent
                contentHeight: form.implicitHeight + 2 * Theme.margin
                clip: true
                Column {
                    id: form
                    anchors.horizontalCenter: parent.horizontalCenter
                    y: Theme.margin
                    width: Math.min(parent.width - 2 * Theme.margin, 900)
                    spacing: Theme.gap
                    Text {
                        width: parent.width
                        wrapMode: Text.Wrap
                        text: panel.staff.cardLogin
                              ? qsTr("请将工作证插入读卡器，然后输入密码。")
                              : qsTr("请输入工号和密码。")
                        color: Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontLarge
                    }
                    Text {
                        width: parent.width
                        wrapMode: Text.Wrap
                        visible: !Theme.english
                        text: panel.staff.cardLogin
                              ? "Insert your staff card, then enter your PIN."
                              : "Enter your staff number and PIN."
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                    }
                    Row {
                        spacing: Theme.gap
                        visible: panel.staff.pinOnly
                        KButton {
                            text: qsTr("工作证登录"); subText: "Card"
                            primary: !byNumber.checked
                            onClicked: byNumber.checked = false
                        }
                        KButton {
                            id: byNumberButton
                            text: qsTr("工号登录"); subText: "Staff number"
                            primary: byNumber.checked
                            onClicked: byNumber.checked = true
                        }
                    }
                    QtObject { id: byNumber; property bool checked: !panel.staff.cardLogin }
                    TextField {
                        id: staffNumber
                        visible: byNumber.checked
                        width: parent.width
                        height: Theme.touchMin
                        placeholderText: qsTr("工号")
                        inputMethodHints: Qt.ImhPreferUppercase | Qt.ImhNoPredictiveText
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontLarge
                        leftPadding: 24
                    }
                    PinPad {
                        id: pin
                        anchors.horizontalCenter: parent.horizontalCenter
                        placeholder: qsTr("密码")
                    }
                    KButton {
                        anchors.horizontalCenter: parent.horizontalCenter
                        width: Math.round(420 * Theme.scale)
                        enabled: !panel.staff.busy && pin.value.length > 0
                        text: panel.staff.busy ? qsTr("正在核验…") : qsTr("登录")
                        subText: "Log in"
                        onClicked: {
                            if (byNumber.checked)
                                panel.staff.loginPin(staffNumber.text, pin.value)
                            else
                                panel.staff.loginCard(pin.value)
                            pin.clear()
                        }
                    }
                    KButton {
                        anchors.horizontalCenter: parent.horizontalCenter
                        visible: panel.staff.demo && panel.staff.cardLogin && !byNumber.checked
                        text: qsTr("插入演示工作证")
                        subText: "Demo: insert a staff card"
                        primary: false
                        onClicked: panel.staff.simulateInsertStaffCard()
                    }
                }
            }
        }
    }

    Component {
        id: desk
        Item {
            id: deskRoot
            readonly property bool wide: width > height
            readonly property var filters: [
                {"name": "all", "zh": qsTr("全部"), "en": "All"},
                {"name": "undelivered", "zh": qsTr("待上报"), "en": "Not sent"},
                {"name": "dead_letter", "zh": qsTr("上报失败"), "en": "Failed"},
                {"name": "needs_correction", "zh": qsTr("需补正"), "en": "To correct"},
                {"name": "done", "zh": qsTr("已上报"), "en": "Sent"}]

            Column {
                id: controls
                x: Theme.margin
                y: Theme.gap
                width: parent.width - 2 * Theme.margin
                spacing: 16
                Flow {
                    width: parent.width
                    spacing: 12
                    Repeater {
                        model: deskRoot.filters
                        delegate: KButton {
                            required property var modelData
                            text: modelData.zh
                            subText: modelData.en
                            primary: panel.staff.stateFilter === modelData.name
                            onClicked: panel.staff.setStateFilter(modelData.name)
                        }
                    }
                }
                Row {
                    width: parent.width
                    spacing: 16
                    TextField {
                        id: search
                        width: parent.width - summaryButton.width - 16
                        height: Theme.touchMin
                        placeholderText: qsTr("搜索编号或事项")
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        leftPadding: 24
                        onTextEdited: panel.staff.setSearch(text)
                    }
                    KButton {
                        id: summaryButton
                        text: qsTr("日终汇总")
                        subText: "Day summary"
                        enabled: !panel.staff.busy
                        onClicked: panel.staff.printSummary()
                    }
                }
            }

            ListView {
                id: list
                anchors.top: controls.bottom
                anchors.topMargin: Theme.gap
                x: Theme.margin
                width: deskRoot.wide ? (parent.width - 3 * Theme.margin) * 0.45 : parent.width - 2 * Theme.margin
                height: deskRoot.wide ? parent.height - controls.height - 2 * Theme.gap
                                      : (parent.height - controls.height - 2 * Theme.gap) * 0.42
                clip: true
                spacing: 10
                model: panel.staff.rows
                Text {
                    anchors.centerIn: parent
                    visible: list.count === 0
                    text: qsTr("没有符合条件的办件")
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                }
                delegate: Rectangle {
                    id: rowItem
                    required property var modelData
                    width: list.width
                    height: Math.max(Theme.touchMin, rowText.implicitHeight + 24)
                    radius: Theme.radius
                    color: panel.staff.detail.key === modelData.key ? Theme.primaryLight : Theme.card
                    border.color: Theme.border
                    border.width: 2
                    Column {
                        id: rowText
                        anchors.verticalCenter: parent.verticalCenter
                        x: 20
                        width: parent.width - 40
                        spacing: 4
                        Text {
                            width: parent.width
                            elide: Text.ElideRight
                            text: rowItem.modelData.serviceName
                            color: Theme.text
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                        }
                        Text {
                            width: parent.width
                            wrapMode: Text.Wrap
                            text: rowItem.modelData.stateLabel + "　" + rowItem.modelData.provisionalNo
                                  + "　" + rowItem.modelData.maskedName + "　" + rowItem.modelData.created
                            color: rowItem.modelData.state === "dead_letter" || rowItem.modelData.state === "needs_correction"
                                   ? Theme.danger : Theme.textMuted
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    TapHandler { onTapped: panel.staff.select(rowItem.modelData.key) }
                }
            }

            Rectangle {
                id: detailBox
                x: deskRoot.wide ? list.x + list.width + Theme.margin : Theme.margin
                y: deskRoot.wide ? list.y : list.y + list.height + Theme.gap
                width: deskRoot.wide ? parent.width - list.width - 3 * Theme.margin : parent.width - 2 * Theme.margin
                height: deskRoot.wide ? list.height : parent.height - y - Theme.gap
                radius: Theme.radius
                color: Theme.card
                border.color: Theme.border
                border.width: 2
                readonly property var d: panel.staff.detail
                readonly property bool has: d.key !== undefined

                Text {
                    anchors.centerIn: parent
                    visible: !detailBox.has
                    text: qsTr("点选一件办件查看详情")
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                }
                Flickable {
                    anchors.fill: parent
                    anchors.margins: 20
                    visible: detailBox.has
                    contentHeight: info.implicitHeight
                    clip: true
                    Column {
                        id: info
                        width: parent.width
                        spacing: 12
                        Text {
                            width: parent.width
                            wrapMode: Text.Wrap
                            text: detailBox.has ? detailBox.d.serviceName + "（" + detailBox.d.serviceCode + "）" : ""
                            color: Theme.text
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontLarge
                            font.bold: true
                        }
                        Text {
                            width: parent.width
                            wrapMode: Text.Wrap
                            text: detailBox.has
                                  ? qsTr("状态：%1").arg(detailBox.d.stateLabel)
                                    + (detailBox.d.reason ? "　" + detailBox.d.reason : "") + "\n"
                                    + qsTr("临时受理编号：%1").arg(detailBox.d.provisionalNo) + "\n"
                                    + (detailBox.d.caseNo ? qsTr("办件编号：%1").arg(detailBox.d.caseNo) + "\n" : "")
                                    + qsTr("申请人：%1　%2").arg(detailBox.d.maskedName).arg(detailBox.d.maskedId) + "\n"
                                    + qsTr("受理时间：%1").arg(detailBox.d.created)
                                    + (detailBox.d.assisted ? "　" + qsTr("帮办") : "")
                                    + (detailBox.d.proxy ? "　" + qsTr("代办") : "")
                                  : ""
                            color: Theme.text
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                            lineHeight: 1.2
                        }
                        Text {
                            width: parent.width
                            wrapMode: Text.Wrap
                            visible: detailBox.has && detailBox.d.materials.length > 0
                            text: detailBox.has ? qsTr("已收材料：") + detailBox.d.materials.join("、") : ""
                            color: Theme.textMuted
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                        }
                        Rectangle {
                            width: parent.width
                            visible: detailBox.has && detailBox.d.canCorrect
                            height: visible ? fix.implicitHeight + 24 : 0
                            radius: 8
                            color: Theme.warningBg
                            Text {
                                id: fix
                                anchors.centerIn: parent
                                width: parent.width - 24
                                wrapMode: Text.Wrap
                                text: detailBox.has && detailBox.d.canCorrect
                                      ? qsTr("平台要求补正：") + detailBox.d.correctionNote
                                        + (detailBox.d.correctionFields.length ? "\n" + qsTr("需更正：") + detailBox.d.correctionFields.join("、") : "")
                                        + (detailBox.d.correctionMaterials.length ? "\n" + qsTr("需补交：") + detailBox.d.correctionMaterials.join("、") : "")
                                      : ""
                                color: Theme.warning
                                font.family: Theme.fontFamily
                                font.pixelSize: Theme.fontSmall
                            }
                        }
                        Flow {
                            width: parent.width
                            spacing: 12
                            KButton {
                                visible: detailBox.has && detailBox.d.canRetry
                                text: qsTr("重新上报"); subText: "Send again"
                                onClicked: panel.staff.retry(detailBox.d.key)
                            }
                            KButton {
                                visible: detailBox.has && detailBox.d.canCorrect
                                text: qsTr("补正办理"); subText: "Correct and resubmit"
                                onClicked: panel.staff.startCorrection(detailBox.d.key)
                            }
                            KButton {
                                visible: detailBox.has
                                enabled: !panel.staff.busy
                                text: qsTr("补打回执"); subText: "Reprint receipt"; primary: false
                                onClicked: panel.staff.reprint(detailBox.d.key, "receipt")
                            }
                            KButton {
                                visible: detailBox.has
                                enabled: !panel.staff.busy
                                text: qsTr("补打通知书"); subText: "Reprint notice"; primary: false
                                onClicked: panel.staff.reprint(detailBox.d.key, "notice")
                            }
                        }
                        Text {
                            text: qsTr("办理记录")
                            visible: detailBox.has
                            color: Theme.text
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                        }
                        Repeater {
                            model: detailBox.has ? detailBox.d.history : []
                            delegate: Text {
                                required property var modelData
                                width: info.width
                                wrapMode: Text.Wrap
                                text: modelData.at + "　" + modelData.label + "　" + modelData.reason
                                color: Theme.textMuted
                                font.family: Theme.fontFamily
                                font.pixelSize: Theme.fontSmall
                            }
                        }
                    }
                }
            }
        }
    }
}
