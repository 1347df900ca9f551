pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic

// A large year / month / day picker: dates are chosen, never typed.
Popup {
    id: picker
    property string fieldId: ""
    property int firstYear: 1920
    property int lastYear: 2040
    signal picked(string fieldId, string value)

    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(parent ? parent.width - 2 * Theme.margin : 900, 900)
    padding: 40
    background: Rectangle { radius: 24; color: Theme.card }
    Overlay.modal: Rectangle { color: "#990b1220" }

    function openAt(fieldId, value) {
        picker.fieldId = fieldId
        const today = new Date()
        let y = today.getFullYear(), m = today.getMonth() + 1, d = today.getDate()
        const parts = value.split("-")
        if (parts.length === 3 && parts[0].length === 4) {
            y = parseInt(parts[0]); m = parseInt(parts[1]); d = parseInt(parts[2])
        }
        year.currentIndex = Math.max(0, Math.min(lastYear, y) - firstYear)
        month.currentIndex = Math.max(0, m - 1)
        day.currentIndex = Math.max(0, d - 1)
        open()
    }
    function pad(n) { return n < 10 ? "0" + n : String(n) }
    readonly property int daysInMonth: new Date(firstYear + year.currentIndex, month.currentIndex + 1, 0).getDate()

    component Wheel: Tumbler {
        id: wheel
        width: Math.round(200 * Theme.scale)
        height: Math.round(420 * Theme.scale)
        visibleItemCount: 5
        Rectangle {
            anchors.verticalCenter: parent.verticalCenter
            width: parent.width; height: parent.height / wheel.visibleItemCount
            color: "transparent"
            border.color: Theme.primary; border.width: 2; radius: 12
        }
    }

    contentItem: Column {
        spacing: 28
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("请选择日期")
            color: Theme.text
            font.family: Theme.fontFamily
            font.pixelSize: Theme.fontTitle
            font.bold: true
        }
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: 24
            Wheel { id: year; model: picker.lastYear - picker.firstYear + 1
                    delegate: Text {
                        required property int index
                        text: qsTr("%1年").arg(picker.firstYear + index)
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                        color: index === year.currentIndex ? Theme.primaryDark : Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: index === year.currentIndex ? Theme.fontLarge : Theme.fontBody
                        font.bold: index === year.currentIndex
                    } }
            Wheel { id: month; model: 12
                    delegate: Text {
                        required property int index
                        text: qsTr("%1月").arg(index + 1)
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                        color: index === month.currentIndex ? Theme.primaryDark : Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: index === month.currentIndex ? Theme.fontLarge : Theme.fontBody
                        font.bold: index === month.currentIndex
                    } }
            Wheel { id: day; model: picker.daysInMonth
                    delegate: Text {
                        required property int index
                        text: qsTr("%1日").arg(index + 1)
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                        color: index === day.currentIndex ? Theme.primaryDark : Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: index === day.currentIndex ? Theme.fontLarge : Theme.fontBody
                        font.bold: index === day.currentIndex
                    } }
        }
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: Theme.gap
            KButton { text: qsTr("取消"); subText: "Cancel"; primary: false; width: Math.round(260 * Theme.scale); onClicked: picker.close() }
            KButton {
                text: qsTr("确定"); subText: "OK"
                width: Math.round(260 * Theme.scale)
                onClicked: {
                    const d = Math.min(day.currentIndex + 1, picker.daysInMonth)
                    picker.picked(picker.fieldId, (picker.firstYear + year.currentIndex) + "-" + picker.pad(month.currentIndex + 1) + "-" + picker.pad(d))
                    picker.close()
                }
            }
        }
    }
}
