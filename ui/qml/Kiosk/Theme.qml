pragma Singleton
import QtQuick

// The singleton instance; the values live in ThemeValues.qml so qmllint can check them.
ThemeValues {}
