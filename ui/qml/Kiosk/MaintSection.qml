import QtQuick

// One card of a maintenance tab: a title (Chinese, English gloss) over its content. In
// landscape two cards share a row unless ``wide``.
Rectangle {
    id: card
    property string title: ""
    property string subTitle: ""
    property bool wide: false
    default property alias content: body.data
    width: !parent ? 0 : Theme.landscape && !wide ? (parent.width - Theme.gap) / 2 : parent.width
    height: body.implicitHeight + heading.height + 3 * Theme.gap
    radius: Theme.radius
    color: Theme.card
    border.color: Theme.border
    border.width: 2
    SectionTitle {
        id: heading
        x: Theme.gap
        y: Theme.gap
        text: card.title
        subText: card.subTitle
    }
    Column {
        id: body
        x: Theme.gap
        anchors.top: heading.bottom
        anchors.topMargin: Theme.gap
        width: card.width - 2 * Theme.gap
        spacing: 14
    }
}
