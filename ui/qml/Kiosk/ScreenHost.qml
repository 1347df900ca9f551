import QtQuick

// Shows one QML file of this module at a time, filling this item. A file is compiled when it
// is first shown, not with the window (a type named inline in Main.qml is compiled, with all
// it imports, before the first frame: bench/bench_startup.py), and its component is kept for
// the next time: creating from a kept component with createObject leaves nothing behind,
// where Loader.setSource with initial properties makes a new component per load and held on
// to a little of each (≈ 50 KB per citizen session: bench/bench_memory.py). ui/app.py
// compiles the files in the background once the kiosk is ready.
Item {
    id: host

    // the window's view-model, given to each item as its required ``app``; when it is
    // replaced (ui/app.py: the boot object, then the real one) the item is created again
    property var app: null
    // the file's name without ".qml", or "" for ``empty``
    property string file: ""
    // what to show when ``file`` is "" (null: nothing); it binds its own ``app``
    property Component empty: null
    property Item current: null
    property var components: ({})
    property string shownFile: ""
    property var shownApp: null

    function show() {
        if (current !== null && shownFile === file && (file === "" || shownApp === app))
            return
        // the old item is hidden and unparented at once (nothing shows or takes a touch) and
        // deleted when control returns to the event loop: its Component.onDestruction runs
        // then, after the new item exists (a Loader runs it before)
        if (current !== null) {
            const old = current
            current = null
            old.visible = false
            old.parent = null
            old.destroy()
        }
        let component = empty
        // sized from the start, as a Loader does: laid out once, not first at 0 × 0
        let properties = { width: host.width, height: host.height }
        if (file !== "") {
            component = components[file]
            if (component === undefined) {
                component = Qt.createComponent(Qt.resolvedUrl(file + ".qml"))
                components[file] = component
            }
            properties.app = host.app
        }
        if (component === null)
            return
        if (component.status !== Component.Ready) {
            console.error(file + ".qml: " + component.errorString())
            return
        }
        const item = component.createObject(host, properties)
        if (item === null)
            return
        item.anchors.fill = host
        current = item
        shownFile = file
        shownApp = app
    }
    onFileChanged: show()
    // later in the event loop: when ``app`` and ``file`` change together, one item is made
    onAppChanged: if (file !== "") Qt.callLater(host.show)
    Component.onCompleted: show()
}
