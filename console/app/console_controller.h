// SPDX-License-Identifier: GPL-2.0-or-later
// What the kiosk shows, as applianced decides it: the focus (followed from focus events, never
// decided here) and the VMs with their display sockets. Context: GUI thread.
#pragma once

#include <QObject>
#include <QPointer>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include "admin_controller.h"
#include "ask_queue.h"
#include "line_socket.h"
#include "migration_controller.h"
#include "vm_list_model.h"

namespace appliance::console {

class ConsoleController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(appliance::console::VmListModel* vms READ vms CONSTANT)
    /// The admin console page's data and actions, over the same connection.
    Q_PROPERTY(appliance::console::AdminController* admin READ admin CONSTANT)
    /// The migration wizard's data and actions, over a connection to camera-migratord.
    Q_PROPERTY(appliance::console::MigrationController* migration READ migration CONSTANT)
    Q_PROPERTY(QString migratorSocket READ migratorSocket WRITE setMigratorSocket NOTIFY migratorSocketChanged)
    Q_PROPERTY(QString focus READ focus NOTIFY focusChanged)
    Q_PROPERTY(bool connected READ connected NOTIFY connectedChanged)
    Q_PROPERTY(QString adminSocket READ adminSocket WRITE setAdminSocket NOTIFY adminSocketChanged)
    /// The guest's request shown to the operator, which the policy says they must decide (0: none).
    Q_PROPERTY(int askId READ askId NOTIFY askChanged)
    Q_PROPERTY(QString askBy READ askBy NOTIFY askChanged)
    Q_PROPERTY(QString askTarget READ askTarget NOTIFY askChanged)
    /// The shown ask replaced an earlier one from the same guest.
    Q_PROPERTY(bool askReplaces READ askReplaces NOTIFY askChanged)
    /// False for a moment after a new ask is shown: clicks then decide nothing.
    Q_PROPERTY(bool askArmed READ askArmed NOTIFY askChanged)
    /// The kiosk window: a focus change is rendered into it at once (see setFocusAndRender).
    Q_PROPERTY(QQuickWindow* window READ window WRITE setWindow NOTIFY windowChanged)
public:
    explicit ConsoleController(QObject* parent = nullptr);
    VmListModel* vms() { return &m_vms; }
    AdminController* admin() { return &m_admin; }
    MigrationController* migration() { return &m_migration; }
    QString migratorSocket() const { return m_migratorSocket; }
    void setMigratorSocket(const QString& path);
    QString focus() const { return m_focus; }
    bool connected() const { return m_connected; }
    QString adminSocket() const { return m_adminSocket; }
    void setAdminSocket(const QString& path);
    /// Host hotkeys: ask applianced to move the focus (the console never decides it).
    Q_INVOKABLE void requestFocus(const QString& target);
    Q_INVOKABLE void cycle(int step);
    /// The operator's answer to the ask with `askId`, which must be the one shown (and armed).
    Q_INVOKABLE void decide(int askId, bool allow);
    int askId() const { return m_asks.shown().id; }
    QString askBy() const { return m_asks.shown().by; }
    QString askTarget() const { return m_asks.shown().target; }
    bool askReplaces() const { return m_asks.shown().replacesEarlier; }
    bool askArmed() const { return m_asks.armed(); }
    QQuickWindow* window() const { return m_window; }
    void setWindow(QQuickWindow* window);

signals:
    void focusChanged();
    void connectedChanged();
    void adminSocketChanged();
    void migratorSocketChanged();
    void askChanged();
    void windowChanged();

private:
    void refresh();
    void onEvent(const QString& name, const QJsonObject& data);
    /// The new focus is on screen at the next refresh of the display, not after the render
    /// loop's next tick as well: the window renders now, with every binding already updated.
    void setFocusAndRender(const QString& focus);
    qt::LineSocket m_socket;
    QTimer m_retry;
    VmListModel m_vms;
    AdminController m_admin;  // after m_socket, which it uses
    MigrationController m_migration;  // likewise
    QString m_migratorSocket = QStringLiteral("/run/camera-migrator/admin.sock");
    QString m_focus = QStringLiteral("admin-console");
    bool m_connected = false;
    AskQueue m_asks;
    QString m_adminSocket = QStringLiteral("/run/appliance/admin.sock");
    QPointer<QQuickWindow> m_window;
};

}  // namespace appliance::console
