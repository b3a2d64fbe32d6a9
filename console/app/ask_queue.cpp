// SPDX-License-Identifier: GPL-2.0-or-later
#include "ask_queue.h"

namespace appliance::console {

AskQueue::AskQueue(QObject* parent) : QObject(parent) {
    m_arm.setSingleShot(true);
    m_arm.setInterval(kArmDelayMs);
    connect(&m_arm, &QTimer::timeout, this, [this] {
        m_armed = true;
        emit changed();
    });
}

void AskQueue::add(const Ask& ask) {
    int previous = shown().id;
    Ask a = ask;
    // applianced keeps one ask per guest and withdraws the older; mirror it at once.
    for (qsizetype i = 0; i < m_asks.size(); ++i)
        if (m_asks[i].by == a.by) {
            a.replacesEarlier = true;
            m_asks.removeAt(i);
            break;
        }
    m_asks.push_back(a);
    showFront(previous);
}

void AskQueue::remove(int id) {
    int previous = shown().id;
    for (qsizetype i = 0; i < m_asks.size(); ++i)
        if (m_asks[i].id == id) {
            m_asks.removeAt(i);
            break;
        }
    showFront(previous);
}

void AskQueue::clear() {
    int previous = shown().id;
    m_asks.clear();
    showFront(previous);
}

void AskQueue::showFront(int previousId) {
    if (shown().id != previousId) {
        m_armed = false;
        if (shown().id) m_arm.start();
        else m_arm.stop();
    }
    emit changed();
}

}  // namespace appliance::console
