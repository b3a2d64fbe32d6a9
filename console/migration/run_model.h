// SPDX-License-Identifier: GPL-2.0-or-later
// The wizard's run and finish pages: one row per camera of the plan, from camera-migratord's
// `status`, with its steps (preflight, attach, verify, detach, commit) as done / now / waiting,
// its state and reason in sentences with what to do, the recording gap, and which controls apply
// now (the same rules camera-migratord enforces, so a button is never offered to be refused).
// Context: GUI thread.
#pragma once

#include <QAbstractListModel>
#include <QImage>
#include <QJsonArray>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

namespace appliance::console {

class RunModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by MigrationController")
public:
    enum Role {
        IdRole = Qt::UserRole + 1, NameRole, StateRole, StateTextRole, StepsRole, ModeRole, AdviceRole, GapRole, TargetRole,
        ReverseRole, CanPauseRole, CanResumeRole, CanSkipRole, CanRetryRole, CanRollbackRole, ThumbnailRole, DurationRole
    };
    struct Item {
        QString id, name, state, step, mode, reason, target;
        bool reverse = false;
        double gapS = qQNaN();
        double startedS = 0, finishedS = 0;
        QImage thumbnail;
    };
    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_items.size()); }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// A `status` answer's items; `source` names where a rolled-back camera records again; a
    /// camera the engine is on while the whole plan is paused shows as paused with it.
    void update(const QJsonArray& items, const QString& source, bool planPaused);
    void setThumbnail(const QString& id, const QImage& image);
    const QList<Item>& items() const { return m_items; }

    QString stateText(const Item& item) const;
    /// The gap in words: a negative gap is an overlap (both VMSs recorded for that long).
    static QString gapText(double gapS);

private:
    QVariantList steps(const Item& item) const;
    QString advice(const Item& item) const;
    QList<Item> m_items;
    QString m_source;
    bool m_planPaused = false;
};

}  // namespace appliance::console
