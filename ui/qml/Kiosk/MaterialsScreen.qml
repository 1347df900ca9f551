pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Shapes

// 提交材料: how each material is supplied (e-licence when online, 告知承诺 where allowed,
// or the original brought to the window later).
StepPage {
    id: screen
    required property var app
    readonly property var mats: app.materials
    steps: app.steps
    heading: qsTr("请确认申请材料")
    subHeading: screen.mats.online ? qsTr("可在线调取的电子证照无需再提交纸质材料。")
                                   : qsTr("当前离线：电子证照暂不能调取，可先提交申请，原件到窗口核验。")
    primaryEnabled: screen.mats.capturing.length === 0 && !screen.mats.pulling
    onPrimary: screen.app.completeStep()

    Notice { text: screen.mats.captureError; kind: "warning" }

    Repeater {
        model: screen.mats.rows
        delegate: Rectangle {
            id: card
            required property var modelData
            required property int index
            width: parent.width
            height: matCol.implicitHeight + 56
            radius: Theme.radius
            color: Theme.card
            border.color: Theme.border
            border.width: Theme.elder ? 2 : 1
            Column {
                id: matCol
                x: 32; y: 28
                width: parent.width - 64
                spacing: 14
                Text {
                    width: parent.width
                    text: (card.index + 1) + ". " + card.modelData.name + (card.modelData.required ? "" : qsTr("（按情况提交）"))
                    color: Theme.text
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                    wrapMode: Text.Wrap
                }
                Text {  // 需补正: the platform asked for this material
                    width: parent.width
                    visible: card.modelData.needsFix === true
                    text: qsTr("需补正：平台要求补交此材料")
                    color: Theme.warning
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                    wrapMode: Text.Wrap
                }
                Text {
                    width: parent.width
                    visible: card.modelData.condition.length > 0
                    text: qsTr("适用情形：") + card.modelData.condition
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }
                Text {
                    width: parent.width
                    visible: card.modelData.note.length > 0
                    text: card.modelData.note
                    color: Theme.textMuted
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }
                Flow {
                    width: parent.width
                    spacing: 16
                    Repeater {
                        model: card.modelData.choices
                        delegate: KButton {
                            required property var modelData
                            text: (card.modelData.choice === modelData.key ? "✓ " : "") + modelData.label
                            primary: card.modelData.choice === modelData.key
                            onClicked: screen.mats.choose(card.modelData.materialId, modelData.key)
                        }
                    }
                }
                Row {
                    visible: card.modelData.scanned
                    width: parent.width
                    spacing: Theme.gap
                    Image {
                        id: thumb
                        width: Math.round(150 * Theme.scale); height: Math.round(200 * Theme.scale)
                        fillMode: Image.PreserveAspectFit
                        cache: false
                        source: card.modelData.thumbSource
                    }
                    Column {
                        width: parent.width - thumb.width - parent.spacing
                        anchors.verticalCenter: parent.verticalCenter
                        spacing: 12
                        Text {
                            width: parent.width
                            wrapMode: Text.Wrap
                            text: qsTr("已拍照，原件请到窗口核验")
                            color: Theme.success
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                        }
                        KButton {
                            visible: screen.mats.scannerAvailable
                            primary: false
                            text: qsTr("重新拍摄"); subText: "Retake"
                            onClicked: screen.mats.startCapture(card.modelData.materialId)
                        }
                    }
                }
                Text {  // 调取电子证照: the platform is asked
                    width: parent.width
                    visible: card.modelData.pulling
                    text: qsTr("正在从政务服务平台调取电子证照…")
                    color: Theme.primaryDark
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.Wrap
                }
                Column {  // … and what it produced (trust level A)
                    width: parent.width
                    spacing: 4
                    visible: card.modelData.choice === "elicence" && card.modelData.licenceNo.length > 0
                    Text {
                        width: parent.width
                        text: qsTr("✓ 已调取电子证照（A级，无需提交纸质材料）")
                        color: Theme.success
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        wrapMode: Text.Wrap
                    }
                    Text {
                        width: parent.width
                        text: qsTr("证照编号：%1").arg(card.modelData.licenceNo)
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.WrapAnywhere
                    }
                    Text {
                        width: parent.width
                        text: qsTr("签发机关：%1").arg(card.modelData.licenceIssuer)
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                        wrapMode: Text.Wrap
                    }
                }
                Text {
                    width: parent.width
                    visible: card.modelData.licenceError.length > 0 && !card.modelData.pulling
                    text: card.modelData.licenceError
                    color: Theme.warning
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                    wrapMode: Text.Wrap
                }
                Text {
                    width: parent.width
                    visible: card.modelData.offlineNote
                    text: qsTr("联网时可调取“%1”，当前离线暂不可用").arg(card.modelData.eLicence)
                    color: Theme.warning
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }
            }
        }
    }

    // the 高拍仪: live preview with the detected page, auto-capture, check, retake or use
    Rectangle {
        parent: screen
        anchors.fill: parent
        visible: screen.mats.capturing.length > 0
        z: 10
        color: Theme.background
        TapHandler {}  // nothing behind is touched by accident
        Column {
            anchors.fill: parent
            anchors.margins: Theme.margin
            spacing: Theme.gap
            Text {
                width: parent.width
                text: qsTr("拍摄：%1").arg(screen.mats.captureName)
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                wrapMode: Text.Wrap
            }
            Text {
                width: parent.width
                text: screen.mats.hasResult ? qsTr("请确认照片清晰完整。") : screen.mats.hint
                color: Theme.primaryDark
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
                wrapMode: Text.Wrap
            }
            Rectangle {  // progress towards "holding still"
                visible: !screen.mats.hasResult
                width: parent.width; height: 12; radius: 6
                color: Theme.primaryLight
                Rectangle {
                    width: parent.width * screen.mats.progress; height: parent.height; radius: 6
                    color: Theme.primary
                }
            }
            Rectangle {
                id: view
                width: parent.width
                height: parent.height - y - buttons.height - Theme.gap
                color: "#1f2937"
                radius: Theme.radius
                clip: true
                Image {
                    id: live
                    anchors.fill: parent
                    anchors.margins: 8
                    fillMode: Image.PreserveAspectFit
                    cache: false
                    source: screen.mats.hasResult ? screen.mats.resultSource : screen.mats.previewSource
                }
                // The detected page, outlined over the live picture: a vector path, not a
                // Canvas (that kept a view-sized ARGB bitmap, ≈ 5 MB, for four lines).
                Shape {
                    id: outline
                    anchors.fill: live
                    visible: !screen.mats.hasResult && quad.length === 8 && live.paintedWidth > 0
                    readonly property var quad: screen.mats.quad
                    readonly property real ox: (width - live.paintedWidth) / 2
                    readonly property real oy: (height - live.paintedHeight) / 2
                    ShapePath {
                        strokeColor: "#22c55e"
                        strokeWidth: 6
                        fillColor: "transparent"
                        joinStyle: ShapePath.MiterJoin
                        PathPolyline {
                            path: outline.quad.length === 8
                                ? [0, 1, 2, 3, 0].map(i => Qt.point(
                                    outline.ox + outline.quad[2 * i] * live.paintedWidth,
                                    outline.oy + outline.quad[2 * i + 1] * live.paintedHeight))
                                : []
                        }
                    }
                }
                Text {
                    anchors.centerIn: parent
                    visible: live.status !== Image.Ready
                    text: qsTr("正在打开高拍仪…")
                    color: "#ffffff"
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontBody
                }
            }
            Row {
                id: buttons
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: Theme.gap
                KButton { text: qsTr("取消"); subText: "Cancel"; primary: false; onClicked: screen.mats.cancelCapture() }
                KButton { visible: screen.mats.hasResult; text: qsTr("重拍"); subText: "Retake"; primary: false; onClicked: screen.mats.retake() }
                KButton { visible: screen.mats.hasResult; text: qsTr("使用这张"); subText: "Use it"; onClicked: screen.mats.acceptCapture() }
            }
        }
    }
}
