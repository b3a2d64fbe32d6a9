// SPDX-License-Identifier: GPL-2.0-or-later
// The appliance's VMs as the console needs them: name, state and where their display is.
#pragma once

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace appliance::console {

class VmListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by ConsoleController")
public:
    enum Role { NameRole = Qt::UserRole + 1, StateRole, RunningRole, VncSocketRole };
    struct Vm {
        QString name, state, vncSocket;
    };
    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_vms.size()); }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    void reset(QList<Vm> vms);
    void setState(const QString& name, const QString& state);

private:
    QList<Vm> m_vms;
};

}  // namespace appliance::console
