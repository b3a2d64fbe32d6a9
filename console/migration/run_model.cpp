// SPDX-License-Identifier: GPL-2.0-or-later
#include "run_model.h"

#include <QHash>
#include <QJsonObject>
#include <QVariantMap>
#include <cmath>

namespace appliance::console {

namespace {

// The forward steps as the page shows them; verify-detached is part of "detach".
const QStringList kShownSteps{QStringLiteral("preflight"), QStringLiteral("attach"), QStringLiteral("verify"),
                              QStringLiteral("detach"), QStringLiteral("commit")};

int shownIndex(const QString& step) {
    if (step == QLatin1String("verify-detached")) return 3;
    return int(kShownSteps.indexOf(step));  // -1: a rollback or provisioning step
}

bool is(const QString& s, const char* name) { return s == QLatin1String(name); }

}  // namespace

QVariant RunModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_items.size()) return {};
    const Item& i = m_items[index.row()];
    const QString& s = i.state;
    switch (role) {
    case IdRole: return i.id;
    case NameRole: return i.name;
    case StateRole: return s;
    case StateTextRole: return stateText(i);
    case StepsRole: return steps(i);
    case ModeRole: return i.mode;
    case AdviceRole: return advice(i);
    case GapRole: return gapText(i.gapS);
    case TargetRole: return i.target;
    case ReverseRole: return i.reverse;
    case CanPauseRole: return is(s, "pending") || is(s, "running") || is(s, "rolling-back");
    case CanResumeRole: return is(s, "paused");
    case CanSkipRole: return is(s, "pending") || is(s, "running") || is(s, "paused") || is(s, "failed");
    case CanRetryRole: return is(s, "failed") || is(s, "rolled-back") || is(s, "skipped");
    case CanRollbackRole: return is(s, "running") || is(s, "paused") || is(s, "committed") || is(s, "failed");
    case ThumbnailRole: return i.thumbnail;
    case VmsViewRole: return i.vmsView;
    case VmsViewNoteRole: return targetProvedIt(i) ? i.vmsViewNote : QString();
    case DurationRole:
        return i.startedS > 0 && i.finishedS >= i.startedS ? tr("%1 s").arg(qRound(i.finishedS - i.startedS)) : QString();
    default: return {};
    }
}

QHash<int, QByteArray> RunModel::roleNames() const {
    return {{IdRole, "cameraId"},       {NameRole, "name"},           {StateRole, "itemState"},
            {StateTextRole, "stateText"}, {StepsRole, "steps"},       {ModeRole, "mode"},
            {AdviceRole, "advice"},     {GapRole, "gap"},             {TargetRole, "target"},
            {ReverseRole, "reverse"},   {CanPauseRole, "canPause"},   {CanResumeRole, "canResume"},
            {CanSkipRole, "canSkip"},   {CanRetryRole, "canRetry"},   {CanRollbackRole, "canRollback"},
            {ThumbnailRole, "thumbnail"}, {DurationRole, "duration"}, {VmsViewRole, "vmsView"},
            {VmsViewNoteRole, "vmsViewNote"}};
}

void RunModel::update(const QJsonArray& items, const QString& source, const QString& target, bool planPaused) {
    QHash<QString, const Item*> before;  // pictures carry over by id, linearly (as in CamerasModel)
    for (const auto& old : m_items) before.insert(old.id, &old);
    QList<Item> fresh;
    for (const auto& value : items) {
        const QJsonObject j = value.toObject();
        Item i;
        i.id = j.value("camera").toString();
        i.name = j.value("name").toString();
        i.state = j.value("state").toString();
        i.step = j.value("step").toString();
        i.mode = j.value("mode").toString();
        i.reason = j.value("reason").toString();
        i.target = j.value("target").toString();
        if (i.target.isEmpty()) i.target = target;
        i.reverse = j.value("reverse").toBool();
        if (j.value("gap_s").isDouble()) i.gapS = j.value("gap_s").toDouble();
        i.startedS = j.value("started").toDouble(), i.finishedS = j.value("finished").toDouble();
        if (const Item* old = before.value(i.id)) {
            i.thumbnail = old->thumbnail;
            // A picture from a VMS the camera has since left is not shown as proof.
            if (targetProvedIt(i) && old->target == i.target) i.vmsView = old->vmsView, i.vmsViewNote = old->vmsViewNote;
        }
        fresh.push_back(std::move(i));
    }
    m_source = source;
    m_planPaused = planPaused;
    bool sameRows = fresh.size() == m_items.size();
    for (int r = 0; sameRows && r < fresh.size(); ++r) sameRows = fresh[r].id == m_items[r].id;
    if (sameRows) {  // keep the rows (and the page's focus on one of them); refresh what they show
        m_items = std::move(fresh);
        if (!m_items.isEmpty()) emit dataChanged(index(0), index(int(m_items.size()) - 1));
        return;
    }
    beginResetModel();
    m_items = std::move(fresh);
    endResetModel();
}

