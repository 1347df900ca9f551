import QtQuick

// A label and its value on one line (wrapping when long); ``tone`` colours the value.
Item {
    id: row
    property string label: ""
    property string value: ""
    property string tone: ""  // "", "ok", "error", "warning"
    property int size: Theme.fontBody
    width: parent ? parent.width : 0
    implicitHeight: Math.max(labelText.implicitHeight, valueText.implicitHeight)
    height: implicitHeight
    Text {
        id: labelText
        width: Math.round(row.width > 1200 ? row.width * 0.3 : Math.min(row.width * 0.34, 340))
        text: row.label
        color: Theme.textMuted
        font.family: Theme.fontFamily
        font.pixelSize: row.size
        wrapMode: Text.Wrap
    }
    Text {
        id: valueText
        x: labelText.width + 16
        width: row.width - x
        text: row.value
        color: row.tone === "ok" ? Theme.success : row.tone === "error" ? Theme.danger
             : row.tone === "warning" ? Theme.warning : Theme.text
        font.family: Theme.fontFamily
        font.pixelSize: row.size
        font.bold: row.tone !== ""
        wrapMode: Text.WrapAnywhere
    }
}
