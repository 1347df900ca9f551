pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Window
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import Kiosk

// The kiosk window: header, the current screen, the navigation bar, the inactivity
// countdown and the on-screen keyboard (pinyin for zh_CN). The flow lives in Python.
Window {
    id: root
    required property var app

    width: app.orientation === "landscape" ? 1920 : 1080
    height: app.orientation === "landscape" ? 1080 : 1920
    visible: true
    color: Theme.background
    title: qsTr("政务服务自助终端")

    Binding { target: Theme; property: "elder"; value: root.app.elderMode }
    Binding { target: Theme; property: "landscape"; value: root.app.orientation === "landscape" }
    Binding { target: Theme; property: "english"; value: root.app.language === "en" }

    readonly property bool attract: app.screen === "attract"

    HeaderBar {
        id: header
        visible: !root.attract
        anchors.top: parent.top
        width: parent.width
        height: visible ? implicitHeight : 0
        hallName: root.app.language === "en" && root.app.hallNameEn ? root.app.hallNameEn
                                                                    : root.app.hallName
        title: root.app.title
        demo: root.app.demoMode
        linkState: root.app.linkState
        linkLabel: root.app.linkLabel
        canCallHelp: ["submitting", "help"].indexOf(root.app.screen) < 0
        onCallHelp: root.app.callHelp()
        now: Qt.formatTime(clock.now, "hh:mm")
        Timer {  // display only: the clock in the header
            id: clock
            property date now: new Date()
            interval: 10000; running: true; repeat: true
            onTriggered: now = new Date()
        }
    }

    StaffBar {
        id: staffBar
        staff: root.app.staff
        visible: root.app.staff.loggedIn && !root.attract
        anchors.top: header.bottom
        width: parent.width
        height: visible ? implicitHeight : 0
    }

    // The current screen: only the attract screen is compiled with the window, the others
    // when first shown (ScreenHost)
    ScreenHost {
        anchors.top: staffBar.bottom
        anchors.bottom: nav.top
        width: parent.width
        app: root.app
        empty: Component { AttractScreen { app: root.app } }
        file: {
            switch (root.app.screen) {
            case "attract": return ""
            case "home": return "HomeScreen"
            case "department":
            case "bundle":
            case "search": return "ServiceListScreen"
            case "guide": return "GuideScreen"
            case "identify": return "IdentifyScreen"
            case "form": return "FormScreen"
            case "materials": return "MaterialsScreen"
            case "face": return "FaceScreen"
            case "signature": return "SignatureScreen"
            case "consent": return "ConsentScreen"
            case "review": return "ReviewScreen"
            case "submitting": return "SubmittingScreen"
            case "result": return "ResultScreen"
            case "receipt": return "ReceiptScreen"
            case "rating": return "RatingScreen"
            case "farewell": return "FarewellScreen"
            case "query": return "QueryScreen"
            case "help": return "HelpScreen"
            default: return "HomeScreen"
            }
        }
    }

    NavBar {
        id: nav
        visible: !root.attract && !keyboard.active  // typing: the screen needs the room
        anchors.bottom: keyboard.top
        width: parent.width
        height: visible ? implicitHeight : 0
        canGoBack: root.app.canGoBack
        canGoHome: root.app.canGoHome
        elderMode: root.app.elderMode
        language: root.app.language
        onBack: root.app.goBack()
        onHome: root.app.goHome()
        onElderToggled: (on) => root.app.setElderMode(on)
        onLanguageToggled: (language) => root.app.setLanguage(language)
    }

    InputPanel {
        id: keyboard
        width: parent.width
        y: active ? root.height - height : root.height
        // InputPanel anchors the nav bar above it; the Loader shrinks accordingly.
        Component.onCompleted: {
            VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
            VirtualKeyboardSettings.locale = "zh_CN"
        }
    }

    // 帮办: staff log-in and 本机办件, above the citizen's screen (which stays as it was)
    ScreenHost {
        anchors.top: parent.top
        anchors.bottom: keyboard.top
        width: parent.width
        z: 50
        app: root.app
        file: root.app.staff.panel !== "" ? "StaffPanel" : ""
    }

    // 维护模式: the technician's layer (hidden entry on the attract screen), above the
    // citizen screens and the staff layer
    ScreenHost {
        anchors.top: parent.top
        anchors.bottom: keyboard.top
        width: parent.width
        z: 60
        app: root.app
        file: root.app.maintenance.panel !== "" ? "MaintLayer" : ""
    }

    CountdownOverlay {
        anchors.fill: parent
        z: 100  // above the navigation bar and the keyboard
        visible: root.app.countdownVisible && root.app.maintenance.panel === ""
        seconds: root.app.countdownSeconds
        reason: root.app.countdownReason
        onStay: root.app.stayHere()
        onFinish: root.app.endSession()
    }
}
