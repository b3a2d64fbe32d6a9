// SPDX-License-Identifier: GPL-2.0-or-later
#include "history_chart.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace appliance::console {

HistoryChart::HistoryChart(QQuickItem* parent) : QQuickPaintedItem(parent) { setAntialiasing(true); }

void HistoryChart::setValues(const QList<qreal>& values) {
    m_values = values;
    emit valuesChanged();
    update();
}

void HistoryChart::setMaximum(qreal maximum) {
    if (maximum == m_maximum) return;
    m_maximum = maximum;
    emit maximumChanged();
    update();
}

void HistoryChart::setCapacity(int capacity) {
    capacity = std::max(2, capacity);
    if (capacity == m_capacity) return;
    m_capacity = capacity;
    emit capacityChanged();
    update();
}

void HistoryChart::setColor(const QColor& color) {
    if (color == m_color) return;
    m_color = color;
    emit colorChanged();
    update();
}

void HistoryChart::paint(QPainter* painter) {
    const QRectF area = boundingRect().adjusted(1, 1, -1, -1);
    painter->fillRect(boundingRect(), QColor(0, 0, 0, 60));
    if (m_values.size() < 2 || area.isEmpty()) return;
    const int shown = std::min<int>(int(m_values.size()), m_capacity);
    const auto first = m_values.end() - shown;
    // The maximum is a floor, not a clip: a value above it (QEMU's memory beyond the guest's size,
    // CPU above 100 % with several vCPUs) rescales the chart instead of running off its top.
    qreal top = std::max(m_maximum, *std::max_element(first, m_values.end()));
    if (top <= 0) top = 1;
    const qreal step = area.width() / (m_capacity - 1);
    const qreal left = area.right() - step * (shown - 1);
    QPainterPath line;
    for (int i = 0; i < shown; ++i) {
        const qreal v = std::clamp(*(first + i), qreal(0), top);
        const QPointF p(left + step * i, area.bottom() - v / top * area.height());
        if (i == 0) line.moveTo(p); else line.lineTo(p);
    }
    QPainterPath fill = line;
    fill.lineTo(area.right(), area.bottom());
    fill.lineTo(left, area.bottom());
    fill.closeSubpath();
    QColor under = m_color;
    under.setAlpha(70);
    painter->fillPath(fill, under);
    painter->setPen(QPen(m_color, 1.5));
    painter->drawPath(line);
}

}  // namespace appliance::console
