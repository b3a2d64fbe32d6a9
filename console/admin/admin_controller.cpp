// SPDX-License-Identifier: GPL-2.0-or-later
#include "admin_controller.h"

#include <QJsonArray>
#include <QQmlEngine>

namespace appliance::console {

namespace {
constexpr int kAuditEntries = 40;
}

AdminController::AdminController(qt::LineSocket& socket, std::chrono::milliseconds interval, QObject* parent)
    : QObject(parent), m_socket(socket), m_guests(this), m_audit(this) {
    QQmlEngine::setObjectOwnership(&m_guests, QQmlEngine::CppOwnership);
    QQmlEngine::setObjectOwnership(&m_audit, QQmlEngine::CppOwnership);
    m_poll.setInterval(interval);
    connect(&m_poll, &QTimer::timeout, this, &AdminController::refresh);
    m_poll.start();
}

void AdminController::refresh() {
    if (!m_socket.isConnected()) return;
    // One request of each kind in flight at most: a slow applianced gets no pile of polls.
    if (!m_listing) {
        m_listing = true;
        m_socket.call("vm.list", {}, [this](const QJsonObject& m) {
            m_listing = false;
            if (m.contains("return")) m_guests.update(m.value("return").toArray());
        });
    }
    if (!m_auditing) {
        m_auditing = true;
        m_socket.call("audit.list", {{"limit", kAuditEntries}}, [this](const QJsonObject& m) {
            m_auditing = false;
            if (m.contains("return")) m_audit.update(m.value("return").toArray());
        });
    }
}

void AdminController::run(const QString& name, const QString& verb, QJsonObject args, Done done) {
    if (!m_socket.isConnected()) {
        m_guests.setError(name, tr("applianced is not reachable; the console reconnects on its own, try again in a moment"));
        return;
    }
    args.insert("name", name);
    m_guests.setBusy(name, true);
    m_guests.setNotice(name, {});
    m_socket.call(verb, args, [this, name, done = std::move(done)](const QJsonObject& m) {
        m_guests.setBusy(name, false);
        if (m.contains("error")) {
            // applianced's sentences name the VM and the fix; shown as they are.
            m_guests.setError(name, m.value("error").toObject().value("desc").toString());
        } else {
            done(m.value("return").toObject());
        }
        refresh();
    });
}

void AdminController::start(const QString& name) {
    run(name, "vm.start", {}, [this, name](const QJsonObject&) { m_guests.setNotice(name, tr("Started.")); });
}

void AdminController::shutdown(const QString& name) {
    m_guests.setNotice(name, tr("Asking the guest to shut down…"));
    run(name, "vm.shutdown", {}, [this, name](const QJsonObject& r) {
        m_guests.setNotice(name, r.value("outcome").toString() == QLatin1String("forced")
                                     ? tr("The guest did not shut down in time, so it was forced off.")
                                     : tr("The guest shut down."));
    });
}

void AdminController::forceOff(const QString& name) {
    run(name, "vm.destroy", {}, [this, name](const QJsonObject&) { m_guests.setNotice(name, tr("Forced off.")); });
}

void AdminController::reboot(const QString& name) {
    run(name, "vm.reboot", {}, [this, name](const QJsonObject&) {
        m_guests.setNotice(name, tr("The guest was asked to reboot."));
    });
}

void AdminController::configure(const QString& name, int vcpus, int memoryMib, bool autostart) {
    const GuestsModel::Guest* g = m_guests.find(name);
    if (!g) return;
    QJsonObject args;
    if (vcpus != g->vcpus) args.insert("vcpus", vcpus);
    if (memoryMib != g->memoryMib) args.insert("memory_mib", memoryMib);
    if (autostart != g->autostart) args.insert("autostart", autostart);
    if (args.isEmpty()) {
        m_guests.setNotice(name, tr("Nothing changed."));
        return;
    }
    run(name, "vm.set", args, [this, name](const QJsonObject& r) {
        const QString message = r.value("message").toString();
        m_guests.setNotice(name, message.isEmpty() ? tr("Saved and applied.") : message);
    });
}

}  // namespace appliance::console
