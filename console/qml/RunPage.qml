// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The wizard's run page: the plan's progress (n of m, time so far, estimate) with a whole-plan
// Pause/Resume, and one row per camera with its steps as they happen, its picture, the recording
// gap, what went wrong and what to do, and the controls that apply to it now.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AppliancesConsole

ColumnLayout {
    id: page
    required property MigrationController migration
    spacing: 10

    // Two positioners rather than one RowLayout: a layout laid out while its page was hidden (the
    // wizard reopening on this page) kept its children piled up at the left in Qt 6.4; a Row
    // places its children again whenever one appears, disappears or changes width.
    Item {
        Layout.fillWidth: true
        Layout.preferredHeight: Math.max(left.implicitHeight, right.implicitHeight)
        Row {
            id: left
            anchors.left: parent.left
            anchors.verticalCenter: parent.verticalCenter
            spacing: 16
            Label {
                textFormat: Text.PlainText
                text: qsTr("Plan %1: %2 → %3").arg(page.migration.planId).arg(page.migration.planSource).arg(page.migration.planTarget)
                color: "#e8eaed"; font.pixelSize: 18; font.bold: true
            }
            Label {
                objectName: "runProgress"
                textFormat: Text.PlainText
                text: qsTr("%1 of %2 cameras settled").arg(page.migration.finished).arg(page.migration.total)
                color: "#e8eaed"
            }
            Label { textFormat: Text.PlainText; text: page.migration.elapsedText; color: "#b8bec6" }
            Label { textFormat: Text.PlainText; text: page.migration.estimateText; color: "#b8bec6" }
        }
        Row {
            id: right
            anchors.right: parent.right
            anchors.verticalCenter: parent.verticalCenter
            spacing: 12
            Label {
                objectName: "planState"
                anchors.verticalCenter: parent.verticalCenter
                textFormat: Text.PlainText
                text: page.migration.planState === "paused" ? qsTr("Paused") : page.migration.planState === "running" ? qsTr("Running")
                      : page.migration.planState === "done" ? qsTr("Done") : page.migration.planState
                color: page.migration.planState === "paused" ? "#e0b040" : "#9fe0a8"
                font.bold: true
            }
            Button {
                objectName: "pausePlan"
                text: qsTr("Pause plan")
                visible: page.migration.planState === "running"
                enabled: !page.migration.busy
                onClicked: page.migration.pausePlan()
            }
            Button {
                objectName: "resumePlan"
                text: qsTr("Resume plan")
                visible: page.migration.planState === "paused"
                enabled: !page.migration.busy
                onClicked: page.migration.resumePlan()
            }
            Button {
                objectName: "toFinishPage"
                text: qsTr("Finish →")
                visible: page.migration.planState === "done"
                onClicked: page.migration.page = 3
            }
        }
    }
    ProgressBar {
        Layout.fillWidth: true
        from: 0
        to: Math.max(1, page.migration.total)
        value: page.migration.finished
    }
    ListView {
        id: runList
        objectName: "runList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        spacing: 6
        focus: true
        keyNavigationEnabled: true
        model: page.migration.run
        ScrollBar.vertical: ScrollBar {}
        delegate: Rectangle {
            id: row
            required property string cameraId
            required property string name
            required property string itemState
            required property string stateText
            required property var steps
            required property string mode
            required property string advice
            required property string gap
            required property string target
            required property bool canPause
            required property bool canResume
            required property bool canSkip
            required property bool canRetry
            required property bool canRollback
            required property var thumbnail
            required property var vmsView
            required property string vmsViewNote
            required property string duration
            objectName: "runRow-" + cameraId
            width: ListView.view.width
            height: rowContent.implicitHeight + 16
            radius: 6
            color: "#262b33"
            border.color: itemState === "rolling-back" || itemState === "rolled-back" || itemState === "failed" ? "#e0b040" : "transparent"
            RowLayout {
                id: rowContent
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: 8 }
                spacing: 12
                // The camera's own picture; below it, once the target VMS proved it records the
                // camera, that VMS's picture of it (what the operator will watch there).
                ColumnLayout {
                    Layout.alignment: Qt.AlignTop
                    Layout.preferredWidth: 128
                    spacing: 2
                    ThumbnailItem { image: row.thumbnail; Layout.preferredWidth: 128; Layout.preferredHeight: 72 }
                    ThumbnailItem {
                        objectName: "vmsView-" + row.cameraId
                        image: row.vmsView
                        visible: row.vmsViewNote.length > 0
                        Layout.preferredWidth: 128
                        Layout.preferredHeight: 72
                    }
                    Label {
                        objectName: "vmsViewNote-" + row.cameraId
                        textFormat: Text.PlainText
                        text: row.vmsViewNote
                        visible: text.length > 0
                        color: "#b8bec6"
                        font.pixelSize: 11
                        wrapMode: Text.Wrap
                        maximumLineCount: 3
                        elide: Text.ElideRight
                        Layout.preferredWidth: 128
                    }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 4
                    RowLayout {
                        spacing: 10
                        Label { textFormat: Text.PlainText; text: row.name; color: "#ffffff"; font.pixelSize: 17; font.bold: true; Layout.preferredWidth: 200; elide: Text.ElideRight }
                        Label {
                            objectName: "runState-" + row.cameraId
                            textFormat: Text.PlainText
                            text: row.stateText
                            color: row.itemState === "committed" ? "#9fe0a8" : row.itemState === "running" ? "#4fc3f7" : "#e0b040"
                            font.bold: true
                            Layout.preferredWidth: 110
                        }
                        Repeater {
                            model: row.steps
                            delegate: Label {
                                required property var modelData
                                textFormat: Text.PlainText
                                text: modelData.name
                                padding: 4
                                font.pixelSize: 12
                                font.strikeout: modelData.status === "undone"
                                color: modelData.status === "waiting" || modelData.status === "undone" ? "#8a9099" : "#101214"
                                background: Rectangle {
                                    radius: 3
                                    color: modelData.status === "done" ? "#9fe0a8" : modelData.status === "now" ? "#4fc3f7"
                                         : modelData.status === "failed" ? "#e05050" : modelData.status === "paused" ? "#e0b040" : "#30363f"
                                }
                            }
                        }
                        Item { Layout.fillWidth: true }
                    }
                    Label {
                        textFormat: Text.PlainText
                        text: [row.mode, row.gap, row.duration].filter(s => s.length > 0).join(" · ")
                        color: "#b8bec6"
                        visible: text.length > 0
                    }
                    Label {
                        objectName: "runAdvice-" + row.cameraId
                        textFormat: Text.PlainText
                        text: row.advice
                        visible: text.length > 0
                        color: "#e0b040"
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    Flow {
                        Layout.fillWidth: true
                        spacing: 6
                        Button { objectName: "pauseCamera-" + row.cameraId; text: qsTr("Pause"); visible: row.canPause; onClicked: page.migration.control(row.cameraId, "pause") }
                        Button { objectName: "resumeCamera-" + row.cameraId; text: qsTr("Resume"); visible: row.canResume; onClicked: page.migration.control(row.cameraId, "resume") }
                        Button { objectName: "skipCamera-" + row.cameraId; text: qsTr("Skip"); visible: row.canSkip; onClicked: page.migration.control(row.cameraId, "skip") }
                        Button { objectName: "retryCamera-" + row.cameraId; text: qsTr("Retry"); visible: row.canRetry; onClicked: page.migration.control(row.cameraId, "retry") }
                        Button { objectName: "rollbackCamera-" + row.cameraId; text: qsTr("Roll back"); visible: row.canRollback; onClicked: page.migration.control(row.cameraId, "rollback") }
                        Button {
                            objectName: "showTarget-" + row.cameraId
                            text: qsTr("Show %1").arg(row.target || page.migration.planTarget)
                            onClicked: page.migration.showGuest(row.target || page.migration.planTarget)
                        }
                    }
                }
            }
        }
    }
}
