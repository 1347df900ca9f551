import QtQuick

// 人脸采集: separate consent first (sensitive personal information), then the capture.
StepPage {
    id: screen
    required property var app
    readonly property var face: app.face
    steps: app.steps
    heading: qsTr("人脸采集")
    subHeading: qsTr("该事项需要核验是否为本人办理。人脸信息仅用于本次身份核验，核验完成后即删除。")
    primaryEnabled: screen.face.captured
    onPrimary: screen.app.completeStep()

    ConsentBox {
        width: parent.width
        checked: screen.face.consent
        text: qsTr("我已知晓并单独同意：采集我的人脸图像，仅用于本次办理的身份核验。断网时人脸信息加密保存，联网后由政务服务平台核验（状态显示为“待核验”）。")
        onToggled: (on) => screen.face.setConsent(on)
    }

    // the live picture must be in view while the citizen looks at it
    Connections {
        target: screen.face
        function onChanged() {
            if (!screen.face.live) return
            const top = previewBox.mapToItem(screen.flick.contentItem, 0, 0).y - Theme.gap
            screen.flick.contentY = Math.max(0, Math.min(top, screen.flick.contentHeight - screen.flick.height))
        }
    }

    Rectangle {
        id: previewBox
        width: parent.width
        height: Math.round((Theme.landscape ? 420 : 560) * Theme.scale)
        radius: Theme.radius
        color: "#1f2937"
        clip: true
        Image {
            id: live
            anchors.fill: parent
            visible: screen.face.live
            fillMode: Image.PreserveAspectFit
            cache: false
            source: screen.face.previewSource
        }
        Rectangle {  // where the face check found the face
            visible: screen.face.live && screen.face.faceBox.length === 4
            readonly property real ox: (live.width - live.paintedWidth) / 2
            readonly property real oy: (live.height - live.paintedHeight) / 2
            x: ox + (visible ? screen.face.faceBox[0] : 0) * live.paintedWidth
            y: oy + (visible ? screen.face.faceBox[1] : 0) * live.paintedHeight
            width: (visible ? screen.face.faceBox[2] : 0) * live.paintedWidth
            height: (visible ? screen.face.faceBox[3] : 0) * live.paintedHeight
            color: "transparent"
            border.color: "#22c55e"
            border.width: 5
            radius: 12
        }
        Rectangle {  // the outline to align with, when there is no live picture
            visible: !screen.face.live
            anchors.centerIn: parent
            width: parent.height * 0.55; height: parent.height * 0.75
            radius: width / 2
            color: "transparent"
            border.color: screen.face.captured ? "#4ade80" : "#ffffff"
            border.width: 6
        }
        Rectangle {
            anchors.bottom: parent.bottom
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.bottomMargin: 20
            width: faceHint.implicitWidth + 48
            height: faceHint.implicitHeight + 20
            radius: height / 2
            color: "#cc000000"
            Text {
                id: faceHint
                anchors.centerIn: parent
                text: screen.face.captured ? qsTr("采集完成 ✓（待核验）")
                     : screen.face.live ? screen.face.instruction
                     : screen.face.canCapture ? qsTr("请正对屏幕，摘下帽子和口罩")
                     : qsTr("人脸采集设备暂不可用")
                color: "#ffffff"
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
        }
    }

    Notice { text: screen.face.error; kind: "error" }

    Row {
        spacing: Theme.gap
        KButton {
            visible: !screen.face.captured && !screen.face.live
            enabled: screen.face.consent && screen.face.canCapture
            text: qsTr("开始采集"); subText: "Capture"
            onClicked: screen.face.capture()
        }
        KButton {
            visible: screen.face.captured
            primary: false
            text: qsTr("重新采集"); subText: "Retake"
            onClicked: screen.face.retake()
        }
    }
}
