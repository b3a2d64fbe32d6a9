// SPDX-License-Identifier: GPL-2.0-or-later
#include "thumbnail_item.h"

#include <QPainter>

namespace appliance::console {

void ThumbnailItem::setImage(const QImage& image) {
    if (image.cacheKey() == m_image.cacheKey()) return;
    m_image = image;
    emit imageChanged();
    update();
}

void ThumbnailItem::paint(QPainter* painter) {
    painter->fillRect(boundingRect(), QColor(0x10, 0x12, 0x16));
    if (m_image.isNull()) return;
    // Letterboxed: the camera's aspect ratio is kept.
    const QSizeF size = QSizeF(m_image.size()).scaled(boundingRect().size(), Qt::KeepAspectRatio);
    const QRectF target((width() - size.width()) / 2, (height() - size.height()) / 2, size.width(), size.height());
    painter->setRenderHint(QPainter::SmoothPixmapTransform);
    painter->drawImage(target, m_image);
}

}  // namespace appliance::console
