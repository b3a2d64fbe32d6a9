// SPDX-License-Identifier: GPL-2.0-or-later
#include "vm_list_model.h"

namespace appliance::console {

QVariant VmListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_vms.size()) return {};
    const Vm& v = m_vms[index.row()];
    switch (role) {
    case NameRole: return v.name;
    case StateRole: return v.state;
    case RunningRole: return v.state == QLatin1String("running");
    case VncSocketRole: return v.vncSocket;
    default: return {};
    }
}

QHash<int, QByteArray> VmListModel::roleNames() const {
    return {{NameRole, "name"}, {StateRole, "state"}, {RunningRole, "running"}, {VncSocketRole, "vncSocket"}};
}

void VmListModel::reset(QList<Vm> vms) {
    beginResetModel();
    m_vms = std::move(vms);
    endResetModel();
}

void VmListModel::setState(const QString& name, const QString& state) {
    for (int i = 0; i < m_vms.size(); ++i) {
        if (m_vms[i].name != name) continue;
        m_vms[i].state = state;
        emit dataChanged(index(i), index(i), {StateRole, RunningRole});
    }
}

}  // namespace appliance::console
