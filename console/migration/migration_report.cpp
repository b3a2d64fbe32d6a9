// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration_report.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

namespace appliance::console {

namespace {

QJsonValue timeOrNull(double s) {
    return s > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(qint64(s * 1000)).toUTC().toString(Qt::ISODate)) : QJsonValue();
}

QString csvCell(QString text) {
    // A leading = + - @ (or tab / CR) makes spreadsheets evaluate the cell: keep it text.
    // A number (a negative gap) stays a number.
    bool number = false;
    (void)text.toDouble(&number);
    if (!number && !text.isEmpty() && QStringLiteral("=+-@\t\r").contains(text.front())) text.prepend(QLatin1Char('\''));
    if (text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"')) || text.contains(QLatin1Char('\n')) ||
        text.contains(QLatin1Char('\r')))
        return QLatin1Char('"') + text.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
    return text;
}

}  // namespace

QByteArray MigrationReport::json() const {
    QJsonArray cameras;
    for (const auto& i : items)
        cameras.append(QJsonObject{{"camera", i.id},
                                   {"name", i.name},
                                   {"state", i.state},
                                   {"target", i.target.isEmpty() ? target : i.target},
                                   {"mode", i.mode},
                                   {"gap_s", std::isnan(i.gapS) ? QJsonValue() : QJsonValue(i.gapS)},
                                   {"started", timeOrNull(i.startedS)},
                                   {"finished", timeOrNull(i.finishedS)},
                                   {"reason", i.reason},
                                   {"moved_back", i.reverse}});
    const QJsonObject doc{{"plan", plan},   {"source", source}, {"target", target}, {"state", state},
                          {"exported", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}, {"cameras", cameras}};
    return QJsonDocument(doc).toJson(QJsonDocument::Indented);
}

QByteArray MigrationReport::csv() const {
    QString out = QStringLiteral("camera,name,state,target,mode,gap_s,started,finished,reason\r\n");
    for (const auto& i : items) {
        const QStringList cells{i.id,   i.name, i.state, i.target.isEmpty() ? target : i.target, i.mode,
                                std::isnan(i.gapS) ? QString() : QString::number(i.gapS, 'f', 1),
                                timeOrNull(i.startedS).toString(), timeOrNull(i.finishedS).toString(), i.reason};
        QStringList escaped;
        for (const auto& c : cells) escaped << csvCell(c);
        out += escaped.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    }
    return out.toUtf8();
}

}  // namespace appliance::console
