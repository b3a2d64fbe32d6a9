// SPDX-License-Identifier: GPL-2.0-or-later
// The newest entries of applianced's audit log, as the admin page lists them. Context: GUI thread.
#pragma once

#include <QAbstractListModel>
#include <QJsonArray>
#include <QtQml/qqmlregistration.h>

namespace appliance::console {

class AuditModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by AdminController")
public:
    enum Role { TimeRole = Qt::UserRole + 1, ActorRole, ActionRole, TargetRole, ResultRole, DetailRole, FailedRole };
    struct Entry {
        qint64 id = 0;
        QString time, actor, action, target, result, detail;
    };
    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_entries.size()); }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    /// Replaces the entries with an audit.list answer (newest first); a no-op when nothing is new.
    void update(const QJsonArray& entries);

private:
    QList<Entry> m_entries;
};

}  // namespace appliance::console
