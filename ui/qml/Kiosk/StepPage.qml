import QtQuick

// The frame of every application step: the step bar, a heading, the scrolling content and
// a fixed action bar at the bottom (the main action always in the same place).
Item {
    id: page
    property var steps: []
    property string heading: ""
    property string subHeading: ""
    property string primaryText: qsTr("下一步")
    property string primarySub: "Next"
    property bool primaryEnabled: true
    property bool primaryVisible: true
    property string secondaryText: ""
    property string secondarySub: ""
    property bool secondaryEnabled: true
    property alias flick: flick
    default property alias content: body.data
    signal primary()
    signal secondary()

    StepBar {
        id: stepBar
        visible: page.steps.length > 0
        anchors.top: parent.top
        width: parent.width
        height: visible ? implicitHeight : 0
        steps: page.steps
    }

    Flickable {
        id: flick
        anchors.top: stepBar.bottom
        anchors.bottom: Theme.landscape ? parent.bottom : actions.top
        anchors.left: parent.left
        anchors.right: Theme.landscape ? actions.left : parent.right
        contentHeight: column.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: column
            x: Theme.margin
            y: Theme.margin
            width: flick.width - 2 * Theme.margin
            spacing: Theme.gap
            Text {
                width: parent.width
                visible: text.length > 0
                text: page.heading
                color: Theme.text
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontTitle
                font.bold: true
                wrapMode: Text.Wrap
            }
            Text {
                width: parent.width
                visible: text.length > 0
                text: page.subHeading
                color: Theme.textMuted
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontBody
                wrapMode: Text.Wrap
            }
            Column {
                id: body
                width: parent.width
                spacing: Theme.gap
            }
        }
    }

    // the actions: a bar at the bottom in portrait, a column on the right in landscape
    // (a landscape screen has width to spare and no height)
    Rectangle {
        id: actions
        readonly property bool shown: page.primaryVisible || page.secondaryText.length > 0
        visible: shown
        anchors.bottom: parent.bottom
        anchors.right: parent.right
        anchors.top: Theme.landscape ? stepBar.bottom : undefined
        width: Theme.landscape ? (shown ? Math.round(440 * Theme.scale) : 0) : parent.width
        height: Theme.landscape ? undefined : (shown ? Math.round(132 * Theme.scale) : 0)
        color: Theme.background
        Rectangle {
            width: Theme.landscape ? 2 : parent.width
            height: Theme.landscape ? parent.height : 2
            color: Theme.border
        }
        // portrait: secondary on the left, primary on the right
        Item {
            visible: !Theme.landscape
            anchors.fill: parent
            anchors.leftMargin: Theme.margin
            anchors.rightMargin: Theme.margin
            KButton {
                visible: page.secondaryText.length > 0
                anchors.left: parent.left
                anchors.verticalCenter: parent.verticalCenter
                width: Math.round(300 * Theme.scale)
                text: page.secondaryText
                subText: page.secondarySub
                primary: false
                enabled: page.secondaryEnabled
                onClicked: page.secondary()
            }
            KButton {
                visible: page.primaryVisible
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                width: Math.round(360 * Theme.scale)
                text: page.primaryText
                subText: page.primarySub
                enabled: page.primaryEnabled
                onClicked: page.primary()
            }
        }
        // landscape: primary on top, secondary under it, in the right-hand column
        Column {
            visible: Theme.landscape
            anchors.fill: parent
            anchors.margins: Theme.margin
            spacing: Theme.gap
            KButton {
                visible: page.primaryVisible
                width: parent.width
                text: page.primaryText
                subText: page.primarySub
                enabled: page.primaryEnabled
                onClicked: page.primary()
            }
            KButton {
                visible: page.secondaryText.length > 0
                width: parent.width
                text: page.secondaryText
                subText: page.secondarySub
                primary: false
                enabled: page.secondaryEnabled
                onClicked: page.secondary()
            }
        }
    }
}
