// SPDX-License-Identifier: GPL-2.0-or-later
#include "cameras_model.h"

#include <QBuffer>
#include <QDateTime>
#include <QHash>
#include <QImageReader>
#include <QJsonObject>
#include <algorithm>

namespace appliance::console {

namespace {

constexpr QSize kThumbnail{192, 108};
constexpr qsizetype kMaxSnapshotBase64 = 1 << 20;  // camera-migratord sends at most 512 KiB of JPEG
constexpr int kMaxSnapshotSide = 4096;             // a JPEG may declare any size: refuse huge ones

// A camera's picture is data: decoded as a JPEG only, its declared size checked before any pixel
// is allocated, and decoded straight to thumbnail size.
QImage decodeThumbnail(const QByteArray& jpeg) {
    QBuffer buffer;
    buffer.setData(jpeg);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer, "jpeg");
    reader.setDecideFormatFromContent(false);
    const QSize declared = reader.size();
    if (!declared.isValid() || declared.width() > kMaxSnapshotSide || declared.height() > kMaxSnapshotSide) return {};
    reader.setScaledSize(declared.scaled(kThumbnail, Qt::KeepAspectRatio));
    return reader.read();
}

}  // namespace

QImage snapshotThumbnail(const QJsonObject& answer) {
    const QString base64 = answer.value("jpeg").toString();
    if (base64.isEmpty() || base64.size() > kMaxSnapshotBase64) return {};
    return decodeThumbnail(QByteArray::fromBase64(base64.toLatin1()));
}

namespace {

// What reconciliation found, in the words of the page, and whether it needs the administrator.
std::pair<QString, bool> describe(const QString& state, const QJsonObject& camera, const QString& assignedTo) {
    if (state == QLatin1String("conflict")) return {QObject::tr("Conflict"), true};
    if (state == QLatin1String("changed-address")) return {QObject::tr("Changed address"), true};
    if (state == QLatin1String("missing")) return {QObject::tr("Missing from its VMS"), true};
    if (state == QLatin1String("unassigned")) return {QObject::tr("Unknown to any VMS"), true};
    if (state == QLatin1String("unknown")) return {QObject::tr("VMS not answering"), true};
    if (state == QLatin1String("moving")) return {QObject::tr("Moving"), false};
    for (const auto& r : camera.value("recorded_by").toArray()) {
        const QJsonObject in = r.toObject();
        if (in.value("vm").toString() == assignedTo)
            return in.value("recording").toBool() ? std::pair{QObject::tr("Recording"), false}
                                                  : std::pair{QObject::tr("Not receiving frames"), true};
    }
    return {assignedTo.isEmpty() ? QObject::tr("Unknown to any VMS") : QObject::tr("Not receiving frames"), true};
}

}  // namespace

QVariant CamerasModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_shown.size()) return {};
    const Camera& c = m_all[m_shown[index.row()]];
    switch (role) {
    case IdRole: return c.id;
    case NameRole: return c.name;
    case ModelRole: return c.model;
    case AddressRole: return c.address;
    case PreviousAddressRole: return c.previousAddress;
    case AssignedToRole: return c.assignedTo;
    case StateRole: return c.state;
    case StateTextRole: return c.stateText;
    case DetailRole: return c.detail;
    case ProblemRole: return c.problem;
    case ThumbnailRole: return c.thumbnail;
    case ThumbnailNoteRole: return c.thumbnailNote;
    default: return {};
    }
}

QHash<int, QByteArray> CamerasModel::roleNames() const {
    return {{IdRole, "cameraId"},         {NameRole, "name"},          {ModelRole, "cameraModel"},
            {AddressRole, "address"},     {PreviousAddressRole, "previousAddress"},
            {AssignedToRole, "assignedTo"}, {StateRole, "state"},      {StateTextRole, "stateText"},
            {DetailRole, "detail"},       {ProblemRole, "problem"},    {ThumbnailRole, "thumbnail"},
            {ThumbnailNoteRole, "thumbnailNote"}};
}

