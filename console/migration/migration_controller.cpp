// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration_controller.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QQmlEngine>
#include <QSaveFile>
#include <QStandardPaths>

#include "migration_report.h"

namespace appliance::console {

namespace {
constexpr int kStatusPollMs = 2000;     // time so far moves on between events
constexpr int kSnapshotPollMs = 3000;   // camera-migratord refreshes a picture at most every 10 s
constexpr int kCamerasPollMs = 10000;   // VMS lists change rarely; events ask sooner
constexpr int kShutdownTimeoutS = 300;  // the legacy VMS guest's clean shutdown, before it is forced off
enum Page { CamerasPage = 0, PlanPage, RunPage, FinishPage };

// The line under the target VMS's picture of a camera: whose picture and when, or why there is none.
QString vmsViewNote(const QString& vm, const QJsonObject& m) {
    if (m.contains("error"))
        return QObject::tr("%1 shows no picture: %2").arg(vm, m.value("error").toObject().value("desc").toString());
    const QJsonObject r = m.value("return").toObject();
    if (!r.value("error").toString().isEmpty())
        return QObject::tr("%1 shows no picture: %2").arg(vm, r.value("error").toString());
    if (!r.value("taken").isDouble()) return QObject::tr("Asking %1 for its picture…").arg(vm);
    const auto taken = QDateTime::fromMSecsSinceEpoch(qint64(r.value("taken").toDouble() * 1000));
    return QObject::tr("As %1 records it, %2").arg(vm, taken.toString(QStringLiteral("HH:mm:ss")));
}

// Whether a picture round goes on after this answer: not when the connection is gone.
bool roundGoesOn(const QJsonObject& m) {
    return m.contains("return") || m.value("error").toObject().value("class").toString() != QLatin1String("Disconnected");
}
}  // namespace

MigrationController::MigrationController(qt::LineSocket& appliance, QObject* parent)
    : QObject(parent), m_appliance(appliance), m_cameras(this), m_draft(this), m_run(this) {
    for (QObject* o : std::initializer_list<QObject*>{&m_cameras, &m_draft, &m_run})
        QQmlEngine::setObjectOwnership(o, QQmlEngine::CppOwnership);
    // A changed choice or order is reviewed again before Start.
    connect(&m_draft, &PlanDraftModel::selectionChanged, this, &MigrationController::clearPreview);
    m_retry.setInterval(1000);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (!m_socketPath.isEmpty() && m_socket.isUnconnected()) m_socket.connectTo(m_socketPath);
    });
    m_retry.start();
    connect(&m_socket, &qt::LineSocket::connected, this, &MigrationController::onConnected);
    connect(&m_socket, &qt::LineSocket::disconnected, this, [this] {
        emit connectedChanged();
        say(tr("camera-migratord is not reachable; the wizard reconnects on its own and shows the plan where it is."));
    });
    connect(&m_socket, &qt::LineSocket::eventReceived, this, &MigrationController::onEvent);
    m_poll.setInterval(kStatusPollMs);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_planId && m_planState != QLatin1String("done")) refreshPlan();
        if (++m_ticks % (kCamerasPollMs / kStatusPollMs) == 0) refreshCameras();
    });
    m_poll.start();
    m_thumbnails.setInterval(kSnapshotPollMs);
    connect(&m_thumbnails, &QTimer::timeout, this, &MigrationController::fetchSnapshots);
    // Events come in bursts (a step's intent and outcome, the camera's row): one status for all.
    m_statusSoon.setSingleShot(true);
    m_statusSoon.setInterval(100);
    connect(&m_statusSoon, &QTimer::timeout, this, [this] {
        refreshPlan();
        refreshCameras();
    });
}

void MigrationController::setSocketPath(const QString& path) {
    if (path == m_socketPath) return;
    m_socketPath = path;
    m_socket.abort();
    m_socket.connectTo(path);
}

void MigrationController::onConnected() {
    emit connectedChanged();
    say({});
    m_socket.call("events.subscribe", {}, [](const QJsonObject&) {});
    refreshCameras();
    // The plan to show: one that has not finished, else the latest (its finish page).
    m_socket.call("plans", {}, [this](const QJsonObject& m) {
        const QJsonArray plans = m.value("return").toArray();
        qint64 pick = 0;
        for (const auto& p : plans)
            if (p.toObject().value("state").toString() != QLatin1String("done")) pick = qint64(p.toObject().value("id").toDouble());
        if (!pick && !plans.isEmpty()) pick = qint64(plans.last().toObject().value("id").toDouble());
        if (!pick) return;
        const bool first = m_planId == 0;
        m_planId = pick;
        m_socket.call("status", {{"plan", double(pick)}}, [this, first](const QJsonObject& s) {
            if (!s.contains("return")) return;
            followPlan(s.value("return").toObject());
            if (first || m_page >= RunPage) setPage(m_planState == QLatin1String("done") ? FinishPage : RunPage);
        });
    });
}

