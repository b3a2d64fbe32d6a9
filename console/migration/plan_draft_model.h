// SPDX-License-Identifier: GPL-2.0-or-later
// The wizard's plan page: the cameras the chosen source VMS records, which of them move, and in
// what order (the administrator's; camera-migratord moves them one at a time in this order).
// Context: GUI thread.
#pragma once

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include "cameras_model.h"

namespace appliance::console {

class PlanDraftModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by MigrationController")
    Q_PROPERTY(int selectedCount READ selectedCount NOTIFY selectionChanged)
public:
    enum Role { IdRole = Qt::UserRole + 1, NameRole, SelectedRole, StateTextRole, ProblemRole };
    struct Row {
        QString id, name, stateText;
        bool problem = false, selected = true;
    };
    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// The cameras assigned to `vm`, by name, all selected.
    void reset(const QString& vm, const CamerasModel& cameras);
    Q_INVOKABLE void toggle(int row);
    Q_INVOKABLE void selectAll(bool selected);
    /// Moves one row (keyboard: Ctrl+Up/Down; or a drag) to `to`.
    Q_INVOKABLE void move(int from, int to);
    /// The selected cameras' ids, in the order shown.
    QStringList selectedIds() const;
    int selectedCount() const;

signals:
    void selectionChanged();

private:
    QList<Row> m_rows;
};

}  // namespace appliance::console
