import QtQuick

// 签名: sign with a finger. The canvas draws as the finger moves; each finished stroke is
// handed to the view-model, which renders the stored PNG.
StepPage {
    id: screen
    required property var app
    readonly property var sig: app.signature
    steps: app.steps
    heading: !screen.sig.proxy ? qsTr("请在下方框内签名")
             : screen.sig.signer === "agent" ? qsTr("请代办人在下方框内签名") : qsTr("请申请人（委托人）在下方框内签名")
    subHeading: qsTr("请用手指书写您的姓名，签名将与申请一并加密保存。")
    primaryEnabled: screen.sig.hasSignature
    secondaryText: qsTr("重新签名")
    secondarySub: "Clear"
    secondaryEnabled: screen.sig.strokeCount > 0
    onPrimary: screen.app.completeStep()
    onSecondary: { pad.current = []; screen.sig.clear() }
    Connections {
        target: screen.sig
        function onChanged() { pad.requestPaint() }
    }

    Canvas {
        id: pad
        width: parent.width
        // landscape: whatever height is left under the heading, so nobody scrolls to sign
        height: Theme.landscape ? Math.max(240, screen.flick.height - Math.round(260 * Theme.scale))
                                : Math.round(620 * Theme.scale)
        property var current: []  // the stroke under the finger; finished ones live in the view-model
        onWidthChanged: screen.sig.setCanvasSize(width, height)
        onHeightChanged: screen.sig.setCanvasSize(width, height)
        Component.onCompleted: screen.sig.setCanvasSize(width, height)
        onPaint: {
            const ctx = getContext("2d")
            ctx.fillStyle = "#ffffff"
            ctx.fillRect(0, 0, width, height)
            ctx.strokeStyle = "#c7ced9"
            ctx.lineWidth = 2
            ctx.beginPath()
            ctx.moveTo(40, height * 0.75); ctx.lineTo(width - 40, height * 0.75)
            ctx.stroke()
            ctx.strokeStyle = "#111827"
            ctx.lineWidth = 6
            ctx.lineCap = "round"
            ctx.lineJoin = "round"
            const all = screen.sig.strokes.concat([current])
            for (let s = 0; s < all.length; ++s) {
                const st = all[s]
                if (st.length === 0) continue
                ctx.beginPath()
                ctx.moveTo(st[0].x, st[0].y)
                for (let i = 1; i < st.length; ++i) ctx.lineTo(st[i].x, st[i].y)
                ctx.stroke()
            }
        }
        Rectangle {
            anchors.fill: parent
            color: "transparent"
            border.color: Theme.primary
            border.width: 3
            radius: 8
        }
        Text {
            anchors.centerIn: parent
            visible: screen.sig.strokeCount === 0 && pad.current.length === 0
            text: qsTr("在此处签名")
            color: "#b8c0cc"
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontHero
        }
        DragHandler {
            id: drag
            target: null
            onActiveChanged: {
                if (!active && pad.current.length > 0) {
                    const done = pad.current
                    pad.current = []
                    screen.sig.addStroke(done)
                }
            }
            onCentroidChanged: {
                if (active) {
                    pad.current = pad.current.concat([{ x: centroid.position.x, y: centroid.position.y }])
                    pad.requestPaint()
                }
            }
        }
    }
}
