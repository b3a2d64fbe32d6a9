// SPDX-License-Identifier: GPL-2.0-or-later
#include "guests_model.h"

#include <QJsonObject>

namespace appliance::console {

QVariant GuestsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_guests.size()) return {};
    const Guest& g = m_guests[index.row()];
    switch (role) {
    case NameRole: return g.name;
    case StateRole: return g.state;
    case RunningRole: return g.state == QLatin1String("running");
    case UptimeRole: return g.uptimeS < 0 ? QString() : formatUptime(g.uptimeS);
    case VcpusRole: return g.vcpus;
    case MemoryMibRole: return g.memoryMib;
    case MemoryUsedMibRole: return g.memoryUsedMib;
    case AutostartRole: return g.autostart;
    case CpuPercentRole: return g.cpuPercent;
    case CpuHistoryRole: return QVariant::fromValue(g.cpuHistory);
    case MemoryHistoryRole: return QVariant::fromValue(g.memoryHistory);
    case BusyRole: return g.busy;
    case ErrorRole: return g.error;
    case NoticeRole: return g.notice;
    default: return {};
    }
}

QHash<int, QByteArray> GuestsModel::roleNames() const {
    return {{NameRole, "name"},           {StateRole, "state"},
            {RunningRole, "running"},     {UptimeRole, "uptime"},
            {VcpusRole, "vcpus"},         {MemoryMibRole, "memoryMib"},
            {MemoryUsedMibRole, "memoryUsedMib"},
            {AutostartRole, "autostart"}, {CpuPercentRole, "cpuPercent"},
            {CpuHistoryRole, "cpuHistory"}, {MemoryHistoryRole, "memoryHistory"},
            {BusyRole, "busy"},           {ErrorRole, "error"},
            {NoticeRole, "notice"}};
}

namespace {
void appendSample(QList<qreal>& history, qreal value) {
    history.append(value);
    if (history.size() > GuestsModel::kHistoryLength) history.remove(0, history.size() - GuestsModel::kHistoryLength);
}
}  // namespace

void GuestsModel::update(const QJsonArray& vmList) {
    QStringList seen;
    for (const auto& value : vmList) {
        const QJsonObject v = value.toObject();
        const QString name = v.value("name").toString();
        if (name.isEmpty()) continue;
        seen << name;
        int row = rowOf(name);
        if (row < 0) {
            // applianced lists VMs sorted by name; keep that order so rows do not jump around.
            row = 0;
            while (row < m_guests.size() && m_guests[row].name < name) ++row;
            beginInsertRows({}, row, row);
            Guest fresh;
            fresh.name = name;
            m_guests.insert(row, fresh);
            endInsertRows();
        }
        Guest& g = m_guests[row];
        g.state = v.value("state").toString();
        g.uptimeS = v.value("uptime_s").isDouble() ? qint64(v.value("uptime_s").toDouble()) : -1;
        g.vcpus = v.value("vcpus").toInt();
        g.memoryMib = qint64(v.value("memory_mib").toDouble());
        g.memoryUsedMib = qint64(v.value("memory_used_mib").toDouble());
        g.autostart = v.value("autostart").toBool();
        g.cpuPercent = v.value("cpu_percent").toDouble();
        const bool running = g.state == QLatin1String("running");
        appendSample(g.cpuHistory, running ? g.cpuPercent : 0);
        appendSample(g.memoryHistory, running ? qreal(g.memoryUsedMib) : 0);
        emit dataChanged(index(row), index(row));
    }
    for (int row = int(m_guests.size()) - 1; row >= 0; --row) {
        if (seen.contains(m_guests[row].name)) continue;
        beginRemoveRows({}, row, row);
        m_guests.removeAt(row);
        endRemoveRows();
    }
}

void GuestsModel::setBusy(const QString& name, bool busy) {
    int row = rowOf(name);
    if (row < 0) return;
    m_guests[row].busy = busy;
    emit dataChanged(index(row), index(row), {BusyRole});
}

void GuestsModel::setError(const QString& name, const QString& error) {
    int row = rowOf(name);
    if (row < 0) return;
    m_guests[row].error = error;
    m_guests[row].notice.clear();
    emit dataChanged(index(row), index(row), {ErrorRole, NoticeRole});
}

void GuestsModel::setNotice(const QString& name, const QString& notice) {
    int row = rowOf(name);
    if (row < 0) return;
    m_guests[row].notice = notice;
    m_guests[row].error.clear();
    emit dataChanged(index(row), index(row), {ErrorRole, NoticeRole});
}

const GuestsModel::Guest* GuestsModel::find(const QString& name) const {
    int row = rowOf(name);
    return row < 0 ? nullptr : &m_guests[row];
}

int GuestsModel::rowOf(const QString& name) const {
    for (int i = 0; i < m_guests.size(); ++i)
        if (m_guests[i].name == name) return i;
    return -1;
}

QString GuestsModel::formatUptime(qint64 s) {
    if (s < 60) return QStringLiteral("%1 s").arg(s);
    if (s < 3600) return QStringLiteral("%1 min").arg(s / 60);
    if (s < 86400) return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar('0'));
    return QStringLiteral("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600, 2, 10, QChar('0'));
}

}  // namespace appliance::console
