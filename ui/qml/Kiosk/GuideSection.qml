import QtQuick

// A titled card of the service guide.
Rectangle {
    id: section
    property string title: ""
    property string subTitle: ""
    default property alias content: body.data
    implicitHeight: col.implicitHeight + 56
    radius: Theme.radius
    color: Theme.card
    border.color: Theme.border
    border.width: Theme.elder ? 2 : 1
    Column {
        id: col
        x: 32
        y: 28
        width: section.width - 64
        spacing: 18
        SectionTitle { text: section.title; subText: section.subTitle }
        Column { id: body; width: parent.width; spacing: 14 }
    }
}
