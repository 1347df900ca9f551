import QtQuick
import QtQuick.Layouts

// Bottom bar, on every screen but the attract screen: 返回 and 首页 always in the same place.
Rectangle {
    id: nav
    property bool canGoBack: false
    property bool canGoHome: false
    property bool elderMode: false
    property string language: "zh_CN"
    signal back()
    signal home()
    signal elderToggled(bool on)
    signal languageToggled(string language)
    signal finish()

    implicitHeight: Math.round(150 * Theme.scale)
    color: Theme.card
    Rectangle { anchors.top: parent.top; width: parent.width; height: 2; color: Theme.border }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: Theme.gap
        KButton {
            text: qsTr("返回"); subText: "Back"
            primary: false
            enabled: nav.canGoBack
            Layout.preferredWidth: Math.round(200 * Theme.scale)
            onClicked: nav.back()
        }
        KButton {
            text: qsTr("首页"); subText: "Home"
            primary: false
            enabled: nav.canGoHome
            Layout.preferredWidth: Math.round(200 * Theme.scale)
            onClicked: nav.home()
        }
        Item { Layout.fillWidth: true }
        KButton {
            text: nav.elderMode ? qsTr("标准版") : qsTr("长辈版")
            subText: nav.elderMode ? "Standard" : "Large text"
            primary: false
            Layout.preferredWidth: Math.round(200 * Theme.scale)
            onClicked: nav.elderToggled(!nav.elderMode)
        }
        KButton {
            text: nav.language === "en" ? "中文" : "English"
            subText: nav.language === "en" ? "Chinese" : "英文"
            primary: false
            visible: !Theme.elder || Theme.landscape
            Layout.preferredWidth: Math.round(200 * Theme.scale)
            onClicked: nav.languageToggled(nav.language === "en" ? "zh_CN" : "en")
        }
    }
}