void MigrationController::onEvent(const QString& name, const QJsonObject& data) {
    if (!name.startsWith(QLatin1String("migration."))) return;
    const qint64 plan = qint64(data.value("plan").toDouble());
    if (name == QLatin1String("migration.plan") && plan && plan != m_planId && m_page < RunPage) return;
    if (plan == m_planId || name == QLatin1String("migration.plan")) m_statusSoon.start();
}

void MigrationController::refreshCameras() {
    if (!m_socket.isConnected() || m_listing) return;
    m_listing = true;
    m_socket.call("cameras", {}, [this](const QJsonObject& m) {
        m_listing = false;
        if (m.contains("return")) m_cameras.update(m.value("return").toArray());
    });
    m_socket.call("vms", {}, [this](const QJsonObject& m) {
        if (!m.contains("return")) return;
        QVariantList list;
        for (const auto& v : m.value("return").toArray()) {
            const QJsonObject o = v.toObject();
            const int used = o.value("cameras").toInt(), limit = o.value("camera_limit").toInt();
            const QString vm = o.value("vm").toString();
            QVariantMap row = o.toVariantMap();
            row.insert(QStringLiteral("limit"), limit);
            row.insert(QStringLiteral("label"),
                       o.value("reachable").toBool()
                           ? tr("%1 (%2, %3 of %4 cameras)").arg(vm, o.value("product").toString()).arg(used).arg(limit)
                           : tr("%1 (not answering)").arg(vm));
            list << row;
        }
        if (list != m_instances) {
            m_instances = list;
            emit instancesChanged();
        }
    });
}

void MigrationController::refreshPlan() {
    if (!m_planId || !m_socket.isConnected()) return;
    m_socket.call("status", {{"plan", double(m_planId)}}, [this](const QJsonObject& m) {
        if (m.contains("return")) followPlan(m.value("return").toObject());
    });
}

void MigrationController::followPlan(const QJsonObject& status) {
    if (qint64(status.value("id").toDouble()) != m_planId) return;
    const QString before = m_planState;
    m_planState = status.value("state").toString();
    m_planSource = status.value("source").toString();
    m_planTarget = status.value("target").toString();
    m_finished = status.value("finished").toInt();
    m_total = status.value("total").toInt();
    m_sourceRecordsNothing = status.value("source_records_nothing").toBool();
    m_run.update(status.value("items").toArray(), m_planSource, m_planTarget, m_planState == QLatin1String("paused"));
    for (const auto& item : m_run.items())
        if (const auto* c = m_cameras.find(item.id)) m_run.setThumbnail(item.id, c->thumbnail);
    emit planChanged();
    // The run page moves on to the finish page by itself when the last camera is settled.
    if (before != m_planState && m_planState == QLatin1String("done") && m_page == RunPage) setPage(FinishPage);
}

void MigrationController::fetchSnapshots() {
    // One request at a time, camera after camera: a round never piles pictures up on the
    // connection (a camera's JPEG can be large), and the next round starts at the next tick.
    if (m_snapshotInFlight) return;
    // The run page shows only the plan's cameras: a round asks for those, not every camera known.
    // A camera the target VMS has proved it records also gets that VMS's own picture of it.
    if (m_snapshotQueue.isEmpty() && m_page == RunPage) {
        for (const auto& item : m_run.items()) {
            m_snapshotQueue.push_back({item.id, QString()});
            // A settled camera's picture is taken once: each one is an audited command to the
            // guest, and a finished plan's page may stay open for hours.
            const bool settled = item.state == QLatin1String("committed") && !item.vmsView.isNull();
            if (RunModel::targetProvedIt(item) && !settled) m_snapshotQueue.push_back({item.id, item.target});
        }
    } else if (m_snapshotQueue.isEmpty()) {
        for (const auto& id : m_cameras.ids()) m_snapshotQueue.push_back({id, QString()});
    }
    if (m_snapshotQueue.isEmpty()) return;
    const auto [id, vm] = m_snapshotQueue.takeFirst();
    QJsonObject args{{"camera", id}};
    if (!vm.isEmpty()) args.insert("vm", vm);
    m_snapshotInFlight = true;
    m_socket.call("camera.snapshot", args, [this, id, vm](const QJsonObject& m) {
        m_snapshotInFlight = false;
        if (m.contains("return") && vm.isEmpty()) {
            m_cameras.setSnapshot(m.value("return").toObject());
            if (const auto* c = m_cameras.find(id)) m_run.setThumbnail(id, c->thumbnail);
        } else if (!vm.isEmpty()) {
            m_run.setVmsView(id, snapshotThumbnail(m.value("return").toObject()), vmsViewNote(vm, m));
        }
        // The rest of the round now; the next round at the timer's next tick.
        if (!m_snapshotQueue.isEmpty() && roundGoesOn(m) && m_thumbnails.isActive()) fetchSnapshots();
    });
}

