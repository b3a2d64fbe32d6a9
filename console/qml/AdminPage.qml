// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The admin console target: every guest with its state and live CPU/memory history, the actions
// an administrator needs, and the audit log. All data and actions come from AdminController.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AppliancesConsole

Rectangle {
    id: page
    required property AdminController admin
    required property bool connected
    signal showRequested(string name)
    color: "#1e2228"

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 24
        spacing: 14
        RowLayout {
            Label { textFormat: Text.PlainText; text: qsTr("Admin console"); color: "#e8eaed"; font.pixelSize: 30; font.bold: true }
            Item { Layout.fillWidth: true }
            Label {
                textFormat: Text.PlainText
                objectName: "connectionStatus"
                text: page.connected ? qsTr("Connected to applianced") : qsTr("Waiting for applianced…")
                color: page.connected ? "#9fe0a8" : "#e0b040"
            }
        }
        Label { textFormat: Text.PlainText; text: qsTr("Guests"); color: "#b8bec6"; font.pixelSize: 18 }
        ListView {
            id: guests
            objectName: "guestList"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, page.height * 0.6)
            clip: true
            spacing: 8
            model: page.admin.guests
            delegate: GuestRow {
                admin: page.admin
                confirm: confirmDialog
                onShowRequested: (name) => page.showRequested(name)
            }
        }
        Label {
            textFormat: Text.PlainText
            visible: guests.count === 0
            text: page.connected ? qsTr("No guests are defined. Create one with `appliancectl vm create NAME`.") : ""
            color: "#b8bec6"
        }
        Label { textFormat: Text.PlainText; text: qsTr("Audit log"); color: "#b8bec6"; font.pixelSize: 18 }
        ListView {
            objectName: "auditList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: page.admin.audit
            ScrollBar.vertical: ScrollBar {}
            delegate: RowLayout {
                required property string time
                required property string actor
                required property string action
                required property string target
                required property string result
                required property string detail
                required property bool failed
                width: ListView.view.width
                spacing: 12
                Label { textFormat: Text.PlainText; text: time; color: "#8a9099"; font.family: "monospace"; Layout.preferredWidth: 170 }
                Label { textFormat: Text.PlainText; text: actor; color: "#b8bec6"; Layout.preferredWidth: 140; elide: Text.ElideRight }
                Label { textFormat: Text.PlainText; text: action; color: "#e8eaed"; Layout.preferredWidth: 130 }
                Label { textFormat: Text.PlainText; text: target; color: "#e8eaed"; Layout.preferredWidth: 160; elide: Text.ElideRight }
                Label { textFormat: Text.PlainText; text: result; color: failed ? "#ff8a80" : "#9fe0a8"; Layout.preferredWidth: 170; elide: Text.ElideRight }
                Label { textFormat: Text.PlainText; text: detail; color: "#8a9099"; Layout.fillWidth: true; elide: Text.ElideRight }
            }
        }
    }

    ConfirmDialog { id: confirmDialog }
}
