import QtQuick

// Visual constants for a public touchscreen: large targets, high contrast, few colours.
// The Theme singleton is an instance of this type.
// Sizes are in pixels for a 1080-px-wide portrait (or 1080-px-high landscape) screen;
// elder mode (长辈版) scales text and targets up.
QtObject {
    property bool elder: false
    property bool landscape: false
    property bool english: false  // the second line of a button (its English hint) is dropped
    readonly property real scale: elder ? 1.3 : 1.0

    readonly property color primary: "#0b57d0"
    readonly property color primaryDark: "#083b8f"
    readonly property color primaryLight: "#e7efff"
    readonly property color background: elder ? "#ffffff" : "#f1f4f9"
    readonly property color card: "#ffffff"
    readonly property color border: elder ? "#5b6472" : "#d5dbe5"
    readonly property color text: "#111827"
    readonly property color textMuted: elder ? "#1f2937" : "#4b5563"
    readonly property color textOnPrimary: "#ffffff"
    readonly property color success: "#146c2e"
    readonly property color warning: "#9a4a00"
    readonly property color warningBg: "#fff4e5"
    readonly property color danger: "#b3261e"

    readonly property string fontFamily: "Noto Sans CJK SC"
    readonly property int fontSmall: Math.round(24 * scale)
    readonly property int fontBody: Math.round(30 * scale)
    readonly property int fontLarge: Math.round(38 * scale)
    readonly property int fontTitle: Math.round(48 * scale)
    readonly property int fontHero: Math.round(76 * scale)

    // 9 mm on a 21.5" 1080p panel (~102 dpi) is ~36 px; we stay far above it.
    readonly property int touchMin: Math.round(96 * scale)
    readonly property int radius: 16
    readonly property int gap: 24
    readonly property int margin: 40

    function deptColor(icon) {
        const colors = {
            "police": "#1e4fa3", "social": "#0f7b6c", "medical": "#c2410c", "market": "#7c3aed",
            "estate": "#a16207", "fund": "#0e7490", "civil": "#be123c", "tax": "#4d7c0f",
            "newborn": "#db2777", "enterprise": "#7c3aed", "retire": "#0f766e",
            "marriage": "#be123c", "home": "#a16207"
        }
        return colors[icon] || "#334155"
    }
    function deptGlyph(icon) {
        const glyphs = {
            "police": "户", "social": "社", "medical": "医", "market": "企",
            "estate": "房", "fund": "金", "civil": "民", "tax": "税",
            "newborn": "婴", "enterprise": "创", "retire": "退", "marriage": "婚", "home": "居"
        }
        return glyphs[icon] || "政"
    }
}
