// SPDX-License-Identifier: GPL-2.0-or-later
// What the kiosk shows, as applianced decides it: the focus (followed from focus events, never
// decided here) and the VMs with their display sockets. Context: GUI thread.
#pragma once

#include <QObject>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include "admin_controller.h"
#include "line_socket.h"
#include "vm_list_model.h"

namespace appliance::console {

class ConsoleController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(appliance::console::VmListModel* vms READ vms CONSTANT)
    /// The admin console page's data and actions, over the same connection.
    Q_PROPERTY(appliance::console::AdminController* admin READ admin CONSTANT)
    Q_PROPERTY(QString focus READ focus NOTIFY focusChanged)
    Q_PROPERTY(bool connected READ connected NOTIFY connectedChanged)
    Q_PROPERTY(QString adminSocket READ adminSocket WRITE setAdminSocket NOTIFY adminSocketChanged)
    /// A guest's request the policy says the operator must decide (0: none).
    Q_PROPERTY(int askId READ askId NOTIFY askChanged)
    Q_PROPERTY(QString askBy READ askBy NOTIFY askChanged)
    Q_PROPERTY(QString askTarget READ askTarget NOTIFY askChanged)
public:
    explicit ConsoleController(QObject* parent = nullptr);
    VmListModel* vms() { return &m_vms; }
    AdminController* admin() { return &m_admin; }
    QString focus() const { return m_focus; }
    bool connected() const { return m_connected; }
    QString adminSocket() const { return m_adminSocket; }
    void setAdminSocket(const QString& path);
    /// Host hotkeys: ask applianced to move the focus (the console never decides it).
    Q_INVOKABLE void requestFocus(const QString& target);
    Q_INVOKABLE void cycle(int step);
    /// The operator's answer to the pending request.
    Q_INVOKABLE void decide(bool allow);
    int askId() const { return m_askId; }
    QString askBy() const { return m_askBy; }
    QString askTarget() const { return m_askTarget; }

signals:
    void focusChanged();
    void connectedChanged();
    void adminSocketChanged();
    void askChanged();

private:
    void refresh();
    void onEvent(const QString& name, const QJsonObject& data);
    qt::LineSocket m_socket;
    QTimer m_retry;
    VmListModel m_vms;
    AdminController m_admin;  // after m_socket, which it uses
    QString m_focus = QStringLiteral("admin-console");
    bool m_connected = false;
    int m_askId = 0;
    QString m_askBy, m_askTarget;
    QString m_adminSocket = QStringLiteral("/run/appliance/admin.sock");
};

}  // namespace appliance::console
