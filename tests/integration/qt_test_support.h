// SPDX-License-Identifier: GPL-2.0-or-later
// What the Qt tests (tray, console) share: waiting while Qt's event loop runs, finding an item in
// the visual tree by objectName, and a main() that renders offscreen in software.
#pragma once

#include <chrono>
#include <functional>

#include <QCoreApplication>
#include <QGuiApplication>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <gtest/gtest.h>

namespace appliance::test {

/// Runs the Qt event loop until `pred` holds or `timeout` passes.
inline bool spinUntil(const std::function<bool()>& pred, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred()) return true;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QTest::qWait(20);
    }
    return pred();
}

/// Delegates live in the visual item tree (their QObject parent is not the view): search that.
inline QQuickItem* findItem(QQuickItem* item, const QString& objectName) {
    if (item->objectName() == objectName) return item;
    for (QQuickItem* child : item->childItems())
        if (QQuickItem* found = findItem(child, objectName)) return found;
    return nullptr;
}

/// Clicks the middle of `item` as a person would, through the window's event delivery. A person
/// sees the item laid out first: a control that was just shown (a tab of a TabBar) can still be
/// half a pixel wide until the next polish, so wait for its layout to settle.
inline void clickItem(QQuickWindow* window, QQuickItem* item) {
    QRectF last;
    spinUntil([&] {
        const QRectF now = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
        const bool settled = now == last && now.width() >= 2 && now.height() >= 2;
        last = now;
        return settled;
    }, std::chrono::seconds(5));
    QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(window, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
}

/// main() for a Qt test program: offscreen, software-rendered unless the environment says otherwise.
inline int runQtTests(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND")) qputenv("QT_QUICK_BACKEND", "software");
    QGuiApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}

}  // namespace appliance::test