void CamerasModel::update(const QJsonArray& cameras) {
    // Pictures carry over by id through an index: a site's 1,000 cameras are not 1,000,000 compares.
    QHash<QString, const Camera*> before;
    before.reserve(m_all.size());
    for (const auto& c : m_all) before.insert(c.id, &c);
    QList<Camera> fresh;
    fresh.reserve(cameras.size());
    for (const auto& value : cameras) {
        const QJsonObject j = value.toObject();
        Camera c;
        c.id = j.value("id").toString();
        c.name = j.value("name").toString();
        c.model = QStringList{j.value("manufacturer").toString(), j.value("model").toString()}.join(' ').trimmed();
        c.address = j.value("address").toString();
        c.previousAddress = j.value("previous_address").toString();
        c.assignedTo = j.value("assigned_to").toString();
        c.state = j.value("state").toString();
        std::tie(c.stateText, c.problem) = describe(c.state, j, c.assignedTo);
        c.detail = j.value("detail").toString();
        if (const Camera* old = before.value(c.id)) c.thumbnail = old->thumbnail, c.thumbnailNote = old->thumbnailNote;
        fresh.push_back(std::move(c));
    }
    const bool countChanged = fresh.size() != m_all.size();
    m_all = std::move(fresh);
    relayout();
    if (countChanged) emit countsChanged();
}

void CamerasModel::setSnapshot(const QJsonObject& answer) {
    const QString id = answer.value("camera").toString();
    auto it = std::find_if(m_all.begin(), m_all.end(), [&](const Camera& c) { return c.id == id; });
    if (it == m_all.end()) return;
    if (QImage image = snapshotThumbnail(answer); !image.isNull()) it->thumbnail = image;
    const QString error = answer.value("error").toString();
    const auto taken = QDateTime::fromMSecsSinceEpoch(qint64(answer.value("taken").toDouble() * 1000));
    it->thumbnailNote = !error.isEmpty() ? error
                        : it->thumbnail.isNull() ? tr("Waiting for a picture…")
                                                 : tr("Taken %1").arg(taken.toString(QStringLiteral("HH:mm:ss")));
    const int row = int(m_shown.indexOf(int(it - m_all.begin())));
    if (row >= 0) emit dataChanged(index(row), index(row), {ThumbnailRole, ThumbnailNoteRole});
}

QStringList CamerasModel::ids() const {
    QStringList out;
    for (const auto& c : m_all) out << c.id;
    return out;
}

const CamerasModel::Camera* CamerasModel::find(const QString& id) const {
    for (const auto& c : m_all)
        if (c.id == id) return &c;
    return nullptr;
}

void CamerasModel::setFilter(const QString& f) {
    if (f == m_filter) return;
    m_filter = f;
    relayout();
    emit viewChanged();
}

void CamerasModel::setSortBy(const QString& key) {
    if (key == m_sortBy) return;
    m_sortBy = key;
    relayout();
    emit viewChanged();
}

void CamerasModel::relayout() {
    QList<int> shown;
    for (int i = 0; i < m_all.size(); ++i) {
        const Camera& c = m_all[i];
        if (m_filter.isEmpty() || c.name.contains(m_filter, Qt::CaseInsensitive) || c.address.contains(m_filter) ||
            c.assignedTo.contains(m_filter, Qt::CaseInsensitive) || c.stateText.contains(m_filter, Qt::CaseInsensitive) ||
            c.model.contains(m_filter, Qt::CaseInsensitive))
            shown << i;
    }
    auto key = [this](const Camera& c) {
        if (m_sortBy == QLatin1String("state")) return QStringList{c.problem ? "0" : "1", c.stateText, c.name};
        if (m_sortBy == QLatin1String("vms")) return QStringList{c.assignedTo, c.name};
        if (m_sortBy == QLatin1String("address")) return QStringList{c.address, c.name};
        return QStringList{c.name, c.id};
    };
    std::stable_sort(shown.begin(), shown.end(), [&](int a, int b) {
        const QStringList ka = key(m_all[a]), kb = key(m_all[b]);
        for (int i = 0; i < ka.size(); ++i)
            if (int d = QString::localeAwareCompare(ka[i], kb[i])) return d < 0;
        return false;
    });
    if (shown == m_shown) {  // the same rows: refresh their data and keep the page's current row
        if (!m_shown.isEmpty()) emit dataChanged(index(0), index(int(m_shown.size()) - 1));
        return;
    }
    beginResetModel();
    m_shown = std::move(shown);
    endResetModel();
}

}  // namespace appliance::console
