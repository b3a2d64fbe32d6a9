// SPDX-License-Identifier: GPL-2.0-or-later
// A guest's display as a Qt Quick item: keeps a live VNC session to the guest whether or not it is
// shown, so a switch never waits for a connection; paints the latest frame scaled to fit with its
// aspect ratio kept.
#pragma once

#include <QQuickPaintedItem>
#include <QtQml/qqmlregistration.h>
#include <QHash>
#include <memory>

#include "vnc_session.h"

namespace appliance::console {

class VmDisplay : public QQuickPaintedItem {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString socketPath READ socketPath WRITE setSocketPath NOTIFY socketPathChanged)
    Q_PROPERTY(bool hasFrame READ hasFrame NOTIFY hasFrameChanged)
    Q_PROPERTY(bool connected READ connected NOTIFY connectedChanged)
public:
    explicit VmDisplay(QQuickItem* parent = nullptr);
    QString socketPath() const { return m_socketPath; }
    void setSocketPath(const QString& path);
    bool hasFrame() const { return m_frameSize.isValid(); }
    bool connected() const { return m_session && m_session->connected(); }
    void paint(QPainter* painter) override;

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void hoverMoveEvent(QHoverEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void itemChange(ItemChange change, const ItemChangeData& value) override;

signals:
    void socketPathChanged();
    void hasFrameChanged();
    void connectedChanged();

private:
    QString m_socketPath;
    std::unique_ptr<VncSession> m_session;
    uint64_t m_sessionGeneration = 0;  ///< which session a queued frame notice belongs to
    QRectF frameRect() const;  ///< where the frame is drawn, aspect ratio kept
    QPoint toGuest(QPointF itemPos) const;
    void sendPointer(QPointF itemPos, int buttons);
    void releaseEverything();  ///< keys and buttons held when this display stops being shown
    QSize m_frameSize;  ///< of the session's frame (which the session owns and paint() draws)
    QHash<int, std::uint32_t> m_heldKeys;  ///< Qt key -> the keysym sent when it went down
    int m_buttons = 0;
    QPoint m_lastGuestPos;
};

}  // namespace appliance::console
