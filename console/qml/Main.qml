// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The kiosk: the focused VM full-screen, or the admin console. Every running VM keeps a live
// display session, so a switch only changes which one is visible. The name of the target that has
// the display is drawn by the console above the guest's picture on every switch: no guest can
// paint over it.
import QtQuick
import QtQuick.Controls
import AppliancesConsole

Window {
    id: window
    width: 1024
    height: 768
    visible: true
    color: "black"
    title: qsTr("Appliance console")

    property alias controller: controller
    property string adminSocket: "/run/appliance/admin.sock"
    property string migratorSocket: "/run/camera-migrator/admin.sock"
    ConsoleController {
        id: controller
        adminSocket: window.adminSocket
        migratorSocket: window.migratorSocket
        window: window
        onFocusChanged: indicator.flash()
    }

    Repeater {
        model: controller.vms
        delegate: VmDisplay {
            required property string name
            required property string vncSocket
            required property bool running
            objectName: "display-" + name
            anchors.fill: parent
            socketPath: running ? vncSocket : ""
            visible: controller.focus === name
            focus: visible  // keyboard and mouse go only to the guest that has the display
        }
    }

    AdminConsole {
        objectName: "adminConsole"
        anchors.fill: parent
        visible: controller.focus === "admin-console"
        controller: controller
        onShowRequested: (name) => controller.requestFocus(name)
    }

    // An agent's request the policy leaves to the operator: above everything, Allow or Deny.
    Rectangle {
        objectName: "askDialog"
        z: 200
        visible: controller.askId > 0
        anchors.centerIn: parent
        width: 520
        height: 200
        radius: 10
        color: "#2a2f37"
        border.color: "#e0b040"
        border.width: 2
        Column {
            anchors.centerIn: parent
            spacing: 18
            Label {
                anchors.horizontalCenter: parent.horizontalCenter
                // Names come from guests: plain text, never markup.
                textFormat: Text.PlainText
                text: qsTr("%1 asks to give the display to %2").arg(controller.askBy)
                      .arg(controller.askTarget === "admin-console" ? qsTr("the admin console") : controller.askTarget)
                color: "#e8eaed"
                font.pixelSize: 18
            }
            Label {
                objectName: "askReplaces"
                anchors.horizontalCenter: parent.horizontalCenter
                visible: controller.askReplaces
                textFormat: Text.PlainText
                text: qsTr("This replaces %1's earlier request.").arg(controller.askBy)
                color: "#e0b040"
            }
            Row {
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: 24
                // Each button decides the ask it shows, by id; both wait a moment after a new ask appears.
                Button { objectName: "askAllow"; text: qsTr("Allow"); enabled: controller.askArmed
                         onClicked: controller.decide(controller.askId, true) }
                Button { objectName: "askDeny"; text: qsTr("Deny"); enabled: controller.askArmed
                         onClicked: controller.decide(controller.askId, false) }
            }
        }
    }

    // Host hotkeys: never forwarded to a guest; they ask applianced for the change.
    Shortcut { sequence: "Ctrl+Alt+Right"; context: Qt.ApplicationShortcut; onActivated: controller.cycle(1) }
    Shortcut { sequence: "Ctrl+Alt+Left"; context: Qt.ApplicationShortcut; onActivated: controller.cycle(-1) }
    Shortcut { sequence: "Ctrl+Alt+Home"; context: Qt.ApplicationShortcut; onActivated: controller.requestFocus("admin-console") }
    Shortcut { sequence: "Ctrl+Alt+I"; context: Qt.ApplicationShortcut; onActivated: indicator.flash() }

    // The switch indicator: drawn by the console, above whatever the guest shows.
    Rectangle {
        id: indicator
        objectName: "switchIndicator"
        z: 100
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.top: parent.top
        anchors.topMargin: 24
        width: label.implicitWidth + 48
        height: label.implicitHeight + 24
        radius: 8
        color: "#d0202830"
        border.color: "#9fe0a8"
        border.width: 2
        opacity: 0
        function flash() { opacity = 1; hide.restart() }
        Label {
            textFormat: Text.PlainText
            id: label
            anchors.centerIn: parent
            text: controller.focus === "admin-console" ? qsTr("Admin console") : controller.focus
            color: "#ffffff"
            font.pixelSize: 26
            font.bold: true
        }
        Timer { id: hide; interval: 2500; onTriggered: indicator.opacity = 0 }
        Behavior on opacity { NumberAnimation { duration: 200 } }
    }
}
