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
        ReverseRole, CanPauseRole, CanResumeRole, CanSkipRole, CanRetryRole, CanRollbackRole, ThumbnailRole, DurationRole,
        VmsViewRole, VmsViewNoteRole
    };
    struct Item {
        QString id, name, state, step, mode, reason;
        QString target;  ///< where the camera goes (the plan's target unless the item names another)
        bool reverse = false;
        double gapS = qQNaN();
        double startedS = 0, finishedS = 0;
        QImage thumbnail;  ///< the camera's own picture
        QImage vmsView;    ///< the target VMS's picture of it, once the target has proved it records it
        QString vmsViewNote;
    };
    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_items.size()); }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// A `status` answer's items; `source` names where a rolled-back camera records again; a
    /// camera the engine is on while the whole plan is paused shows as paused with it.
    void update(const QJsonArray& items, const QString& source, const QString& target, bool planPaused);
    void setThumbnail(const QString& id, const QImage& image);
    /// Whether the row shows the target VMS's own picture: the target recorded the camera's new
    /// frames (verify passed) and the camera was not put back since.
    static bool targetProvedIt(const Item& item);
    /// The target VMS's picture (null: keep the last) with a line saying what it is or why not.
    void setVmsView(const QString& id, const QImage& image, const QString& note);
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
