pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts

// 首页: search, departments, life events (一件事) and popular services.
Flickable {
    id: screen
    required property var app
    contentHeight: layout.implicitHeight + 2 * Theme.margin
    clip: true
    boundsBehavior: Flickable.StopAtBounds

    GridLayout {
        id: layout
        x: Theme.margin
        y: Theme.margin
        width: screen.width - 2 * Theme.margin
        columns: Theme.landscape ? 2 : 1
        columnSpacing: Theme.margin
        rowSpacing: Theme.margin

        // search "field": tapping it opens the search screen with the keyboard
        Rectangle {
            Layout.fillWidth: true
            Layout.columnSpan: layout.columns
            Layout.preferredHeight: Math.round(120 * Theme.scale)
            radius: height / 2
            color: Theme.card
            border.color: Theme.primary
            border.width: 3
            Row {
                anchors.verticalCenter: parent.verticalCenter
                anchors.left: parent.left
                anchors.leftMargin: 40
                spacing: 20
                Text {
                    text: "⌕"
                    color: Theme.primary
                    font.family: Theme.fontFamily
                    font.pixelSize: Theme.fontTitle
                    anchors.verticalCenter: parent.verticalCenter
                }
                Column {
                    anchors.verticalCenter: parent.verticalCenter
                    Text {
                        text: qsTr("搜索办事事项")
                        color: Theme.text
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                    }
                    Text {
                        text: qsTr("可输入汉字、拼音或首字母，如“户口”“hukou”“hkqc”")
                        color: Theme.textMuted
                        font.family: Theme.fontFamily
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }
            TapHandler { onTapped: screen.app.search("") }
        }

        // 办件查询 and 一键呼叫: the two things people come back for
        RowLayout {
            Layout.fillWidth: true
            Layout.columnSpan: layout.columns
            spacing: Theme.gap
            Repeater {
                model: [
                    { key: "query", glyph: "查", title: qsTr("办件查询"), sub: qsTr("凭回执编号或身份证查进度"), color: "#0e7490" },
                    { key: "help", glyph: "☎", title: qsTr("一键呼叫"), sub: qsTr("需要帮助？工作人员马上来"), color: "#c2410c" }
                ]
                delegate: Rectangle {
                    id: quick
                    required property var modelData
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.preferredHeight: Math.max(Theme.touchMin + 30, quickCol.implicitHeight + 40)
                    radius: Theme.radius
                    color: quickTap.pressed ? Theme.primaryLight : Theme.card
                    border.color: Theme.border
                    border.width: Theme.elder ? 2 : 1
                    Rectangle {
                        id: quickIcon
                        anchors.left: parent.left
                        anchors.leftMargin: 24
                        anchors.verticalCenter: parent.verticalCenter
                        width: Math.round(72 * Theme.scale); height: width; radius: width / 4
                        color: quick.modelData.color
                        Text {
                            anchors.centerIn: parent
                            text: quick.modelData.glyph
                            color: "#ffffff"
                            font.family: Theme.fontFamily
                            font.pixelSize: Math.round(parent.width * 0.5)
                            font.bold: true
                        }
                    }
                    Column {
                        id: quickCol
                        anchors.left: quickIcon.right
                        anchors.leftMargin: 20
                        anchors.right: parent.right
                        anchors.rightMargin: 16
                        anchors.verticalCenter: parent.verticalCenter
                        spacing: 4
                        Text {
                            width: parent.width
                            text: quick.modelData.title
                            color: Theme.text
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                        }
                        Text {
                            width: parent.width
                            text: quick.modelData.sub
                            color: Theme.textMuted
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.Wrap
                        }
                    }
                    TapHandler {
                        id: quickTap
                        onTapped: quick.modelData.key === "query" ? screen.app.openQuery() : screen.app.callHelp()
                    }
                }
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignTop
            Layout.preferredWidth: 1
            spacing: Theme.gap
            SectionTitle { text: qsTr("按部门办理"); subText: "By department" }
            GridLayout {
                Layout.fillWidth: true
                columns: Theme.elder ? (Theme.landscape ? 3 : 2) : (Theme.english ? 3 : 4)
                columnSpacing: Theme.gap
                rowSpacing: Theme.gap
                Repeater {
                    model: screen.app.departments
                    delegate: Rectangle {
                        id: deptTile
                        required property string deptId
                        required property string name
                        required property string icon
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.preferredHeight: Math.round(200 * Theme.scale)
                        radius: Theme.radius
                        color: deptTap.pressed ? Theme.primaryLight : Theme.card
                        border.color: Theme.border
                        border.width: Theme.elder ? 2 : 1
                        Column {
                            anchors.centerIn: parent
                            width: parent.width - 16
                            spacing: 12
                            IconBadge { icon: deptTile.icon; size: Math.round(84 * Theme.scale); anchors.horizontalCenter: parent.horizontalCenter }
                            Text {
                                width: parent.width
                                horizontalAlignment: Text.AlignHCenter
                                // two lines of room; a long (English) name shrinks to fit
                                height: Math.round(2.7 * (Theme.fontSmall + 2))
                                verticalAlignment: Text.AlignTop
                                text: deptTile.name
                                color: Theme.text
                                font.family: Theme.fontFamily
                                font.pixelSize: Theme.fontSmall + 2
                                font.bold: true
                                wrapMode: Text.Wrap
                                fontSizeMode: Text.Fit
                                minimumPixelSize: 14
                            }
                        }
                        TapHandler { id: deptTap; onTapped: screen.app.openDepartment(deptTile.deptId) }
                    }
                }
            }

            SectionTitle { text: qsTr("一件事一次办"); subText: "Life events"; Layout.topMargin: Theme.gap }
            Repeater {
                model: screen.app.bundles
                delegate: Rectangle {
                    id: bundleTile
                    required property string bundleId
                    required property string name
                    required property string description
                    required property string icon
                    required property int serviceCount
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.max(Theme.touchMin + 40, bundleCol.implicitHeight + 40)
                    radius: Theme.radius
                    color: bundleTap.pressed ? Theme.primaryLight : Theme.card
                    border.color: Theme.border
                    border.width: Theme.elder ? 2 : 1
                    IconBadge { id: bundleIcon; icon: bundleTile.icon; size: Math.round(80 * Theme.scale); anchors.left: parent.left; anchors.leftMargin: 24; anchors.verticalCenter: parent.verticalCenter }
                    Column {
                        id: bundleCol
                        anchors.left: bundleIcon.right
                        anchors.leftMargin: 24
                        anchors.right: parent.right
                        anchors.rightMargin: 24
                        anchors.verticalCenter: parent.verticalCenter
                        spacing: 6
                        Text {
                            width: parent.width
                            text: bundleTile.name
                            color: Theme.text
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                            wrapMode: Text.Wrap
                        }
                        Text {
                            width: parent.width
                            text: qsTr("%1 个事项，一次申请").arg(bundleTile.serviceCount) + (Theme.elder ? "" : "　·　" + bundleTile.description)
                            color: Theme.textMuted
                            font.family: Theme.fontFamily
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.Wrap
                            maximumLineCount: 2
                            elide: Text.ElideRight
                        }
                    }
                    TapHandler { id: bundleTap; onTapped: screen.app.openBundle(bundleTile.bundleId) }
                }
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignTop
            Layout.preferredWidth: 1
            spacing: Theme.gap
            SectionTitle { text: qsTr("热门事项"); subText: "Popular" }
            Repeater {
                model: screen.app.popular
                delegate: ServiceRow {
                    required code
                    required name
                    required department
                    required icon
                    required offlineAllowed
                    Layout.fillWidth: true
                    onActivated: (c) => screen.app.openService(c)
                }
            }
        }
    }
}