void RunModel::setThumbnail(const QString& id, const QImage& image) {
    for (int r = 0; r < m_items.size(); ++r)
        if (m_items[r].id == id && image.cacheKey() != m_items[r].thumbnail.cacheKey()) {
            m_items[r].thumbnail = image;
            emit dataChanged(index(r), index(r), {ThumbnailRole});
        }
}

bool RunModel::targetProvedIt(const Item& i) {
    if (i.reverse) return false;
    if (is(i.state, "committed")) return true;
    return (is(i.state, "running") || is(i.state, "paused")) && shownIndex(i.step) > shownIndex(QStringLiteral("verify"));
}

void RunModel::setVmsView(const QString& id, const QImage& image, const QString& note) {
    for (int r = 0; r < m_items.size(); ++r) {
        Item& i = m_items[r];
        if (i.id != id || !targetProvedIt(i)) continue;
        if (!image.isNull()) i.vmsView = image;
        i.vmsViewNote = note;
        emit dataChanged(index(r), index(r), {VmsViewRole, VmsViewNoteRole});
    }
}

QString RunModel::stateText(const Item& i) const {
    const QString& s = i.state;
    if (is(s, "pending")) return tr("Waiting");
    if (is(s, "running") && m_planPaused) return tr("Plan paused");
    if (is(s, "running")) return i.reverse ? tr("Moving back") : tr("Moving");
    if (is(s, "paused")) return tr("Paused");
    if (is(s, "committed")) return i.reverse ? tr("Moved back") : tr("Moved");
    if (is(s, "rolling-back")) return tr("Rolling back");
    if (is(s, "rolled-back")) return tr("Rolled back");
    if (is(s, "skipped")) return tr("Skipped");
    if (is(s, "failed")) return tr("Failed");
    return s;
}

QString RunModel::gapText(double gapS) {
    if (std::isnan(gapS)) return {};
    if (gapS <= 0) return tr("No gap: both VMSs recorded for %1 s").arg(QString::number(-gapS, 'f', 1));
    return tr("Gap in recording: %1 s").arg(QString::number(gapS, 'f', 1));
}

QVariantList RunModel::steps(const Item& i) const {
    const int at = shownIndex(i.step);
    const QString& s = i.state;
    QVariantList out;
    for (int k = 0; k < kShownSteps.size(); ++k) {
        QString status = QStringLiteral("waiting");
        if (is(s, "committed")) status = QStringLiteral("done");
        else if (is(s, "rolling-back") || is(s, "rolled-back")) status = QStringLiteral("undone");
        else if (at >= 0 && k < at) status = QStringLiteral("done");
        else if (at >= 0 && k == at)
            status = is(s, "running") && !m_planPaused ? QStringLiteral("now") : is(s, "failed") ? QStringLiteral("failed")
                   : is(s, "paused") || is(s, "running") ? QStringLiteral("paused") : QStringLiteral("waiting");
        out << QVariantMap{{QStringLiteral("name"), kShownSteps[k]}, {QStringLiteral("status"), status}};
    }
    return out;
}

QString RunModel::advice(const Item& i) const {
    const QString& s = i.state;
    const QString why = i.reason.isEmpty() ? QString() : i.reason + QStringLiteral(". ");
    if (is(s, "rolling-back")) return why + tr("The camera is being put back in %1.").arg(m_source);
    if (is(s, "rolled-back")) return why + tr("It records in %1 again. Retry when the cause is fixed, or leave it there.").arg(m_source);
    if (is(s, "failed")) return why + tr("Nothing was left half-done. Retry when the cause is fixed, or Skip it.");
    if (is(s, "paused")) return why + tr("Resume to go on from this step, or Skip to leave the camera where it was.");
    if (is(s, "running") && m_planPaused) return tr("The whole plan is paused; Resume plan goes on from this step.");
    if (is(s, "skipped")) return why + tr("It stays in %1; Retry to move it after all.").arg(m_source);
    return i.reason;
}

}  // namespace appliance::console
