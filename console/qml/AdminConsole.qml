// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The admin console target: the guests page and the camera migration wizard, one tab each.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AppliancesConsole

Rectangle {
    id: console_
    required property ConsoleController controller
    signal showRequested(string name)
    color: "#1e2228"

    // A plan in progress (found at start or just started) brings its run page forward.
    Connections {
        target: console_.controller.migration
        function onPageChanged() { if (console_.controller.migration.page === 2) tabs.currentIndex = 1 }
    }
    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        TabBar {
            id: tabs
            objectName: "adminTabs"
            Layout.fillWidth: true
            TabButton { objectName: "guestsTab"; text: qsTr("Guests") }
            TabButton { objectName: "migrationTab"; text: qsTr("Camera migration") }
        }
        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex
            AdminPage {
                admin: console_.controller.admin
                connected: console_.controller.connected
                onShowRequested: (name) => console_.showRequested(name)
            }
            MigrationWizard {
                objectName: "migrationWizard"
                migration: console_.controller.migration
                shown: console_.visible && tabs.currentIndex === 1
            }
        }
    }
}
