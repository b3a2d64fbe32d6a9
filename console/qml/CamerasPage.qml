// SPDX-License-Identifier: GPL-2.0-or-later
// Every Label shows plain text: names and messages may come from guests and cameras, never markup.
// The wizard's first page: every camera with its live thumbnail, name, model, address, the VMS
// that records it and what reconciliation found. Filter, sort, and the arrow keys move the row.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import AppliancesConsole

ColumnLayout {
    id: page
    required property MigrationController migration
    spacing: 10

    RowLayout {
        Layout.fillWidth: true
        spacing: 10
        TextField {
            objectName: "cameraFilter"
            placeholderText: qsTr("Filter: name, address, VMS or state")
            Layout.preferredWidth: 320
            onTextChanged: page.migration.cameras.filter = text
            KeyNavigation.down: cameraList
        }
        ComboBox {
            objectName: "cameraSort"
            textRole: "text"
            valueRole: "value"
            model: [{ text: qsTr("Sort by name"), value: "name" }, { text: qsTr("Sort by state"), value: "state" },
                    { text: qsTr("Sort by VMS"), value: "vms" }, { text: qsTr("Sort by address"), value: "address" }]
            onActivated: page.migration.cameras.sortBy = currentValue
        }
        Button {
            objectName: "refreshInventory"
            text: qsTr("Refresh inventory")
            enabled: page.migration.connected && !page.migration.busy
            onClicked: page.migration.refreshInventory()
        }
        Item { Layout.fillWidth: true }
        Button {
            objectName: "toPlanPage"
            text: qsTr("Plan a migration →")
            highlighted: true
            enabled: page.migration.cameras.total > 0
            onClicked: page.migration.page = 1
        }
    }
    Label {
        textFormat: Text.PlainText
        visible: cameraList.count === 0
        text: page.migration.cameras.total === 0
              ? qsTr("No cameras yet. Refresh inventory asks every VMS which cameras it records.")
              : qsTr("No camera matches the filter.")
        color: "#b8bec6"
    }
    ListView {
        id: cameraList
        objectName: "cameraList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        spacing: 6
        focus: true
        keyNavigationEnabled: true
        highlightMoveDuration: 0
        model: page.migration.cameras
        ScrollBar.vertical: ScrollBar {}
        highlight: Rectangle { color: "transparent"; border.color: "#4fc3f7"; border.width: 2; radius: 6; z: 2 }
        delegate: Rectangle {
            required property int index
            required property string cameraId
            required property string name
            required property string cameraModel
            required property string address
            required property string previousAddress
            required property string assignedTo
            required property string stateText
            required property string detail
            required property bool problem
            required property var thumbnail
            required property string thumbnailNote
            objectName: "camera-" + cameraId
            width: ListView.view.width
            height: 124
            radius: 6
            color: "#262b33"
            MouseArea { anchors.fill: parent; onClicked: cameraList.currentIndex = index }
            RowLayout {
                anchors.fill: parent
                anchors.margins: 8
                spacing: 14
                ThumbnailItem {
                    objectName: "thumbnail-" + cameraId
                    image: thumbnail
                    Layout.preferredWidth: 192
                    Layout.preferredHeight: 108
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 100  // not its text's width: the state column lines up on every row
                    spacing: 3
                    Label { textFormat: Text.PlainText; text: name; color: "#ffffff"; font.pixelSize: 18; font.bold: true; elide: Text.ElideRight; Layout.fillWidth: true }
                    Label {
                        objectName: "cameraDescription-" + cameraId
                        textFormat: Text.PlainText
                        text: (cameraModel ? cameraModel + " · " : "") + (address || qsTr("address unknown")) +
                              (previousAddress ? qsTr(" (was %1)").arg(previousAddress) : "")
                        color: "#b8bec6"; elide: Text.ElideRight; Layout.fillWidth: true
                    }
                    Label { textFormat: Text.PlainText; text: assignedTo ? qsTr("Recorded by %1").arg(assignedTo) : qsTr("Not assigned to any VMS"); color: "#b8bec6" }
                    Label { textFormat: Text.PlainText; text: thumbnailNote; color: "#8a9099"; font.pixelSize: 12; elide: Text.ElideRight; Layout.fillWidth: true }
                }
                ColumnLayout {
                    // A fixed column: the camera's own text takes the rest of the row (its detail
                    // label's fillWidth would otherwise make this column share the width).
                    Layout.fillWidth: false
                    Layout.preferredWidth: 300
                    Label {
                        objectName: "cameraState-" + cameraId
                        textFormat: Text.PlainText
                        text: stateText
                        color: problem ? "#e0b040" : "#9fe0a8"
                        font.bold: true
                    }
                    Label { textFormat: Text.PlainText; text: detail; color: "#b8bec6"; wrapMode: Text.Wrap; Layout.fillWidth: true; maximumLineCount: 3; elide: Text.ElideRight }
                }
            }
        }
    }
}
