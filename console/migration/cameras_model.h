// SPDX-License-Identifier: GPL-2.0-or-later
// The wizard's cameras page: every camera camera-migratord knows, with the VMS that records it,
// what reconciliation found (recording, not receiving frames, unknown to any VMS, conflict,
// changed address) and its latest snapshot. Filtered by a text and sorted by a column here, so
// the page stays a plain list. Context: GUI thread.
#pragma once

#include <QAbstractListModel>
#include <QImage>
#include <QJsonArray>
#include <QtQml/qqmlregistration.h>

namespace appliance::console {

/// The picture of a `camera.snapshot` answer as a thumbnail, or a null image when it has none or
/// it is not a JPEG of sane dimensions (pictures come from cameras and guests: they are data).
QImage snapshotThumbnail(const QJsonObject& answer);

class CamerasModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by MigrationController")
    Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY viewChanged)
    /// "name", "state", "vms" or "address".
    Q_PROPERTY(QString sortBy READ sortBy WRITE setSortBy NOTIFY viewChanged)
    Q_PROPERTY(int total READ total NOTIFY countsChanged)
public:
    enum Role {
        IdRole = Qt::UserRole + 1, NameRole, ModelRole, AddressRole, PreviousAddressRole, AssignedToRole, StateRole,
        StateTextRole, DetailRole, ProblemRole, ThumbnailRole, ThumbnailNoteRole
    };
    struct Camera {
        QString id, name, model, address, previousAddress, assignedTo, state, stateText, detail;
        bool problem = false;
        QImage thumbnail;
        QString thumbnailNote;  ///< when it was taken, or why there is none
    };
    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_shown.size()); }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// Replaces the cameras with camera-migratord's `cameras` answer (thumbnails are kept).
    void update(const QJsonArray& cameras);
    /// A `camera.snapshot` answer: decoded here, scaled to a thumbnail.
    void setSnapshot(const QJsonObject& answer);
    QStringList ids() const;
    const Camera* find(const QString& id) const;

    QString filter() const { return m_filter; }
    void setFilter(const QString& f);
    QString sortBy() const { return m_sortBy; }
    void setSortBy(const QString& key);
    int total() const { return int(m_all.size()); }

signals:
    void viewChanged();
    void countsChanged();

private:
    void relayout();
    QList<Camera> m_all;
    QList<int> m_shown;  ///< indexes into m_all, filtered and sorted
    QString m_filter, m_sortBy = QStringLiteral("name");
};

}  // namespace appliance::console
