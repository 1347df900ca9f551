pragma ComponentBehavior: Bound
import QtQuick

// 设备: self-test of every device, printer status and test pages, card reads (masked),
// camera previews with frame rate and sharpness.
Flow {
    id: tab
    required property var m
    spacing: Theme.gap

    MaintSection {
        title: qsTr("设备自检")
        subTitle: "Self-test"
        KButton {
            text: qsTr("全部自检")
            subText: "Test all devices"
            enabled: !tab.m.busy
            onClicked: tab.m.runSelfTests()
        }
        Text {
            visible: tab.m.deviceRows.length === 0
            width: parent.width
            text: qsTr("尚未自检。点“全部自检”检查读卡器、打印机和摄像头。")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontBody
            wrapMode: Text.Wrap
        }
        Repeater {
            model: tab.m.deviceRows
            delegate: Column {
                id: dev
                required property var modelData
                width: parent.width
                spacing: 4
                MaintField {
                    label: dev.modelData.name
                    value: (dev.modelData.ok ? qsTr("通过") : dev.modelData.state === "missing"
                            ? qsTr("未配置") : qsTr("未通过")) + "　" + dev.modelData.summary
                    tone: dev.modelData.ok ? "ok" : "error"
                }
                Text {
                    visible: text.length > 0
                    width: parent.width
                    text: dev.modelData.checks
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.WrapAnywhere
                }
            }
        }
    }

    MaintSection {
        title: qsTr("打印机")
        subTitle: "Printers"
        Repeater {
            model: tab.m.printerRows
            delegate: MaintField {
                required property var modelData
                label: modelData.name
                value: modelData.label
                tone: modelData.ok ? "ok" : "error"
            }
        }
        Flow {
            width: parent.width
            spacing: Theme.gap
            KButton {
                primary: false
                text: qsTr("打印回执测试页")
                subText: "Receipt test page"
                enabled: !tab.m.busy
                onClicked: tab.m.printTestPage("receipt_printer")
            }
            KButton {
                primary: false
                text: qsTr("打印A4测试页")
                subText: "A4 test page"
                enabled: !tab.m.busy
                onClicked: tab.m.printTestPage("a4_printer")
            }
            KButton {
                primary: false
                text: qsTr("刷新状态")
                subText: "Refresh"
                onClicked: tab.m.refreshPrinters()
            }
        }
    }

    MaintSection {
        title: qsTr("读卡测试")
        subTitle: "Card read (masked)"
        Flow {
            width: parent.width
            spacing: Theme.gap
            KButton {
                primary: false
                text: qsTr("读身份证")
                subText: "ID card"
                enabled: !tab.m.busy
                onClicked: tab.m.readCard("idcard")
            }
            KButton {
                primary: false
                text: qsTr("读社保卡")
                subText: "Social security card"
                enabled: !tab.m.busy
                onClicked: tab.m.readCard("sscard")
            }
            KButton {
                visible: tab.m.demo
                primary: false
                text: qsTr("模拟放置证件")
                subText: "Demo: place cards"
                onClicked: tab.m.simulateCards()
            }
        }
        Repeater {
            model: tab.m.cardRows
            delegate: MaintField {
                required property var modelData
                label: modelData.label
                value: modelData.value
            }
        }
        Text {
            width: parent.width
            text: qsTr("为保护个人信息，读卡结果只显示部分内容，且不会保存。")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
        }
    }

    MaintSection {
        title: qsTr("摄像头")
        subTitle: "Cameras"
        Flow {
            width: parent.width
            spacing: Theme.gap
            KButton {
                primary: tab.m.previewKind === "camera"
                text: qsTr("人像摄像头")
                subText: "Face camera"
                onClicked: tab.m.startPreview("camera")
            }
            KButton {
                primary: tab.m.previewKind === "document_camera"
                text: qsTr("高拍仪")
                subText: "Document camera"
                onClicked: tab.m.startPreview("document_camera")
            }
            KButton {
                primary: false
                visible: tab.m.previewKind !== ""
                text: qsTr("停止预览")
                subText: "Stop"
                onClicked: tab.m.stopPreview()
            }
        }
        Notice { text: tab.m.previewMessage; kind: "error" }
        Rectangle {
            visible: tab.m.previewKind !== ""
            width: Math.min(parent.width, 960)
            height: Math.round(width * 9 / 16)
            radius: Theme.radius
            color: "#1f2937"
            clip: true
            Image {
                anchors.fill: parent
                anchors.margins: 6
                fillMode: Image.PreserveAspectFit
                cache: false
                source: tab.m.previewSource
            }
        }
        MaintField {
            visible: tab.m.previewKind !== ""
            label: qsTr("帧率 / 清晰度")
            value: tab.m.previewFps.toFixed(1) + " fps　·　"
                   + (tab.m.previewSharpness < 0 ? "—" : tab.m.previewSharpness.toFixed(0))
        }
        Text {
            width: parent.width
            text: qsTr("清晰度为拉普拉斯方差：对焦或擦拭镜头后数值应明显升高。")
            color: Theme.textMuted
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
        }
    }
}
