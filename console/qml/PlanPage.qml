// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The wizard's plan page: from which VMS instance to which (each with cameras used / limit), which
// cameras and in what order (Space ticks a camera; dragging its handle or Ctrl+Up/Down moves it), then a summary of what
// will happen, including a proposed new VMS instance that must be confirmed, before Start.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AppliancesConsole

ColumnLayout {
    id: page
    required property MigrationController migration
    property bool active: false
    spacing: 10

    readonly property var preview: migration.preview
    readonly property bool previewed: preview.cameras !== undefined && preview.cameras.length > 0
    readonly property var proposed: previewed ? preview.new_instance : null

    // The administrator's choice, by VM name: the instance list is refreshed (camera counts) and a
    // refreshed model must not move the combo boxes.
    property string chosenSource
    property string chosenTarget
    function indexOfVm(vm) {
        for (let i = 0; i < migration.instances.length; ++i)
            if (migration.instances[i].vm === vm) return i
        return -1
    }
    function restoreChoice() {
        source.currentIndex = indexOfVm(chosenSource)
        target.currentIndex = indexOfVm(chosenTarget)
    }
    // A sensible start, made once: from the instance with the most cameras to one of another product.
    function suggest() {
        const list = migration.instances
        if (chosenSource !== "" || list.length < 2) return
        let from = 0
        for (let i = 1; i < list.length; ++i) if (list[i].cameras > list[from].cameras) from = i
        let to = from === 0 ? 1 : 0
        for (let i = 0; i < list.length; ++i)
            if (i !== from && list[i].product !== list[from].product && list[i].reachable) { to = i; break }
        chooseSource(list[from].vm)
        chosenTarget = list[to].vm
        restoreChoice()
    }
    function chooseSource(vm) {
        chosenSource = vm
        migration.chooseSource(vm)
        restoreChoice()
    }
    // On each visit the draft is kept (the administrator's choice and order); after a plan it is
    // empty and filled again from where the cameras are now.
    onActiveChanged: if (active) { if (chosenSource === "") suggest(); else if (draftList.count === 0) chooseSource(chosenSource) }
    // "4 to new-vms and 4 to new-vms-2 (a new instance)".
    function destinations() {
        let counts = {}
        for (const c of preview.cameras) counts[c.target] = (counts[c.target] || 0) + 1
        let parts = []
        for (const vm in counts)
            parts.push(proposed && vm === proposed.vm ? qsTr("%1 to %2 (a new instance)").arg(counts[vm]).arg(vm)
                                                      : qsTr("%1 to %2").arg(counts[vm]).arg(vm))
        return parts.join(qsTr(" and "))
    }
    Connections {
        target: page.migration
        function onInstancesChanged() { if (page.chosenSource === "") page.suggest(); else page.restoreChoice() }
        function onPreviewChanged() { confirmNew.checked = false }  // a new proposal is confirmed anew
    }

    RowLayout {
        spacing: 10
        Label { textFormat: Text.PlainText; text: qsTr("Move cameras from"); color: "#e8eaed" }
        ComboBox {
            id: source
            objectName: "planSource"
            Layout.preferredWidth: 330
            model: page.migration.instances
            textRole: "label"
            valueRole: "vm"
            onActivated: page.chooseSource(currentValue)
        }
        Label { textFormat: Text.PlainText; text: qsTr("to"); color: "#e8eaed" }
        ComboBox {
            id: target
            objectName: "planTarget"
            Layout.preferredWidth: 330
            model: page.migration.instances
            textRole: "label"
            valueRole: "vm"
            onActivated: { page.chosenTarget = currentValue; page.migration.clearPreview() }  // review again
        }
    }
    RowLayout {
        Layout.fillWidth: true
        Label {
            textFormat: Text.PlainText
            text: qsTr("%1 of %2 cameras chosen, moved one at a time in this order. Space ticks a camera; drag ≡, or Ctrl+Up/Down, moves it.")
                  .arg(page.migration.draft.selectedCount).arg(draftList.count)
            color: "#b8bec6"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
        }
        Button { objectName: "selectAll"; text: qsTr("All"); onClicked: page.migration.draft.selectAll(true) }
        Button { objectName: "selectNone"; text: qsTr("None"); onClicked: page.migration.draft.selectAll(false) }
    }
    ListView {
        id: draftList
        objectName: "planCameras"
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: 120
        clip: true
        spacing: 4
        focus: true
        keyNavigationEnabled: true
        highlightMoveDuration: 0
        model: page.migration.draft
        ScrollBar.vertical: ScrollBar {}
        highlight: Rectangle { color: "transparent"; border.color: "#4fc3f7"; border.width: 2; radius: 4; z: 2 }
        Keys.onPressed: (event) => {
            if (event.key === Qt.Key_Space) {
                page.migration.draft.toggle(currentIndex)
                event.accepted = true
            } else if ((event.modifiers & Qt.ControlModifier) && (event.key === Qt.Key_Up || event.key === Qt.Key_Down)) {
                const to = currentIndex + (event.key === Qt.Key_Up ? -1 : 1)
                if (to >= 0 && to < count) {
                    page.migration.draft.move(currentIndex, to)
                    currentIndex = to
                }
                event.accepted = true
            }
        }
        delegate: Rectangle {
            required property int index
            required property string cameraId
            required property string name
            required property bool selected
            required property string stateText
            required property bool problem
            objectName: "draft-" + cameraId
            width: ListView.view.width
            height: 44
            radius: 4
            color: "#262b33"
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 8
                anchors.rightMargin: 8
                spacing: 10
                // Drag the handle to put the camera elsewhere in the order; the row follows the
                // pointer (each row crossed is one move, as Ctrl+Up/Down would make it).
                Label {
                    objectName: "dragHandle-" + cameraId
                    text: "≡"
                    font.pixelSize: 22
                    color: handleArea.pressed ? "#4fc3f7" : "#8a9099"
                    Layout.preferredWidth: 22
                    Accessible.name: qsTr("Drag to reorder")
                    MouseArea {
                        id: handleArea
                        property int at: -1
                        anchors.fill: parent
                        anchors.margins: -6
                        cursorShape: pressed ? Qt.ClosedHandCursor : Qt.OpenHandCursor
                        preventStealing: true
                        onPressed: {
                            at = index
                            draftList.currentIndex = index
                            draftList.interactive = false
                        }
                        onPositionChanged: (mouse) => {
                            if (at < 0) return
                            const p = mapToItem(draftList.contentItem, mouse.x, mouse.y)
                            const to = draftList.indexAt(draftList.width / 2, p.y)
                            if (to < 0 || to === at) return
                            page.migration.draft.move(at, to)
                            at = to
                            draftList.currentIndex = to
                        }
                        onReleased: { at = -1; draftList.interactive = true }
                        onCanceled: { at = -1; draftList.interactive = true }
                    }
                }
                CheckBox { objectName: "pick-" + cameraId; checked: selected; onToggled: page.migration.draft.toggle(index) }
                Label { textFormat: Text.PlainText; text: (index + 1) + "."; color: "#8a9099"; Layout.preferredWidth: 30 }
                Label { textFormat: Text.PlainText; text: name; color: "#ffffff"; Layout.fillWidth: true; elide: Text.ElideRight }
                Label { textFormat: Text.PlainText; text: stateText; color: problem ? "#e0b040" : "#9fe0a8"; Layout.preferredWidth: 180 }
                Button { text: "↑"; enabled: index > 0; onClicked: page.migration.draft.move(index, index - 1); Accessible.name: qsTr("Move up") }
                Button { text: "↓"; enabled: index < draftList.count - 1; onClicked: page.migration.draft.move(index, index + 1); Accessible.name: qsTr("Move down") }
            }
        }
    }
    Rectangle {
        objectName: "planSummary"
        Layout.fillWidth: true
        Layout.preferredHeight: summary.implicitHeight + 24
        visible: page.previewed || page.migration.previewError.length > 0
        radius: 6
        color: "#262b33"
        border.color: page.migration.previewError ? "#e05050" : "#4fc3f7"
        ColumnLayout {
            id: summary
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 12 }
            spacing: 6
            Label {
                objectName: "planSummaryText"
                textFormat: Text.PlainText
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                color: page.migration.previewError ? "#ff8a80" : "#e8eaed"
                text: page.migration.previewError ? page.migration.previewError
                      : page.previewed ? qsTr("%1 cameras move from %2, one at a time in the order above: %3. Each is recorded by "
                                              + "its new VMS and its video proven before %2 lets it go; a camera that fails goes back "
                                              + "to %2 by itself.")
                                         .arg(page.preview.cameras.length).arg(page.preview.source).arg(page.destinations())
                      : ""
            }
            Label {
                objectName: "proposedInstance"
                textFormat: Text.PlainText
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                visible: page.proposed !== null && page.proposed !== undefined
                color: "#e0b040"
                text: visible ? qsTr("%1. Proposed: a new VMS instance, VM %2 from image %3 (%4 MiB), for the other %5 cameras.")
                                .arg(page.preview.summary).arg(page.proposed.vm).arg(page.proposed.image)
                                .arg(page.proposed.memory_mib).arg(page.proposed.cameras)
                              : ""
            }
            CheckBox {
                id: confirmNew
                objectName: "confirmNewInstance"
                visible: page.proposed !== null && page.proposed !== undefined
                text: visible ? qsTr("Create VM %1 for them").arg(page.proposed.vm) : ""
            }
        }
    }
    RowLayout {
        Layout.fillWidth: true
        Button { objectName: "backToCameras"; text: qsTr("← Cameras"); onClicked: page.migration.page = 0 }
        Item { Layout.fillWidth: true }
        Button {
            objectName: "reviewPlan"
            text: qsTr("Review")
            enabled: page.migration.connected && page.migration.draft.selectedCount > 0 && page.chosenSource !== ""
                     && page.chosenTarget !== "" && page.chosenSource !== page.chosenTarget
            onClicked: page.migration.previewPlan(page.chosenSource, page.chosenTarget)
        }
        Button {
            objectName: "startPlan"
            text: qsTr("Start")
            highlighted: true
            enabled: page.previewed && !page.migration.busy && (!confirmNew.visible || confirmNew.checked)
            // Exactly what was reviewed.
            onClicked: page.migration.startPlan(page.preview.source, page.preview.target, confirmNew.visible && confirmNew.checked)
        }
    }
}
