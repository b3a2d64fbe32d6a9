// SPDX-License-Identifier: GPL-2.0-or-later
// The admin page's list of guests: what applianced's vm.list says, plus what only the console
// keeps: a short history of CPU and memory samples per guest, whether an action is on its way and
// the last error or notice, shown in place next to the guest. Context: GUI thread.
#pragma once

#include <QAbstractListModel>
#include <QJsonArray>
#include <QtQml/qqmlregistration.h>

namespace appliance::console {

class GuestsModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by AdminController")
public:
    enum Role {
        NameRole = Qt::UserRole + 1, StateRole, RunningRole, UptimeRole, VcpusRole, MemoryMibRole, AutostartRole,
        MemoryUsedMibRole, CpuPercentRole, CpuHistoryRole, MemoryHistoryRole, BusyRole, ErrorRole, NoticeRole
    };
    /// Samples kept per guest: with applianced's 2 s stats interval, the last three minutes.
    static constexpr int kHistoryLength = 90;

    struct Guest {
        QString name, state;
        qint64 uptimeS = -1;  ///< -1: not running
        int vcpus = 0;
        qint64 memoryMib = 0;
        qint64 memoryUsedMib = 0;  ///< what QEMU really occupies on the host
        bool autostart = false;
        double cpuPercent = 0;
        QList<qreal> cpuHistory, memoryHistory;
        bool busy = false;
        QString error, notice;
    };

    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_guests.size()); }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// Merges a vm.list answer: new guests appear, gone ones leave, every running guest gets a sample.
    void update(const QJsonArray& vmList);
    void setBusy(const QString& name, bool busy);
    /// An error replaces any notice and the other way round: the row shows the latest outcome.
    void setError(const QString& name, const QString& error);
    void setNotice(const QString& name, const QString& notice);
    const Guest* find(const QString& name) const;

    /// "45 s", "12 min", "3 h 05 min", "2 d 04 h": what an operator reads at a glance.
    static QString formatUptime(qint64 seconds);

private:
    int rowOf(const QString& name) const;
    QList<Guest> m_guests;
};

}  // namespace appliance::console
