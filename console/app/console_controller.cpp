// SPDX-License-Identifier: GPL-2.0-or-later
#include "console_controller.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QQmlEngine>
#include <memory>

namespace appliance::console {

namespace {
// applianced samples CPU and memory every 2 s by default; asking more often shows nothing new.
constexpr std::chrono::milliseconds kAdminPollInterval{2000};
}  // namespace

ConsoleController::ConsoleController(QObject* parent)
    : QObject(parent), m_vms(this), m_admin(m_socket, kAdminPollInterval, this), m_migration(m_socket, this) {
    QQmlEngine::setObjectOwnership(&m_vms, QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(&m_migration, QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(&m_admin, QQmlEngine::CppOwnership);
    connect(&m_asks, &AskQueue::changed, this, &ConsoleController::askChanged);
    m_retry.setInterval(1000);
    connect(&m_retry, &QTimer::timeout, this, [this] { m_socket.connectTo(m_adminSocket); });
    connect(&m_socket, &qt::LineSocket::connected, this, [this] {
        m_connected = true;
        emit connectedChanged();
        m_socket.call("events.subscribe", {}, [](const QJsonObject&) {});
        // Asks that were pending before this console (re)connected.
        m_socket.call("focus.asks", {}, [this](const QJsonObject& m) {
            m_asks.clear();
            for (const auto& a : m.value("return").toArray()) onEvent(QStringLiteral("focus.ask"), a.toObject());
        });
        refresh();
        m_admin.refresh();
    });
    connect(&m_socket, &qt::LineSocket::disconnected, this, [this] {
        m_connected = false;
        emit connectedChanged();
    });
    connect(&m_socket, &qt::LineSocket::eventReceived, this, &ConsoleController::onEvent);
    m_retry.start();
    QTimer::singleShot(0, this, [this] {
        m_socket.connectTo(m_adminSocket);
        m_migration.setSocketPath(m_migratorSocket);
    });
}

void ConsoleController::setMigratorSocket(const QString& path) {
    if (path == m_migratorSocket) return;
    m_migratorSocket = path;
    emit migratorSocketChanged();
    m_migration.setSocketPath(path);
}

void ConsoleController::setAdminSocket(const QString& path) {
    if (path == m_adminSocket) return;
    m_adminSocket = path;
    emit adminSocketChanged();
    m_socket.abort();
    m_socket.connectTo(m_adminSocket);
}

void ConsoleController::requestFocus(const QString& target) {
    m_socket.call("focus.set", {{"target", target}}, [](const QJsonObject&) {});
}

void ConsoleController::cycle(int step) {
    QStringList targets{QStringLiteral("admin-console")};
    for (int i = 0; i < m_vms.rowCount(); ++i) {
        QModelIndex idx = m_vms.index(i);
        if (idx.data(VmListModel::RunningRole).toBool()) targets << idx.data(VmListModel::NameRole).toString();
    }
    int at = std::max(0, int(targets.indexOf(m_focus)));
    requestFocus(targets[(at + step + targets.size()) % targets.size()]);
}

void ConsoleController::decide(int askId, bool allow) {
    if (!m_asks.decidable(askId)) return;
    m_socket.call("focus.decide", {{"id", askId}, {"allow", allow}}, [](const QJsonObject&) {});
    m_asks.remove(askId);
}

void ConsoleController::refresh() {
    m_socket.call("focus.get", {}, [this](const QJsonObject& m) {
        QString focus = m.value("return").toObject().value("target").toString(m_focus);
        if (focus != m_focus) setFocusAndRender(focus);
    });
    m_socket.call("vm.list", {}, [this](const QJsonObject& m) {
        if (!m.contains("return")) return;  // applianced went away: keep the sessions until it is back
        const QJsonArray list = m.value("return").toArray();
        // Each VM's display socket comes from vm.info; gather them, then publish the list at once.
        auto pending = std::make_shared<QList<VmListModel::Vm>>();
        auto left = std::make_shared<int>(int(list.size()));
        if (list.isEmpty()) m_vms.reset({});
        for (const auto& v : list) {
            const QString name = v.toObject().value("name").toString();
            m_socket.call("vm.info", {{"name", name}}, [this, pending, left](const QJsonObject& r) {
                if (r.value("error").toObject().value("class") == QLatin1String("Disconnected")) return;  // ditto
                QJsonObject info = r.value("return").toObject();
                if (!info.isEmpty())
                    pending->push_back({info.value("name").toString(), info.value("state").toString(),
                                        info.value("vnc_socket").toString()});
                if (--*left == 0) m_vms.reset(*pending);
            });
        }
    });
}

void ConsoleController::setWindow(QQuickWindow* window) {
    if (window == m_window) return;
    m_window = window;
    emit windowChanged();
}

void ConsoleController::setFocusAndRender(const QString& focus) {
    m_focus = focus;
    emit focusChanged();  // every binding on `focus` (which item is visible) is updated on return
    if (!m_window || !m_window->isExposed()) return;
    // The render loop would draw this at its next tick (up to a frame later). An UpdateRequest
    // sent now makes it polish, sync and render this window synchronously, in every Qt Quick
    // render loop (basic, threaded, software); the tick it had scheduled then finds nothing new.
    m_window->update();
    QEvent request(QEvent::UpdateRequest);
    QCoreApplication::sendEvent(m_window, &request);
}

void ConsoleController::onEvent(const QString& name, const QJsonObject& data) {
    if (name == "focus.changed") {
        setFocusAndRender(data.value("target").toString());
    } else if (name == "focus.ask") {
        // Agents' names arrive as "agent:VM"; the operator thinks in VMs.
        m_asks.add({data.value("id").toInt(), data.value("by").toString().remove(QStringLiteral("agent:")),
                    data.value("target").toString()});
    } else if (name == "focus.ask-expired" || name == "focus.ask-withdrawn") {
        m_asks.remove(data.value("id").toInt());
    } else if (name == "vm.state") {
        m_vms.setState(data.value("name").toString(), data.value("state").toString());
        m_admin.refresh();
    } else if (name == "vm.defined" || name == "vm.undefined" || name == "hypervisor.connected") {
        refresh();
        m_admin.refresh();
    }
}

}  // namespace appliance::console
