pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts

// 办事指南 (一次性告知): conditions, materials and how each may be supplied, legal basis,
// time limit, fee, channels, where to collect the result, FAQ, and whether it can be
// accepted while the platform is unreachable.
Item {
    id: screen
    required property var app
    readonly property var guide: app.guide

    component BodyText: Text {
        width: parent ? parent.width : 0
        color: Theme.text
        font.family: Theme.fontFamily
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
        lineHeight: 1.15
    }
    component Tag: Rectangle {
        id: tag
        property string text: ""
        property color fg: Theme.primaryDark
        property color bg: Theme.primaryLight
        implicitWidth: tagText.implicitWidth + 28
        implicitHeight: tagText.implicitHeight + 12
        radius: 10
        color: bg
        Text {
            id: tagText
            anchors.centerIn: parent
            text: tag.text
            color: tag.fg
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            font.bold: true
        }
    }

    Flickable {
        id: flick
        anchors.top: parent.top
        anchors.bottom: startBar.top
        width: parent.width
        contentHeight: layout.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        GridLayout {
            id: layout
            x: Theme.margin
            y: Theme.margin
            width: flick.width - 2 * Theme.margin
            columns: Theme.landscape ? 2 : 1
            columnSpacing: Theme.margin
            rowSpacing: Theme.gap

            // title block
            Column {
                Layout.fillWidth: true
                Layout.columnSpan: layout.columns
                spacing: 14
                Text {
                    width: parent.width
                    text: screen.guide.name
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                    wrapMode: Text.Wrap
                }
                Text {
                    width: parent.width
                    text: screen.guide.summary
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.Wrap
                    visible: text.length > 0
                }
                Flow {
                    width: parent.width
                    spacing: 12
                    Tag { text: screen.guide.department }
                    Tag { text: screen.guide.kindName }
                    Tag { text: qsTr("事项编码 %1").arg(screen.guide.code); fg: Theme.textMuted; bg: "#eef0f3" }
                    Tag {
                        text: screen.guide.offlineAllowed ? qsTr("断网时可受理") : qsTr("需联网办理")
                        fg: screen.guide.offlineAllowed ? Theme.success : Theme.warning
                        bg: screen.guide.offlineAllowed ? "#e6f4ea" : Theme.warningBg
                    }
                    Tag { visible: screen.guide.needsFace; text: qsTr("需人脸核验"); fg: Theme.warning; bg: Theme.warningBg }
                }
                // what applies right now: unavailable (and why), or accepted offline
                Rectangle {
                    width: parent.width
                    visible: screen.guide.availability.length > 0
                    height: visible ? availabilityText.implicitHeight + 36 : 0
                    radius: Theme.radius
                    color: screen.guide.availableNow ? Theme.primaryLight : Theme.warningBg
                    border.color: screen.guide.availableNow ? Theme.primary : Theme.warning
                    border.width: 2
                    Text {
                        id: availabilityText
                        anchors.verticalCenter: parent.verticalCenter
                        x: 24
                        width: parent.width - 48
                        text: (screen.guide.availableNow ? qsTr("离线受理：") : qsTr("暂不可办理："))
                              + screen.guide.availability
                        color: screen.guide.availableNow ? Theme.primaryDark : Theme.warning
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        wrapMode: Text.Wrap
                    }
                }
            }

            ColumnLayout {
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                Layout.preferredWidth: 1
                spacing: Theme.gap
                GuideSection {
                    Layout.fillWidth: true
                    title: qsTr("申请材料"); subTitle: "Materials"
                    Repeater {
                        model: screen.guide.materials
                        delegate: Column {
                            id: mat
                            required property var modelData
                            required property int index
                            width: parent.width
                            spacing: 6
                            Rectangle { width: parent.width; height: 1; color: Theme.border; visible: mat.index > 0 }
                            BodyText {
                                text: (mat.index + 1) + ". " + mat.modelData.name
                                font.bold: true
                            }
                            Flow {
                                width: parent.width
                                spacing: 10
                                Tag {
                                    text: mat.modelData.required ? qsTr("必交") : qsTr("按情况提交")
                                    fg: mat.modelData.required ? Theme.danger : Theme.textMuted
                                    bg: mat.modelData.required ? "#fdecea" : "#eef0f3"
                                }
                                Tag { text: mat.modelData.forms + " × " + mat.modelData.count; fg: Theme.textMuted; bg: "#eef0f3" }
                                Tag { text: mat.modelData.trust; fg: Theme.primaryDark; bg: Theme.primaryLight }
                            }
                            BodyText {
                                visible: text.length > 0
                                text: mat.modelData.condition.length > 0 ? qsTr("适用情形：") + mat.modelData.condition : ""
                                font.pixelSize: Theme.fontSmall
                                color: Theme.textMuted
                            }
                            BodyText {
                                visible: text.length > 0
                                text: mat.modelData.note
                                font.pixelSize: Theme.fontSmall
                                color: Theme.textMuted
                            }
                            BodyText {
                                visible: text.length > 0
                                text: mat.modelData.eLicence.length > 0 ? qsTr("联网时可调取电子证照：") + mat.modelData.eLicence : ""
                                font.pixelSize: Theme.fontSmall
                                color: Theme.success
                            }
                        }
                    }
                }
                GuideSection {
                    Layout.fillWidth: true
                    title: qsTr("办理条件"); subTitle: "Who can apply"
                    Repeater {
                        model: screen.guide.conditions
                        delegate: BodyText { required property var modelData; text: "· " + modelData }
                    }
                }
            }

            ColumnLayout {
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                Layout.preferredWidth: 1
                spacing: Theme.gap
                GuideSection {
                    Layout.fillWidth: true
                    title: qsTr("办理时限与收费"); subTitle: "Time and fee"
                    BodyText { text: qsTr("办理时限：") + screen.guide.timeLimit }
                    BodyText { text: qsTr("收费标准：") + screen.guide.fee }
                    BodyText { text: qsTr("身份核验：") + screen.guide.identifyMethods }
                }
                GuideSection {
                    Layout.fillWidth: true
                    title: qsTr("办理渠道与结果领取"); subTitle: "Channels"
                    BodyText { text: qsTr("办理渠道：") + screen.guide.channelsText }
                    BodyText { text: qsTr("结果领取：") + screen.guide.resultCollection }
                }
                GuideSection {
                    Layout.fillWidth: true
                    title: qsTr("设定依据"); subTitle: "Legal basis"
                    Repeater {
                        model: screen.guide.legalBasis
                        delegate: BodyText { required property var modelData; text: "· " + modelData; font.pixelSize: Theme.fontSmall + 2 }
                    }
                }
                GuideSection {
                    Layout.fillWidth: true
                    title: qsTr("常见问题"); subTitle: "FAQ"
                    Repeater {
                        model: screen.guide.faq
                        delegate: Column {
                            id: qa
                            required property var modelData
                            width: parent.width
                            spacing: 4
                            BodyText { text: qsTr("问：") + qa.modelData.q; font.bold: true }
                            BodyText { text: qsTr("答：") + qa.modelData.a; color: Theme.textMuted }
                        }
                    }
                }
            }
        }
    }

    // 开始办理: always in the same place; disabled (with the reason above) when the service
    // cannot be accepted right now
    Rectangle {
        id: startBar
        anchors.bottom: parent.bottom
        width: parent.width
        height: Math.round(132 * Theme.scale)
        color: Theme.background
        Rectangle { anchors.top: parent.top; width: parent.width; height: 2; color: Theme.border }
        Text {
            anchors.left: parent.left
            anchors.leftMargin: Theme.margin
            anchors.right: startButton.left
            anchors.rightMargin: Theme.gap
            anchors.verticalCenter: parent.verticalCenter
            text: screen.guide.availableNow ? qsTr("材料已备齐？现在就可以在本机申请。")
                                            : qsTr("该事项暂不能在本机受理，请看上方说明。")
            color: screen.guide.availableNow ? Theme.textMuted : Theme.warning
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            wrapMode: Text.Wrap
            maximumLineCount: 2
        }
        KButton {
            id: startButton
            anchors.right: parent.right
            anchors.rightMargin: Theme.margin
            anchors.verticalCenter: parent.verticalCenter
            width: Math.round(360 * Theme.scale)
            text: qsTr("开始办理")
            subText: "Apply now"
            enabled: screen.guide.availableNow
            onClicked: screen.app.startApplication()
        }
    }
}
