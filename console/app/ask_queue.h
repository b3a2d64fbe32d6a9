// SPDX-License-Identifier: GPL-2.0-or-later
// Guests' requests the policy leaves to the operator, as applianced announces them: one per guest,
// the oldest shown first. The operator's click decides the ask it shows, named by id, and only
// once the ask has been on screen for a moment: a newer ask that replaces the shown one cannot
// slip under a click aimed at the old one. Context: GUI thread.
#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

namespace appliance::console {

struct Ask {
    int id = 0;
    QString by;      ///< the asking VM (never markup: shown as plain text)
    QString target;
    bool replacesEarlier = false;
};

class AskQueue : public QObject {
    Q_OBJECT
public:
    /// How long a newly shown ask is on screen before a click can decide it.
    static constexpr int kArmDelayMs = 700;
    explicit AskQueue(QObject* parent = nullptr);

    /// The ask shown now (id 0: none).
    Ask shown() const { return m_asks.isEmpty() ? Ask{} : m_asks.front(); }
    bool armed() const { return m_armed; }
    void add(const Ask& ask);
    void remove(int id);
    void clear();
    /// True if `id` is the ask on screen and the operator may decide it now.
    bool decidable(int id) const { return m_armed && !m_asks.isEmpty() && m_asks.front().id == id; }

signals:
    void changed();

private:
    void showFront(int previousId);
    QList<Ask> m_asks;
    QTimer m_arm;
    bool m_armed = false;
};

}  // namespace appliance::console
