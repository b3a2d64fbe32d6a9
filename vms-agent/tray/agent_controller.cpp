// SPDX-License-Identifier: GPL-2.0-or-later
#include "agent_controller.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QQmlEngine>

namespace appliance::tray {

AgentController::AgentController(QObject* parent) : QObject(parent), m_model(this) {
    // The model is a member: QML must never take it over and delete it.
    QQmlEngine::setObjectOwnership(&m_model, QQmlEngine::CppOwnership);
    m_retry.setInterval(2000);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (m_socket.isUnconnected()) m_socket.connectTo(m_socketPath);
        else if (!m_connected) refresh();  // vms-agentd is up but not yet connected to the appliance
    });
    connect(&m_socket, &qt::LineSocket::connected, this, [this] {
        m_socket.call("events.subscribe", {}, [](const QJsonObject&) {});
        refresh();
    });
    connect(&m_socket, &qt::LineSocket::eventReceived, this, &AgentController::onEvent);
    connect(&m_socket, &qt::LineSocket::disconnected, this, [this] {
        setConnected(false, {});
        setMessage(tr("The agent on this VM (vms-agentd) is not running; retrying…"), true);
    });
    connect(&m_socket, &qt::LineSocket::failed, this, [this](const QString&) {
        setMessage(tr("Cannot reach the agent on this VM (vms-agentd at %1); retrying…").arg(m_socketPath), true);
    });
    m_retry.start();
    QTimer::singleShot(0, this, [this] { m_socket.connectTo(m_socketPath); });
}

void AgentController::setSocketPath(const QString& path) {
    if (path == m_socketPath) return;
    m_socketPath = path;
    emit socketPathChanged();
    m_socket.abort();
    m_socket.connectTo(m_socketPath);
}

void AgentController::refresh() {
    m_socket.call("status", {}, [this](const QJsonObject& m) {
        if (!m.contains("return")) return;  // vms-agentd is not there (yet): the socket's own signals say so
        QJsonObject s = m.value("return").toObject();
        setConnected(s.value("connected").toBool(), s.value("vm").toString());
        if (!m_connected) {
            setMessage(tr("Not connected to the appliance: %1").arg(s.value("last_error").toString(tr("starting"))), true);
            return;
        }
        m_focus = s.value("focus").toString();
        emit focusChanged();
        m_socket.call("targets.list", {}, [this](const QJsonObject& r) {
            if (r.contains("return")) m_model.reset(r.value("return").toArray());
            else setMessage(r.value("error").toObject().value("desc").toString(), true);
        });
    });
}

void AgentController::onEvent(const QString& event, const QJsonObject& data) {
    if (event == "focus.changed") {
        m_focus = data.value("target").toString();
        m_model.setFocused(m_focus);
        emit focusChanged();
        if (!m_pendingTarget.isEmpty() && m_pendingTarget == m_focus) setMessage(tr("%1 has the display").arg(m_focus), false);
    } else if (event == "vm.state") {
        m_model.setState(data.value("name").toString(), data.value("state").toString());
    } else if (event == "focus.pending") {
        setMessage(tr("Waiting for the operator to allow the switch to %1…").arg(data.value("target").toString()), false,
                   data.value("target").toString());
    } else if (event == "agent.connected" || event == "vm.defined" || event == "vm.undefined") {
        refresh();
    } else if (event == "agent.disconnected") {
        setConnected(false, {});
        setMessage(tr("Lost the connection to the appliance; reconnecting…"), true);
    }
}

void AgentController::switchTo(const QString& target) {
    if (!m_connected) return setMessage(tr("Not connected to the appliance; cannot switch now"), true);
    if (target == m_focus) return setMessage(tr("%1 already has the display").arg(target), false);
    for (int i = 0; i < m_model.rowCount(); ++i) {
        QModelIndex idx = m_model.index(i);
        if (idx.data(TargetsModel::NameRole).toString() == target && !idx.data(TargetsModel::RunningRole).toBool())
            return setMessage(tr("%1 is not running (%2); it cannot take the display")
                                  .arg(target, idx.data(TargetsModel::StateRole).toString()),
                              true);
    }
    setMessage(tr("Switching to %1…").arg(target), false, target);
    m_socket.call("focus.request", {{"target", target}}, [this, target](const QJsonObject& m) {
        if (m.contains("return")) {
            m_focus = m.value("return").toObject().value("target").toString();
            m_model.setFocused(m_focus);
            emit focusChanged();
            return setMessage(tr("%1 has the display").arg(m_focus), false);
        }
        QJsonObject e = m.value("error").toObject();
        QString cls = e.value("class").toString(), desc = e.value("desc").toString();
        if (cls == "PermissionDenied") setMessage(tr("Not allowed: %1").arg(desc), true);
        else if (cls == "Conflict") setMessage(tr("%1 is not running: %2").arg(target, desc), true);
        else setMessage(desc, true);
    });
}

void AgentController::setMessage(const QString& text, bool isError, const QString& pending) {
    m_message = text;
    m_messageIsError = isError;
    m_pendingTarget = pending;
    emit messageChanged();
}

void AgentController::setConnected(bool connected, const QString& vm) {
    if (connected == m_connected && vm == m_thisVm) return;
    m_connected = connected;
    m_thisVm = vm;
    emit connectedChanged();
}

}  // namespace appliance::tray
