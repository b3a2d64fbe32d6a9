// SPDX-License-Identifier: GPL-2.0-or-later
// appliance-console: the kiosk (Main.qml of the AppliancesConsole module).
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QtQml/QQmlExtensionPlugin>
#include <cstdio>

Q_IMPORT_QML_PLUGIN(AppliancesConsolePlugin)

int main(int argc, char** argv) {
    QString adminSocket = QStringLiteral("/run/appliance/admin.sock");
    for (int i = 1; i < argc; ++i) {
        if (QLatin1String(argv[i]) == QLatin1String("--admin-socket") && i + 1 < argc) adminSocket = QString::fromLocal8Bit(argv[++i]);
        else {
            std::fprintf(stderr, "usage: appliance-console [--admin-socket PATH]   (default /run/appliance/admin.sock)\n");
            return QLatin1String(argv[i]) == QLatin1String("--help") ? 0 : 64;
        }
    }
    QGuiApplication app(argc, argv);
    QQmlApplicationEngine engine;
    QObject::connect(&engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(70); },
                     Qt::QueuedConnection);
    engine.setInitialProperties({{QStringLiteral("adminSocket"), adminSocket}});
    // Qt 6.4 (Debian 12) has no loadFromModule(); the module's files live at this resource path.
    engine.load(QUrl(QStringLiteral("qrc:/AppliancesConsole/qml/Main.qml")));
    if (engine.rootObjects().isEmpty()) return 70;
    return app.exec();
}
