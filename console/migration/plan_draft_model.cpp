// SPDX-License-Identifier: GPL-2.0-or-later
#include "plan_draft_model.h"

#include <algorithm>

namespace appliance::console {

QVariant PlanDraftModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const Row& r = m_rows[index.row()];
    switch (role) {
    case IdRole: return r.id;
    case NameRole: return r.name;
    case SelectedRole: return r.selected;
    case StateTextRole: return r.stateText;
    case ProblemRole: return r.problem;
    default: return {};
    }
}

QHash<int, QByteArray> PlanDraftModel::roleNames() const {
    return {{IdRole, "cameraId"}, {NameRole, "name"}, {SelectedRole, "selected"}, {StateTextRole, "stateText"},
            {ProblemRole, "problem"}};
}

void PlanDraftModel::reset(const QString& vm, const CamerasModel& cameras) {
    QList<Row> rows;
    for (const QString& id : cameras.ids())
        if (const auto* c = cameras.find(id); c && !vm.isEmpty() && c->assignedTo == vm)
            rows.push_back({c->id, c->name, c->stateText, c->problem, true});
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return QString::localeAwareCompare(a.name, b.name) < 0; });
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
    emit selectionChanged();
}

void PlanDraftModel::toggle(int row) {
    if (row < 0 || row >= m_rows.size()) return;
    m_rows[row].selected = !m_rows[row].selected;
    emit dataChanged(index(row), index(row), {SelectedRole});
    emit selectionChanged();
}

void PlanDraftModel::selectAll(bool selected) {
    for (auto& r : m_rows) r.selected = selected;
    if (!m_rows.isEmpty()) emit dataChanged(index(0), index(int(m_rows.size()) - 1), {SelectedRole});
    emit selectionChanged();
}

void PlanDraftModel::move(int from, int to) {
    if (from < 0 || from >= m_rows.size() || to < 0 || to >= m_rows.size() || from == to) return;
    // Qt's destination is the row before which the moved row lands.
    beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    m_rows.move(from, to);
    endMoveRows();
    emit selectionChanged();
}

QStringList PlanDraftModel::selectedIds() const {
    QStringList out;
    for (const auto& r : m_rows)
        if (r.selected) out << r.id;
    return out;
}

int PlanDraftModel::selectedCount() const {
    return int(std::count_if(m_rows.begin(), m_rows.end(), [](const Row& r) { return r.selected; }));
}

}  // namespace appliance::console
