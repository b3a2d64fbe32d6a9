// SPDX-License-Identifier: GPL-2.0-or-later
#include "audit_model.h"

#include <QDateTime>
#include <QJsonObject>

namespace appliance::console {

QVariant AuditModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_entries.size()) return {};
    const Entry& e = m_entries[index.row()];
    switch (role) {
    case TimeRole: return e.time;
    case ActorRole: return e.actor;
    case ActionRole: return e.action;
    case TargetRole: return e.target;
    case ResultRole: return e.result;
    case DetailRole: return e.detail;
    // applianced records "ok", a state ("running", "shut off (destroyed)"), "denied", "error" or an
    // error class ("InvalidArgument": the only results that start with a capital); the page marks failures.
    case FailedRole: return e.result == QLatin1String("denied") || e.result == QLatin1String("error") ||
                            (!e.result.isEmpty() && e.result.front().isUpper());
    default: return {};
    }
}

QHash<int, QByteArray> AuditModel::roleNames() const {
    return {{TimeRole, "time"},     {ActorRole, "actor"},   {ActionRole, "action"}, {TargetRole, "target"},
            {ResultRole, "result"}, {DetailRole, "detail"}, {FailedRole, "failed"}};
}

void AuditModel::update(const QJsonArray& entries) {
    QList<Entry> fresh;
    fresh.reserve(entries.size());
    for (const auto& value : entries) {
        const QJsonObject e = value.toObject();
        const auto when = QDateTime::fromMSecsSinceEpoch(qint64(e.value("timestamp").toDouble() * 1000));
        fresh.push_back({qint64(e.value("id").toDouble()), when.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                         e.value("actor").toString(), e.value("action").toString(), e.value("target").toString(),
                         e.value("result").toString(), e.value("detail").toString()});
    }
    const bool same = fresh.size() == m_entries.size() &&
                      (fresh.isEmpty() || (fresh.front().id == m_entries.front().id));
    if (same) return;
    beginResetModel();
    m_entries = std::move(fresh);
    endResetModel();
}

}  // namespace appliance::console
