// SPDX-License-Identifier: GPL-2.0-or-later
// The finish page's report of a plan: every camera with what happened to it, as JSON (for tools)
// and CSV (for a spreadsheet). Camera names come from cameras: in CSV a cell that a spreadsheet
// would run as a formula is written as text. Plain data, no I/O.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include "run_model.h"

namespace appliance::console {

struct MigrationReport {
    qint64 plan = 0;
    QString source, target, state;
    QList<RunModel::Item> items;

    QByteArray json() const;
    QByteArray csv() const;
};

}  // namespace appliance::console
