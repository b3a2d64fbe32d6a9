// SPDX-License-Identifier: GPL-2.0-or-later
// The admin console page's actions and data: the guests (polled from applianced's vm.list at its
// stats interval so CPU and memory have a history), the audit log, and the lifecycle and
// configuration commands. Every outcome lands on the guest's row, as a sentence: errors are shown
// where the operator clicked. Confirmation of destructive actions is the page's job; this class
// only runs what was confirmed. Context: GUI thread.
#pragma once

#include <QObject>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include "audit_model.h"
#include "guests_model.h"
#include "line_socket.h"

namespace appliance::console {

class AdminController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by ConsoleController")
    Q_PROPERTY(appliance::console::GuestsModel* guests READ guests CONSTANT)
    Q_PROPERTY(appliance::console::AuditModel* audit READ audit CONSTANT)
public:
    /// Polls every `interval`; the socket belongs to the caller and must outlive this object.
    AdminController(qt::LineSocket& socket, std::chrono::milliseconds interval, QObject* parent = nullptr);
    GuestsModel* guests() { return &m_guests; }
    AuditModel* audit() { return &m_audit; }

    Q_INVOKABLE void start(const QString& name);
    Q_INVOKABLE void shutdown(const QString& name);
    Q_INVOKABLE void forceOff(const QString& name);
    Q_INVOKABLE void reboot(const QString& name);
    /// Sends only what differs from what the guest has now.
    Q_INVOKABLE void configure(const QString& name, int vcpus, int memoryMib, bool autostart);
    /// Asks at once (after a state event) instead of at the next tick.
    Q_INVOKABLE void refresh();

private:
    using Done = std::function<void(const QJsonObject& result)>;
    void run(const QString& name, const QString& verb, QJsonObject args, Done done);
    qt::LineSocket& m_socket;
    GuestsModel m_guests;
    AuditModel m_audit;
    QTimer m_poll;
    bool m_listing = false, m_auditing = false;
};

}  // namespace appliance::console
