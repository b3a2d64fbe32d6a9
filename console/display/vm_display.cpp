// SPDX-License-Identifier: GPL-2.0-or-later
#include "vm_display.h"

#include <QPainter>
#include <algorithm>

#include "keysyms.h"

namespace appliance::console {

VmDisplay::VmDisplay(QQuickItem* parent) : QQuickPaintedItem(parent) {
    setFillColor(Qt::black);
    setAcceptedMouseButtons(Qt::AllButtons);
    setAcceptHoverEvents(true);
}

void VmDisplay::setSocketPath(const QString& path) {
    if (path == m_socketPath) return;
    m_socketPath = path;
    m_session.reset();
    ++m_sessionGeneration;
    if (m_frameSize.isValid()) {  // a new session starts without a picture
        m_frameSize = QSize();
        emit hasFrameChanged();
        update();
    }
    if (!path.isEmpty()) {
        m_session = std::make_unique<VncSession>(path.toStdString());
        // Queued: it may run after this session was replaced or reset; then it does nothing.
        connect(m_session.get(), &VncSession::frameReady, this, [this, generation = m_sessionGeneration] {
            if (generation != m_sessionGeneration || !m_session) return;
            const bool first = !m_frameSize.isValid();
            const QSize before = m_frameSize;
            QRect changed;
            m_frameSize = m_session->takeChanged(&changed);
            if (first && m_frameSize.isValid()) emit hasFrameChanged();
            // Repaint only what changed (a blinking cursor is a few pixels, not a scaled full
            // frame); a new size repaints everything.
            if (first || m_frameSize != before || !changed.isValid()) return update();
            const QRectF target = frameRect();
            const double sx = target.width() / m_frameSize.width(), sy = target.height() / m_frameSize.height();
            update(QRectF(target.x() + changed.x() * sx, target.y() + changed.y() * sy, changed.width() * sx,
                          changed.height() * sy).adjusted(-2, -2, 2, 2).toAlignedRect());
        }, Qt::QueuedConnection);
        connect(m_session.get(), &VncSession::connectedChanged, this, &VmDisplay::connectedChanged, Qt::QueuedConnection);
    }
    emit socketPathChanged();
}

QRectF VmDisplay::frameRect() const {
    if (!m_frameSize.isValid()) return {};
    QSizeF scaled = QSizeF(m_frameSize).scaled(size(), Qt::KeepAspectRatio);
    return {(width() - scaled.width()) / 2, (height() - scaled.height()) / 2, scaled.width(), scaled.height()};
}

void VmDisplay::paint(QPainter* painter) {
    // Runs while the GUI thread waits (the scene graph's sync), so m_session and m_frameSize hold
    // still; the session's own lock covers its frame. A frame of a new size not yet announced by
    // frameReady is not stretched into the old rectangle: the notice on its way repaints it all.
    if (m_session && m_frameSize.isValid()) (void)m_session->paint(painter, frameRect(), m_frameSize);
}

QPoint VmDisplay::toGuest(QPointF p) const {
    QRectF r = frameRect();
    if (r.isEmpty()) return {};
    int x = int((p.x() - r.x()) * m_frameSize.width() / r.width());
    int y = int((p.y() - r.y()) * m_frameSize.height() / r.height());
    return {std::clamp(x, 0, m_frameSize.width() - 1), std::clamp(y, 0, m_frameSize.height() - 1)};
}

void VmDisplay::sendPointer(QPointF itemPos, int buttons) {
    if (!m_session || !m_frameSize.isValid()) return;
    m_lastGuestPos = toGuest(itemPos);
    m_buttons = buttons;
    m_session->sendPointer(m_lastGuestPos.x(), m_lastGuestPos.y(), buttons);
}

namespace {
int vncButtons(Qt::MouseButtons b) {
    return (b & Qt::LeftButton ? 1 : 0) | (b & Qt::MiddleButton ? 2 : 0) | (b & Qt::RightButton ? 4 : 0);
}
}  // namespace

void VmDisplay::keyPressEvent(QKeyEvent* event) {
    std::uint32_t sym = keysymFor(*event);
    if (!m_session || !sym) return QQuickPaintedItem::keyPressEvent(event);
    if (!event->isAutoRepeat()) m_heldKeys.insert(event->key(), sym);
    m_session->sendKey(m_heldKeys.value(event->key(), sym), true);
    event->accept();
}

void VmDisplay::keyReleaseEvent(QKeyEvent* event) {
    if (event->isAutoRepeat()) return event->accept();
    auto it = m_heldKeys.find(event->key());
    if (!m_session || it == m_heldKeys.end()) return QQuickPaintedItem::keyReleaseEvent(event);
    m_session->sendKey(*it, false);
    m_heldKeys.erase(it);
    event->accept();
}

void VmDisplay::mousePressEvent(QMouseEvent* event) {
    forceActiveFocus();
    sendPointer(event->position(), vncButtons(event->buttons()));
    event->accept();
}

void VmDisplay::mouseReleaseEvent(QMouseEvent* event) { sendPointer(event->position(), vncButtons(event->buttons())); }
void VmDisplay::mouseMoveEvent(QMouseEvent* event) { sendPointer(event->position(), vncButtons(event->buttons())); }
void VmDisplay::hoverMoveEvent(QHoverEvent* event) { sendPointer(event->position(), m_buttons); }

void VmDisplay::wheelEvent(QWheelEvent* event) {
    if (!m_session || !m_frameSize.isValid()) return;
    int wheel = event->angleDelta().y() > 0 ? 8 : 16;  // VNC buttons 4 and 5: a press and a release
    QPoint p = toGuest(event->position());
    m_session->sendPointer(p.x(), p.y(), m_buttons | wheel);
    m_session->sendPointer(p.x(), p.y(), m_buttons);
    event->accept();
}

void VmDisplay::releaseEverything() {
    if (!m_session) return;
    for (std::uint32_t sym : std::as_const(m_heldKeys)) m_session->sendKey(sym, false);
    m_heldKeys.clear();
    if (m_buttons) m_session->sendPointer(m_lastGuestPos.x(), m_lastGuestPos.y(), 0);
    m_buttons = 0;
}

void VmDisplay::itemChange(ItemChange change, const ItemChangeData& value) {
    // Leaving a guest: whatever is held down there is let go, or it would stay pressed.
    if ((change == ItemVisibleHasChanged && !value.boolValue) || (change == ItemActiveFocusHasChanged && !value.boolValue))
        releaseEverything();
    QQuickPaintedItem::itemChange(change, value);
}

}  // namespace appliance::console
