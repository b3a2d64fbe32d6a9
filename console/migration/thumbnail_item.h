// SPDX-License-Identifier: GPL-2.0-or-later
// A camera's thumbnail in QML, from the QImage a model already decoded (snapshots arrive as data
// over the admin socket, not as URLs an Image element could fetch). Context: GUI thread.
#pragma once

#include <QImage>
#include <QQuickPaintedItem>
#include <QtQml/qqmlregistration.h>

namespace appliance::console {

class ThumbnailItem : public QQuickPaintedItem {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QImage image READ image WRITE setImage NOTIFY imageChanged)
    Q_PROPERTY(bool hasImage READ hasImage NOTIFY imageChanged)
public:
    explicit ThumbnailItem(QQuickItem* parent = nullptr) : QQuickPaintedItem(parent) {}
    QImage image() const { return m_image; }
    void setImage(const QImage& image);
    bool hasImage() const { return !m_image.isNull(); }
    void paint(QPainter* painter) override;

signals:
    void imageChanged();

private:
    QImage m_image;
};

}  // namespace appliance::console
