// SPDX-License-Identifier: GPL-2.0-or-later
// vms-agent-tray: a tray icon whose click opens the picker (Main.qml of the VmsAgentTray module).
// Where the desktop has no tray (a kiosk, Xvfb), the picker is shown directly.
#include <QApplication>
#include <QIcon>
#include <QMenu>
#include <QPainter>
#include <QPixmap>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QSystemTrayIcon>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(VmsAgentTrayPlugin)

namespace {
QIcon trayIcon() {
    QPixmap pm(64, 64);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(QColor("#2e6b3f"));
    p.setPen(Qt::NoPen);
    p.drawRoundedRect(4, 10, 56, 40, 6, 6);
    p.setBrush(QColor("#e8eaed"));
    p.drawRect(26, 50, 12, 6);
    return QIcon(pm);
}
}  // namespace

int main(int argc, char** argv) {
    // Arguments first: a usage error should not need a display.
    QString socketPath = QStringLiteral("/run/vms-agent.sock");
    for (int i = 1; i < argc; ++i) {
        if (QLatin1String(argv[i]) == QLatin1String("--socket") && i + 1 < argc) socketPath = QString::fromLocal8Bit(argv[++i]);
        else {
            fprintf(stderr, "usage: vms-agent-tray [--socket PATH]   (default /run/vms-agent.sock)\n");
            return QLatin1String(argv[i]) == QLatin1String("--help") ? 0 : 64;
        }
    }
    QApplication app(argc, argv);
    app.setApplicationName("vms-agent-tray");
    app.setQuitOnLastWindowClosed(false);
    QQmlApplicationEngine engine;
    engine.setInitialProperties({{QStringLiteral("socketPath"), socketPath}});
    QObject::connect(&engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(70); },
                     Qt::QueuedConnection);
    // Qt 6.4 (Debian 12) has no loadFromModule(); the module's files live at this resource path.
    engine.load(QUrl(QStringLiteral("qrc:/VmsAgentTray/tray/qml/Main.qml")));
    if (engine.rootObjects().isEmpty()) return 70;
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());

    QSystemTrayIcon tray(trayIcon());
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        window->hide();
        QMenu menu;
        menu.addAction(QObject::tr("Switch display…"), window, [window] { window->show(); window->raise(); });
        menu.addAction(QObject::tr("Quit"), &app, &QCoreApplication::quit);
        tray.setContextMenu(&menu);
        tray.setToolTip(QObject::tr("Switch which VM has the display"));
        QObject::connect(&tray, &QSystemTrayIcon::activated, window, [window](QSystemTrayIcon::ActivationReason) {
            window->setVisible(!window->isVisible());
            window->raise();
        });
        tray.show();
        return app.exec();
    }
    QObject::connect(window, &QQuickWindow::visibleChanged, &app, [window] { if (!window->isVisible()) QCoreApplication::quit(); });
    return app.exec();
}
