// SPDX-License-Identifier: GPL-2.0-or-later
#include "targets_model.h"

#include <QJsonObject>

namespace appliance::tray {

int TargetsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_targets.size()); }

QVariant TargetsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_targets.size()) return {};
    const Target& t = m_targets[index.row()];
    switch (role) {
    case NameRole: return t.name;
    case KindRole: return t.kind;
    case StateRole: return t.state;
    case FocusedRole: return t.focused;
    case YouRole: return t.you;
    case RunningRole: return t.state == QLatin1String("running");
    default: return {};
    }
}

QHash<int, QByteArray> TargetsModel::roleNames() const {
    return {{NameRole, "name"}, {KindRole, "kind"}, {StateRole, "state"},
            {FocusedRole, "focused"}, {YouRole, "you"}, {RunningRole, "running"}};
}

void TargetsModel::reset(const QJsonArray& targets) {
    beginResetModel();
    m_targets.clear();
    for (const auto& v : targets) {
        QJsonObject o = v.toObject();
        m_targets.push_back({o.value("name").toString(), o.value("kind").toString(), o.value("state").toString(),
                             o.value("focused").toBool(), o.value("you").toBool()});
    }
    endResetModel();
}

void TargetsModel::setFocused(const QString& target) {
    for (int i = 0; i < m_targets.size(); ++i) {
        bool focused = m_targets[i].name == target;
        if (m_targets[i].focused == focused) continue;
        m_targets[i].focused = focused;
        emit dataChanged(index(i), index(i), {FocusedRole});
    }
}

void TargetsModel::setState(const QString& name, const QString& state) {
    for (int i = 0; i < m_targets.size(); ++i) {
        if (m_targets[i].name != name) continue;
        m_targets[i].state = state;
        emit dataChanged(index(i), index(i), {StateRole, RunningRole});
    }
}

}  // namespace appliance::tray
