// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// One guest on the admin page: state, uptime, CPU and memory with their recent history, the
// lifecycle buttons that make sense in its state, its settings, and the outcome of the last action
// as a sentence.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AppliancesConsole

Rectangle {
    id: row
    required property string name
    required property string state
    required property bool running
    required property string uptime
    required property int vcpus
    required property int memoryMib
    required property int memoryUsedMib
    required property bool autostart
    required property real cpuPercent
    required property var cpuHistory
    required property var memoryHistory
    required property bool busy
    required property string error
    required property string notice
    required property AdminController admin
    required property ConfirmDialog confirm
    signal showRequested(string name)

    objectName: "guest-" + name
    width: ListView.view ? ListView.view.width : 800
    height: content.implicitHeight + 24
    radius: 8
    color: "#262b33"

    readonly property bool stopped: state === "shut-off" || state === "crashed"
    readonly property color stateColor: running ? "#5cb85c" : state === "paused" ? "#e0b040"
                                      : state === "crashed" ? "#e05050" : "#8a9099"

    ColumnLayout {
        id: content
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: 12 }
        spacing: 8
        // Every control fits down to a 1024-px screen: the name and the charts give up width, the
        // buttons and settings wrap onto another line.
        RowLayout {
            Layout.fillWidth: true
            spacing: 14
            Label { textFormat: Text.PlainText; text: row.name; color: "#ffffff"; font.pixelSize: 20; font.bold: true; Layout.preferredWidth: 220; Layout.minimumWidth: 120; Layout.fillWidth: true; Layout.maximumWidth: 220; elide: Text.ElideRight }
            Rectangle {
                Layout.preferredWidth: stateLabel.implicitWidth + 16
                Layout.preferredHeight: stateLabel.implicitHeight + 6
                radius: height / 2
                color: row.stateColor
                Label { textFormat: Text.PlainText; id: stateLabel; objectName: "state-" + row.name; anchors.centerIn: parent; text: row.state.replace("-", " "); color: "#101214"; font.bold: true }
            }
            Label { textFormat: Text.PlainText; text: row.uptime ? qsTr("up %1").arg(row.uptime) : ""; color: "#b8bec6"; Layout.preferredWidth: 100 }
            Label { textFormat: Text.PlainText; text: qsTr("CPU %1 %").arg(row.cpuPercent.toFixed(1)); color: "#b8bec6"; Layout.preferredWidth: 90 }
            HistoryChart { objectName: "cpuChart-" + row.name; values: row.cpuHistory; maximum: 100; color: "#4fc3f7"; Layout.preferredWidth: 160; Layout.minimumWidth: 60; Layout.maximumWidth: 160; Layout.fillWidth: true; Layout.preferredHeight: 32 }
            // QEMU's resident memory can exceed the guest's size (its own code, video memory): say
            // which number is which, so "273 / 256" does not read as a fault.
            Label {
                objectName: "memoryText-" + row.name
                textFormat: Text.PlainText
                text: row.running ? qsTr("RAM %1 MiB\nhost uses %2 MiB").arg(row.memoryMib).arg(row.memoryUsedMib) : qsTr("RAM %1 MiB").arg(row.memoryMib)
                color: "#b8bec6"
                font.pixelSize: 12
                Layout.preferredWidth: 120
            }
            HistoryChart { objectName: "memoryChart-" + row.name; values: row.memoryHistory; maximum: row.memoryMib; color: "#ba8cf0"; Layout.preferredWidth: 160; Layout.minimumWidth: 60; Layout.maximumWidth: 160; Layout.fillWidth: true; Layout.preferredHeight: 32 }
            Item { Layout.fillWidth: true }
            BusyIndicator { running: row.busy; visible: row.busy; Layout.preferredWidth: 28; Layout.preferredHeight: 28 }
        }
        Flow {
            Layout.fillWidth: true
            spacing: 8
            Button {
                objectName: "start-" + row.name; text: qsTr("Start")
                enabled: row.stopped && !row.busy
                onClicked: row.admin.start(row.name)
            }
            Button {
                objectName: "shutdown-" + row.name; text: qsTr("Shut down…")
                enabled: row.running && !row.busy
                onClicked: row.confirm.ask(qsTr("Shut down %1? The guest is asked to power off; if it does not within a minute, it is forced off. Its VMS stops recording until it is started again.").arg(row.name),
                                           qsTr("Shut down"), () => row.admin.shutdown(row.name))
            }
            Button {
                objectName: "forceOff-" + row.name; text: qsTr("Force off…")
                enabled: (row.running || row.state === "paused") && !row.busy
                onClicked: row.confirm.ask(qsTr("Force %1 off now? This is like pulling the plug: anything the guest has not written to disk is lost.").arg(row.name),
                                           qsTr("Force off"), () => row.admin.forceOff(row.name))
            }
            Button {
                objectName: "reboot-" + row.name; text: qsTr("Reboot…")
                enabled: row.running && !row.busy
                onClicked: row.confirm.ask(qsTr("Reboot %1? Its VMS stops recording until the guest is back.").arg(row.name),
                                           qsTr("Reboot"), () => row.admin.reboot(row.name))
            }
            Button {
                objectName: "show-" + row.name; text: qsTr("Show")
                enabled: row.running
                onClicked: row.showRequested(row.name)
            }
            Item { width: 16; height: 1 }
            // The settings stay together when the line wraps.
            Row {
                spacing: 8
                Label { textFormat: Text.PlainText; text: qsTr("vCPUs"); color: "#b8bec6"; anchors.verticalCenter: parent.verticalCenter }
                SpinBox { id: vcpuBox; objectName: "vcpus-" + row.name; from: 1; to: 64; value: row.vcpus; editable: true }
                Label { textFormat: Text.PlainText; text: qsTr("Memory (MiB)"); color: "#b8bec6"; anchors.verticalCenter: parent.verticalCenter }
                SpinBox { id: memoryBox; objectName: "memory-" + row.name; from: 64; to: 262144; stepSize: 64; value: row.memoryMib; editable: true }
                CheckBox { id: autostartBox; objectName: "autostart-" + row.name; text: qsTr("Start with the appliance"); checked: row.autostart }
                Button {
                    objectName: "apply-" + row.name; text: qsTr("Apply")
                    enabled: !row.busy
                    onClicked: row.admin.configure(row.name, vcpuBox.value, memoryBox.value, autostartBox.checked)
                }
            }
        }
        Label {
            textFormat: Text.PlainText
            objectName: "outcome-" + row.name
            visible: text !== ""
            Layout.fillWidth: true
            text: row.error !== "" ? row.error : row.notice
            color: row.error !== "" ? "#ff8a80" : "#9fe0a8"
            wrapMode: Text.WordWrap
        }
    }
}
