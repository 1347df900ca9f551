pragma ComponentBehavior: Bound
import QtQuick

// A QR code drawn from its module matrix (the view-model encodes it): crisp at any size.
Rectangle {
    id: qr
    property var modules: []
    property int size: 0
    readonly property real cell: size > 0 ? Math.floor((width - 2 * quiet) / size) : 0
    readonly property real quiet: width * 0.06
    color: "#ffffff"
    Grid {
        anchors.centerIn: parent
        columns: Math.max(1, qr.size)
        Repeater {
            model: qr.modules
            delegate: Rectangle {
                required property var modelData
                width: qr.cell; height: qr.cell
                color: modelData ? "#000000" : "#ffffff"
            }
        }
    }
}
