// SPDX-License-Identifier: GPL-2.0-or-later
// The line protocol over a QLocalSocket for the two Qt programs (the tray to vms-agentd, the
// console to applianced): commands with reply callbacks, events as a signal, reconnection left to
// the owner. Context: GUI thread.
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QLocalSocket>
#include <QObject>
#include <functional>

namespace appliance::qt {

class LineSocket : public QObject {
    Q_OBJECT
public:
    /// The whole message: {"return": ...} or {"error": {...}}.
    using Reply = std::function<void(const QJsonObject& message)>;
    explicit LineSocket(QObject* parent = nullptr);
    ~LineSocket() override;

    void connectTo(const QString& path);  ///< no-op unless unconnected
    void abort();
    bool isConnected() const { return m_socket.state() == QLocalSocket::ConnectedState; }
    bool isUnconnected() const { return m_socket.state() == QLocalSocket::UnconnectedState; }
    /// `reply` is always called once: with the answer, or with an error when not connected or
    /// when the connection closes first (error class "Disconnected").
    void call(const QString& verb, const QJsonObject& args, Reply reply);

signals:
    void connected();
    void disconnected();
    void failed(const QString& why);
    void eventReceived(const QString& name, const QJsonObject& data);

private:
    void onReadyRead();
    QLocalSocket m_socket;
    QByteArray m_buffer;
    QHash<qint64, Reply> m_replies;
    qint64 m_nextId = 1;
};

}  // namespace appliance::qt
