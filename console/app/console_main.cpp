// SPDX-License-Identifier: GPL-2.0-or-later
// appliance-console: the kiosk (Main.qml of the AppliancesConsole module).
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QScreen>
#include <QtQml/QQmlExtensionPlugin>
#include <cstdio>

Q_IMPORT_QML_PLUGIN(AppliancesConsolePlugin)

int main(int argc, char** argv) {
    QString adminSocket = QStringLiteral("/run/appliance/admin.sock");
    QString migratorSocket = QStringLiteral("/run/camera-migrator/admin.sock");
    bool windowed = false;
    for (int i = 1; i < argc; ++i) {
        if (QLatin1String(argv[i]) == QLatin1String("--windowed")) windowed = true;
        else if (QLatin1String(argv[i]) == QLatin1String("--admin-socket") && i + 1 < argc) adminSocket = QString::fromLocal8Bit(argv[++i]);
        else if (QLatin1String(argv[i]) == QLatin1String("--migrator-socket") && i + 1 < argc)
            migratorSocket = QString::fromLocal8Bit(argv[++i]);
        else {
            std::fprintf(stderr, "usage: appliance-console [--admin-socket PATH] [--migrator-socket PATH] [--windowed]\n"
                                 "  (defaults /run/appliance/admin.sock and /run/camera-migrator/admin.sock)\n");
            return QLatin1String(argv[i]) == QLatin1String("--help") ? 0 : 64;
        }
    }
    QGuiApplication app(argc, argv);
    QQmlApplicationEngine engine;
    QObject::connect(&engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(70); },
                     Qt::QueuedConnection);
    engine.setInitialProperties({{QStringLiteral("adminSocket"), adminSocket}, {QStringLiteral("migratorSocket"), migratorSocket}});
    // Qt 6.4 (Debian 12) has no loadFromModule(); the module's files live at this resource path.
    engine.load(QUrl(QStringLiteral("qrc:/AppliancesConsole/qml/Main.qml")));
    if (engine.rootObjects().isEmpty()) return 70;
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    if (window && !windowed) {
        // A kiosk covers its whole screen: full screen where a window manager honours it, and the
        // screen's geometry set directly where none runs (Xvfb, a bare X server), which would
        // otherwise leave the window at the size the page asked for.
        window->setGeometry(window->screen()->geometry());
        window->showFullScreen();
    }
    return app.exec();
}