void MigrationController::setThumbnailsActive(bool on) {
    if (on == m_thumbnails.isActive()) return;
    if (on) {
        m_thumbnails.start();
        fetchSnapshots();
    } else {
        m_thumbnails.stop();
    }
    emit thumbnailsActiveChanged();
}

void MigrationController::setPage(int page) {
    page = std::clamp(page, int(CamerasPage), int(FinishPage));
    if (page == m_page) return;
    m_page = page;
    emit pageChanged();
}

QString MigrationController::elapsedText() const {
    double first = 0, last = 0;
    for (const auto& i : m_run.items()) {
        if (i.startedS > 0 && (first == 0 || i.startedS < first)) first = i.startedS;
        last = std::max({last, i.finishedS, i.startedS});
    }
    if (first == 0) return {};
    const double end = m_planState == QLatin1String("done") ? last : QDateTime::currentMSecsSinceEpoch() / 1000.0;
    const int s = std::max(0, int(end - first));
    return m_planState == QLatin1String("done") ? tr("took %1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
                                                : tr("%1 min %2 s so far").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString MigrationController::estimateText() const {
    double spent = 0;
    int timed = 0, left = 0;
    for (const auto& i : m_run.items()) {
        if (i.finishedS > 0 && i.startedS > 0 && i.state == QLatin1String("committed")) spent += i.finishedS - i.startedS, ++timed;
        if (i.state == QLatin1String("pending") || i.state == QLatin1String("running") || i.state == QLatin1String("paused")) ++left;
    }
    if (!left) return {};
    if (!timed) return tr("estimate after the first camera");
    const int s = int(spent / timed * left);
    return tr("about %1 min left").arg(std::max(1, (s + 59) / 60));
}

void MigrationController::call(const QString& verb, const QJsonObject& args, Done done) {
    if (!m_socket.isConnected()) {
        say(tr("camera-migratord is not reachable; the wizard reconnects on its own, try again in a moment."));
        return;
    }
    setBusy(true);
    m_socket.call(verb, args, [this, done = std::move(done)](const QJsonObject& m) {
        setBusy(false);
        if (m.contains("error")) return say(m.value("error").toObject().value("desc").toString());
        done(m.value("return").toObject());
    });
}

void MigrationController::refreshInventory() {
    say(tr("Asking every VMS for its cameras…"));
    call("inventory.refresh", {}, [this](const QJsonObject& r) {
        say(tr("Inventory: %1 cameras imported, %2 conflicts.").arg(r.value("imported").toInt()).arg(r.value("conflicts").toInt()));
        refreshCameras();
    });
}

void MigrationController::chooseSource(const QString& vm) {
    m_draft.reset(vm, m_cameras);
    m_preview.clear();
    m_previewError.clear();
    emit previewChanged();
}

void MigrationController::previewPlan(const QString& source, const QString& target) {
    const QStringList ids = m_draft.selectedIds();
    m_preview.clear();
    m_previewError = ids.isEmpty() ? tr("Choose at least one camera to move.") : QString();
    emit previewChanged();
    if (ids.isEmpty() || !m_socket.isConnected()) return;
    m_socket.call("plan.preview", {{"source", source}, {"target", target}, {"cameras", QJsonArray::fromStringList(ids)}},
                  [this](const QJsonObject& m) {
                      if (m.contains("error")) m_previewError = m.value("error").toObject().value("desc").toString();
                      else m_preview = m.value("return").toObject().toVariantMap();
                      emit previewChanged();
                  });
}

void MigrationController::clearPreview() {
    if (m_preview.isEmpty() && m_previewError.isEmpty()) return;
    m_preview.clear();
    m_previewError.clear();
    emit previewChanged();
}

void MigrationController::startPlan(const QString& source, const QString& target, bool newInstance) {
    QJsonObject args{{"source", source}, {"target", target}, {"cameras", QJsonArray::fromStringList(m_draft.selectedIds())}};
    if (newInstance) args.insert("new_instance", true);
    call("plan.create", args, [this](const QJsonObject& plan) {
        m_planId = qint64(plan.value("id").toDouble());
        followPlan(plan);
        call("plan.start", {{"plan", double(m_planId)}}, [this](const QJsonObject&) {
            say(tr("Plan %1 started: one camera at a time, in your order.").arg(m_planId));
            refreshPlan();
        });
        setPage(RunPage);
    });
}

void MigrationController::pausePlan() {
    call("plan.pause", {{"plan", double(m_planId)}}, [this](const QJsonObject&) {
        say(tr("The plan pauses after the step that runs now."));
        refreshPlan();
    });
}

void MigrationController::resumePlan() {
    call("plan.resume", {{"plan", double(m_planId)}}, [this](const QJsonObject&) {
        say(tr("The plan goes on."));
        refreshPlan();
    });
}

void MigrationController::control(const QString& camera, const QString& action) {
    static const QStringList kActions{"pause", "resume", "skip", "retry", "rollback"};
    if (!kActions.contains(action)) return;
    call("camera." + action, {{"plan", double(m_planId)}, {"camera", camera}}, [this, camera, action](const QJsonObject&) {
        const auto* c = m_cameras.find(camera);
        say(tr("%1: %2 asked; it applies after the step that runs now.").arg(c ? c->name : camera, action));
        refreshPlan();
    });
}

void MigrationController::shutdownSource() {
    const QString vm = m_planSource;
    if (vm.isEmpty() || !m_appliance.isConnected()) return say(tr("applianced is not reachable; try again in a moment."));
    // A VMS guest closes its database and its open recordings on the way down (ZoneMinder's
    // MariaDB takes minutes under emulation): it gets kShutdownTimeoutS before it is forced off,
    // not applianced's default minute.
    say(tr("Asking %1 to shut down; it has up to %2 minutes to close its recordings…").arg(vm).arg(kShutdownTimeoutS / 60));
    m_appliance.call("vm.shutdown", {{"name", vm}, {"timeout_s", kShutdownTimeoutS}}, [this, vm](const QJsonObject& m) {
        if (m.contains("error")) return say(m.value("error").toObject().value("desc").toString());
        say(m.value("return").toObject().value("outcome").toString() == QLatin1String("forced")
                ? tr("%1 did not shut down in time and was forced off.").arg(vm)
                : tr("%1 is shut down.").arg(vm));
    });
}

void MigrationController::showGuest(const QString& vm) {
    m_appliance.call("focus.set", {{"target", vm}}, [this](const QJsonObject& m) {
        if (m.contains("error")) say(m.value("error").toObject().value("desc").toString());
    });
}

bool MigrationController::exportReport(const QString& directory) {
    if (!m_planId) return say(tr("There is no plan to report on yet.")), false;
    if (!QDir().mkpath(directory)) return say(tr("Cannot create the directory %1; choose another one.").arg(directory)), false;
    const QString base = QDir(directory).filePath(QStringLiteral("migration-plan-%1").arg(m_planId));
    const MigrationReport report{m_planId, m_planSource, m_planTarget, m_planState, m_run.items()};
    for (const auto& [suffix, bytes] : {std::pair{QStringLiteral(".json"), report.json()}, {QStringLiteral(".csv"), report.csv()}}) {
        QSaveFile file(base + suffix);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            return say(tr("Cannot write %1: %2").arg(base + suffix, file.errorString())), false;
    }
    say(tr("Report written to %1.json and %1.csv").arg(base));
    return true;
}

QString MigrationController::reportDirectory() const {
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return documents.isEmpty() ? QDir::homePath() : documents;
}

void MigrationController::newPlan() {
    m_draft.reset({}, m_cameras);  // the plan page fills it again from where the cameras are now
    clearPreview();
    refreshCameras();
    setPage(CamerasPage);
}

void MigrationController::say(const QString& sentence) {
    if (sentence == m_message) return;
    m_message = sentence;
    emit messageChanged();
}

void MigrationController::setBusy(bool busy) {
    if (busy == m_busy) return;
    m_busy = busy;
    emit busyChanged();
}

}  // namespace appliance::console
