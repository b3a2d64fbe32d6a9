// SPDX-License-Identifier: GPL-2.0-or-later
// The targets the operator can switch to, as the agent server lists them. Plain list model: it
// knows nothing of QML.
#pragma once

#include <QAbstractListModel>
#include <QJsonArray>
#include <QtQml/qqmlregistration.h>

namespace appliance::tray {

class TargetsModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by AgentController")
public:
    enum Role { NameRole = Qt::UserRole + 1, KindRole, StateRole, FocusedRole, YouRole, RunningRole };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// Replaces the list with what `targets.list` answered.
    void reset(const QJsonArray& targets);
    /// Marks `target` as the one with the display.
    void setFocused(const QString& target);
    /// Updates one VM's state from a `vm.state` event.
    void setState(const QString& name, const QString& state);

private:
    struct Target {
        QString name, kind, state;
        bool focused = false, you = false;
    };
    QList<Target> m_targets;
};

}  // namespace appliance::tray
