// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// Asks before a destructive action (force off, shut down, reboot): says what will happen in a
// sentence and runs the action only on an explicit "yes".
import QtQuick
import QtQuick.Controls

Popup {
    id: dialog
    objectName: "confirmDialog"
    property string question
    property string confirmText
    property var onConfirmed: null
    function ask(question, confirmText, action) {
        dialog.question = question
        dialog.confirmText = confirmText
        dialog.onConfirmed = action
        open()
    }
    modal: true
    focus: true
    anchors.centerIn: Overlay.overlay
    width: 560
    padding: 24
    closePolicy: Popup.CloseOnEscape
    background: Rectangle { color: "#2a2f37"; radius: 10; border.color: "#e0b040"; border.width: 2 }
    contentItem: Column {
        spacing: 20
        Label {
            textFormat: Text.PlainText
            width: parent.width
            text: dialog.question
            wrapMode: Text.WordWrap
            color: "#e8eaed"
            font.pixelSize: 17
        }
        Row {
            anchors.right: parent.right
            spacing: 16
            Button { objectName: "confirmNo"; text: qsTr("Cancel"); onClicked: dialog.close() }
            Button {
                objectName: "confirmYes"
                text: dialog.confirmText
                onClicked: {
                    dialog.close()
                    if (dialog.onConfirmed) dialog.onConfirmed()
                }
            }
        }
    }
}
