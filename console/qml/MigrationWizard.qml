// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The camera migration wizard: Cameras → Plan → Run → Finish. The page follows the plan's state
// (MigrationController), so the wizard reopens where the plan is after any restart.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AppliancesConsole

Rectangle {
    id: wizard
    required property MigrationController migration
    property bool shown: true
    color: "#1e2228"

    readonly property var pageNames: [qsTr("Cameras"), qsTr("Plan"), qsTr("Run"), qsTr("Finish")]

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 20
        spacing: 12
        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            Label { textFormat: Text.PlainText; text: qsTr("Camera migration"); color: "#e8eaed"; font.pixelSize: 26; font.bold: true }
            Item { Layout.preferredWidth: 12 }
            Repeater {
                model: wizard.pageNames
                delegate: Label {
                    required property int index
                    required property string modelData
                    textFormat: Text.PlainText
                    text: (index + 1) + " " + modelData
                    color: wizard.migration.page === index ? "#101214" : "#8a9099"
                    font.bold: wizard.migration.page === index
                    padding: 6
                    background: Rectangle { radius: 4; color: wizard.migration.page === index ? "#9fe0a8" : "transparent" }
                }
            }
            Item { Layout.fillWidth: true }
            Label {
                textFormat: Text.PlainText
                objectName: "migratorStatus"
                text: wizard.migration.connected ? qsTr("Connected to camera-migratord") : qsTr("Waiting for camera-migratord…")
                color: wizard.migration.connected ? "#9fe0a8" : "#e0b040"
            }
        }
        Label {
            objectName: "wizardMessage"
            textFormat: Text.PlainText
            Layout.fillWidth: true
            visible: text.length > 0
            text: wizard.migration.message
            color: "#e0b040"
            wrapMode: Text.Wrap
        }
        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: wizard.migration.page
            CamerasPage { migration: wizard.migration }
            PlanPage { migration: wizard.migration; active: wizard.shown && wizard.migration.page === 1 }
            RunPage { migration: wizard.migration }
            FinishPage { migration: wizard.migration; confirm: confirmDialog }
        }
    }
    // Thumbnails cost the cameras a snapshot each: only while a page shows them.
    Binding {
        target: wizard.migration
        property: "thumbnailsActive"
        value: wizard.shown && (wizard.migration.page === 0 || wizard.migration.page === 2)
    }
    ConfirmDialog { id: confirmDialog }
}
