// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The wizard's last page: what moved, what was skipped or rolled back and why, the gaps; the
// offer to shut down the legacy VM once it records nothing (confirmed first), and the report.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AppliancesConsole

ColumnLayout {
    id: page
    required property MigrationController migration
    required property ConfirmDialog confirm
    spacing: 10

    Label {
        objectName: "finishSummary"
        textFormat: Text.PlainText
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        color: "#e8eaed"
        font.pixelSize: 18
        text: qsTr("Plan %1 from %2 to %3 is %4: %5 of %6 cameras settled (%7).")
              .arg(page.migration.planId).arg(page.migration.planSource).arg(page.migration.planTarget)
              .arg(page.migration.planState === "done" ? qsTr("done") : qsTr("still running"))
              .arg(page.migration.finished).arg(page.migration.total).arg(page.migration.elapsedText)
    }
    ListView {
        id: runList
        objectName: "finishList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        spacing: 4
        model: page.migration.run
        ScrollBar.vertical: ScrollBar {}
        delegate: Rectangle {
            required property string cameraId
            required property string name
            required property string itemState
            required property string stateText
            required property string gap
            required property string advice
            required property string target
            objectName: "finish-" + cameraId
            width: ListView.view.width
            height: finishRow.implicitHeight + 12
            radius: 4
            color: "#262b33"
            RowLayout {
                id: finishRow
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 8 }
                spacing: 12
                Label { textFormat: Text.PlainText; text: name; color: "#ffffff"; font.bold: true; Layout.preferredWidth: 200; elide: Text.ElideRight }
                Label {
                    objectName: "finishState-" + cameraId
                    textFormat: Text.PlainText
                    text: itemState === "committed" ? qsTr("%1 to %2").arg(stateText).arg(target || page.migration.planTarget) : stateText
                    color: itemState === "committed" ? "#9fe0a8" : "#e0b040"
                    Layout.preferredWidth: 200
                }
                Label { textFormat: Text.PlainText; text: gap; color: "#b8bec6"; Layout.preferredWidth: 300; elide: Text.ElideRight }
                Label { objectName: "finishAdvice-" + cameraId; textFormat: Text.PlainText; text: itemState === "committed" ? "" : advice; color: "#e0b040"; wrapMode: Text.Wrap; Layout.fillWidth: true }
            }
        }
    }
    RowLayout {
        Layout.fillWidth: true
        spacing: 10
        Button {
            objectName: "shutdownSource"
            text: qsTr("Shut down %1").arg(page.migration.planSource)
            enabled: page.migration.sourceRecordsNothing
            onClicked: page.confirm.ask(qsTr("Shut down %1? It records no camera any more; its recordings stay on its disk. It gets up to 5 minutes to close them cleanly before it is forced off.")
                                        .arg(page.migration.planSource), qsTr("Shut down"), () => page.migration.shutdownSource())
        }
        Label {
            textFormat: Text.PlainText
            visible: !page.migration.sourceRecordsNothing
            text: qsTr("%1 still records cameras: keep it running.").arg(page.migration.planSource)
            color: "#b8bec6"
        }
        Item { Layout.fillWidth: true }
        TextField {
            id: reportDirectory
            objectName: "reportDirectory"
            Layout.preferredWidth: 260
            text: page.migration.reportDirectory
        }
        Button {
            objectName: "exportReport"
            text: qsTr("Export report (JSON and CSV)")
            onClicked: page.migration.exportReport(reportDirectory.text)
        }
        // Back to the run page, where a rolled-back or skipped camera can be retried.
        Button { objectName: "backToRun"; text: qsTr("← Run page"); onClicked: page.migration.page = 2 }
        Button { objectName: "newPlan"; text: qsTr("New plan"); onClicked: page.migration.newPlan() }
    }
}
