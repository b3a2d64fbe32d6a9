// SPDX-License-Identifier: GPL-2.0-or-later
// A small line chart of recent samples (a guest's CPU or memory), newest on the right. Painted in
// C++ so a page of guests costs no JavaScript per sample. Context: GUI thread (paint: render thread
// with the threaded render loop, which QQuickPaintedItem synchronises).
#pragma once

#include <QColor>
#include <QQuickPaintedItem>
#include <QtQml/qqmlregistration.h>

namespace appliance::console {

class HistoryChart : public QQuickPaintedItem {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QList<qreal> values READ values WRITE setValues NOTIFY valuesChanged)
    /// The top of the scale at least; larger values shown raise it.
    Q_PROPERTY(qreal maximum READ maximum WRITE setMaximum NOTIFY maximumChanged)
    /// How many samples the width holds (fewer are drawn from the right edge).
    Q_PROPERTY(int capacity READ capacity WRITE setCapacity NOTIFY capacityChanged)
    Q_PROPERTY(QColor color READ color WRITE setColor NOTIFY colorChanged)
public:
    explicit HistoryChart(QQuickItem* parent = nullptr);
    QList<qreal> values() const { return m_values; }
    void setValues(const QList<qreal>& values);
    qreal maximum() const { return m_maximum; }
    void setMaximum(qreal maximum);
    int capacity() const { return m_capacity; }
    void setCapacity(int capacity);
    QColor color() const { return m_color; }
    void setColor(const QColor& color);
    void paint(QPainter* painter) override;

signals:
    void valuesChanged();
    void maximumChanged();
    void capacityChanged();
    void colorChanged();

private:
    QList<qreal> m_values;
    qreal m_maximum = 0;
    int m_capacity = 90;
    QColor m_color{0x4f, 0xc3, 0xf7};
};

}  // namespace appliance::console
