// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The picker: every target with its state, which one has the display, and which one is this VM.
// Click a row, or move with the arrow keys and press Enter, to give that target the display.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import VmsAgentTray

ApplicationWindow {
    id: window
    title: controller.thisVm ? qsTr("Switch display — %1").arg(controller.thisVm) : qsTr("Switch display")
    width: 460
    height: 360
    visible: true
    color: "#1e2228"

    property alias controller: controller
    property string socketPath: "/run/vms-agent.sock"
    AgentController {
        id: controller
        socketPath: window.socketPath
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 8

        Label {
            textFormat: Text.PlainText
            text: controller.connected ? qsTr("%1 has the display").arg(controller.focus) : qsTr("Not connected")
            color: "#e8eaed"
            font.pixelSize: 18
            font.bold: true
        }

        ListView {
            id: list
            objectName: "targetList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            model: controller.targets
            clip: true
            focus: true
            keyNavigationEnabled: true
            spacing: 4
            Keys.onReturnPressed: if (currentItem) controller.switchTo(currentItem.targetName)
            Keys.onEnterPressed: if (currentItem) controller.switchTo(currentItem.targetName)

            delegate: Rectangle {
                id: row
                objectName: "target-" + model.name
                required property var model
                required property int index
                property string targetName: model.name
                width: ListView.view.width
                height: 48
                radius: 6
                color: model.focused ? "#2e6b3f" : (ListView.isCurrentItem ? "#3a4250" : "#2a2f37")
                border.color: controller.pendingTarget === model.name ? "#e0b040" : "transparent"
                border.width: 2
                opacity: model.running ? 1.0 : 0.55

                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: 12
                    anchors.rightMargin: 12
                    Label {
                        textFormat: Text.PlainText
                        text: model.focused ? "▶" : ""
                        color: "#9fe0a8"
                        Layout.preferredWidth: 16
                    }
                    Label {
                        textFormat: Text.PlainText
                        text: model.kind === "console" ? qsTr("Admin console") : model.name
                        color: "#e8eaed"
                        font.pixelSize: 15
                        Layout.fillWidth: true
                        elide: Text.ElideRight
                    }
                    Label {
                        textFormat: Text.PlainText
                        text: model.you ? qsTr("this VM") : ""
                        color: "#9aa0a6"
                    }
                    Label {
                        textFormat: Text.PlainText
                        text: model.focused ? qsTr("has the display") : model.state
                        color: model.running ? "#c8ccd0" : "#f28b82"
                    }
                }
                MouseArea {
                    anchors.fill: parent
                    onClicked: {
                        list.currentIndex = row.index
                        controller.switchTo(row.targetName)
                    }
                }
            }
        }

        Label {
            textFormat: Text.PlainText
            objectName: "message"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: controller.message
            color: controller.messageIsError ? "#f28b82" : "#c8ccd0"
        }
    }
}
