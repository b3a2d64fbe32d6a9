// SPDX-License-Identifier: GPL-2.0-or-later
// The tray's view of the agent: talks to vms-agentd's local socket (QLocalSocket, the same line
// protocol), keeps the targets model current from focus and VM events, and carries out a switch,
// telling the operator plainly when it is pending, denied, or the target is not running.
// Context: GUI thread.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QtQml/qqmlregistration.h>

#include "line_socket.h"
#include "targets_model.h"

namespace appliance::tray {

class AgentController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(appliance::tray::TargetsModel* targets READ targets CONSTANT)
    Q_PROPERTY(bool connected READ connected NOTIFY connectedChanged)
    Q_PROPERTY(QString thisVm READ thisVm NOTIFY connectedChanged)
    Q_PROPERTY(QString focus READ focus NOTIFY focusChanged)
    Q_PROPERTY(QString pendingTarget READ pendingTarget NOTIFY messageChanged)
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    Q_PROPERTY(bool messageIsError READ messageIsError NOTIFY messageChanged)
    Q_PROPERTY(QString socketPath READ socketPath WRITE setSocketPath NOTIFY socketPathChanged)
public:
    explicit AgentController(QObject* parent = nullptr);

    TargetsModel* targets() { return &m_model; }
    bool connected() const { return m_connected; }
    QString thisVm() const { return m_thisVm; }
    QString focus() const { return m_focus; }
    QString pendingTarget() const { return m_pendingTarget; }
    QString message() const { return m_message; }
    bool messageIsError() const { return m_messageIsError; }
    QString socketPath() const { return m_socketPath; }
    void setSocketPath(const QString& path);

    /// Asks the appliance to give the display to `target`.
    Q_INVOKABLE void switchTo(const QString& target);
    Q_INVOKABLE void refresh();

signals:
    void connectedChanged();
    void focusChanged();
    void messageChanged();
    void socketPathChanged();

private:
    void onEvent(const QString& event, const QJsonObject& data);
    void setMessage(const QString& text, bool isError, const QString& pending = {});
    void setConnected(bool connected, const QString& vm);

    qt::LineSocket m_socket;
    QTimer m_retry;
    TargetsModel m_model;
    bool m_connected = false;
    QString m_thisVm, m_focus, m_pendingTarget, m_message;
    bool m_messageIsError = false;
    QString m_socketPath = QStringLiteral("/run/vms-agent.sock");
};

}  // namespace appliance::tray
