// SPDX-License-Identifier: GPL-2.0-or-later
#include "line_socket.h"

#include <QJsonDocument>

namespace appliance::qt {

namespace {
constexpr int kMaxLineBytes = 4 * 1024 * 1024;

QJsonObject unanswered(const QString& why) {
    return {{"error", QJsonObject{{"class", "Disconnected"}, {"desc", why}}}};
}
}  // namespace

LineSocket::LineSocket(QObject* parent) : QObject(parent) {
    connect(&m_socket, &QLocalSocket::connected, this, &LineSocket::connected);
    connect(&m_socket, &QLocalSocket::readyRead, this, &LineSocket::onReadyRead);
    connect(&m_socket, &QLocalSocket::disconnected, this, [this] {
        // Every caller hears back, so nobody waits forever with a request "in flight".
        auto pending = std::exchange(m_replies, {});
        m_buffer.clear();
        for (auto& reply : pending) reply(unanswered(tr("the connection closed before the answer came; it reconnects on its own")));
        emit disconnected();
    });
    connect(&m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        emit failed(m_socket.errorString());
    });
}

LineSocket::~LineSocket() {
    // The socket is destroyed after our other members; its last signals must not reach them.
    QObject::disconnect(&m_socket, nullptr, this, nullptr);
}

void LineSocket::connectTo(const QString& path) {
    if (m_socket.state() == QLocalSocket::UnconnectedState) m_socket.connectToServer(path);
}

void LineSocket::abort() { m_socket.abort(); }

void LineSocket::call(const QString& verb, const QJsonObject& args, Reply reply) {
    if (m_socket.state() != QLocalSocket::ConnectedState) {
        reply(unanswered(tr("not connected; it reconnects on its own, try again in a moment")));
        return;
    }
    qint64 id = m_nextId++;
    m_replies.insert(id, std::move(reply));
    QJsonObject cmd{{"execute", verb}, {"arguments", args}, {"id", id}};
    m_socket.write(QJsonDocument(cmd).toJson(QJsonDocument::Compact) + '\n');
}

void LineSocket::onReadyRead() {
    m_buffer += m_socket.readAll();
    for (qsizetype nl; (nl = m_buffer.indexOf('\n')) >= 0;) {
        QJsonObject m = QJsonDocument::fromJson(m_buffer.left(nl)).object();
        m_buffer.remove(0, nl + 1);
        if (m.contains("event")) {
            emit eventReceived(m.value("event").toString(), m.value("data").toObject());
            continue;
        }
        auto it = m_replies.find(qint64(m.value("id").toDouble()));
        if (it == m_replies.end()) continue;  // the greeting, or an answer nobody waits for
        Reply reply = std::move(*it);
        m_replies.erase(it);
        reply(m);
    }
    if (m_buffer.size() > kMaxLineBytes) m_socket.abort();  // not the peer we know
}

}  // namespace appliance::qt
