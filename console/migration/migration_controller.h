// SPDX-License-Identifier: GPL-2.0-or-later
// The migration wizard's data and actions: a connection to camera-migratord (its events drive the
// run page; `status` is asked again after each), the cameras with their thumbnails, the plan being
// drafted, and the plan that runs. The wizard's page follows the plan's state, so a console or a
// camera-migratord restarted mid-plan reopens on the run page where the plan is. Actions that
// concern a guest (Show, shutting down the legacy VM) go to applianced over the console's own
// connection. Every refusal is shown as camera-migratord or applianced words it. Context: GUI thread.
#pragma once

#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

#include "cameras_model.h"
#include "line_socket.h"
#include "plan_draft_model.h"
#include "run_model.h"

namespace appliance::console {

class MigrationController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by ConsoleController")
    Q_PROPERTY(bool connected READ connected NOTIFY connectedChanged)
    Q_PROPERTY(appliance::console::CamerasModel* cameras READ cameras CONSTANT)
    Q_PROPERTY(appliance::console::PlanDraftModel* draft READ draft CONSTANT)
    Q_PROPERTY(appliance::console::RunModel* run READ run CONSTANT)
    /// The VMS instances: {vm, product, cameras, limit, reachable, reason, label}.
    Q_PROPERTY(QVariantList instances READ instances NOTIFY instancesChanged)
    /// 0 cameras, 1 plan, 2 run, 3 finish.
    Q_PROPERTY(int page READ page WRITE setPage NOTIFY pageChanged)
    Q_PROPERTY(int planId READ planId NOTIFY planChanged)
    Q_PROPERTY(QString planState READ planState NOTIFY planChanged)
    Q_PROPERTY(QString planSource READ planSource NOTIFY planChanged)
    Q_PROPERTY(QString planTarget READ planTarget NOTIFY planChanged)
    Q_PROPERTY(int finished READ finished NOTIFY planChanged)
    Q_PROPERTY(int total READ total NOTIFY planChanged)
    Q_PROPERTY(QString elapsedText READ elapsedText NOTIFY planChanged)
    Q_PROPERTY(QString estimateText READ estimateText NOTIFY planChanged)
    Q_PROPERTY(bool sourceRecordsNothing READ sourceRecordsNothing NOTIFY planChanged)
    /// plan.preview's answer for the draft (empty until asked), or why it cannot be.
    Q_PROPERTY(QVariantMap preview READ preview NOTIFY previewChanged)
    Q_PROPERTY(QString previewError READ previewError NOTIFY previewChanged)
    /// The last outcome or refusal, in a sentence, for the page that asked.
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    /// Snapshots are fetched only while a page shows them.
    /// Where the finish page offers to write the report (the console user's documents).
    Q_PROPERTY(QString reportDirectory READ reportDirectory CONSTANT)
    Q_PROPERTY(bool thumbnailsActive READ thumbnailsActive WRITE setThumbnailsActive NOTIFY thumbnailsActiveChanged)
public:
    /// `appliance` is the console's connection to applianced (owned by the caller, outliving this).
    MigrationController(qt::LineSocket& appliance, QObject* parent = nullptr);
    void setSocketPath(const QString& path);

    bool connected() const { return m_socket.isConnected(); }
    CamerasModel* cameras() { return &m_cameras; }
    PlanDraftModel* draft() { return &m_draft; }
    RunModel* run() { return &m_run; }
    QVariantList instances() const { return m_instances; }
    int page() const { return m_page; }
    void setPage(int page);
    int planId() const { return int(m_planId); }
    QString planState() const { return m_planState; }
    QString planSource() const { return m_planSource; }
    QString planTarget() const { return m_planTarget; }
    int finished() const { return m_finished; }
    int total() const { return m_total; }
    QString elapsedText() const;
    QString estimateText() const;
    bool sourceRecordsNothing() const { return m_sourceRecordsNothing; }
    QVariantMap preview() const { return m_preview; }
    QString previewError() const { return m_previewError; }
    QString message() const { return m_message; }
    bool busy() const { return m_busy; }
    bool thumbnailsActive() const { return m_thumbnails.isActive(); }
    QString reportDirectory() const;
    void setThumbnailsActive(bool on);

    Q_INVOKABLE void refreshInventory();
    /// Fills the draft with the cameras `vm` records (all selected, by name).
    Q_INVOKABLE void chooseSource(const QString& vm);
    /// Asks camera-migratord what the draft would do (the summary before Start).
    Q_INVOKABLE void previewPlan(const QString& source, const QString& target);
    Q_INVOKABLE void clearPreview();
    /// Makes the plan from the draft and starts it; `newInstance` confirms the proposed new VM.
    Q_INVOKABLE void startPlan(const QString& source, const QString& target, bool newInstance);
    Q_INVOKABLE void pausePlan();
    Q_INVOKABLE void resumePlan();
    /// "pause", "resume", "skip", "retry" or "rollback" for one camera of the plan shown.
    Q_INVOKABLE void control(const QString& camera, const QString& action);
    /// Shuts down the plan's source VM through applianced (the page confirmed it first).
    Q_INVOKABLE void shutdownSource();
    /// Gives `vm` the display through applianced, as the admin page's Show does.
    Q_INVOKABLE void showGuest(const QString& vm);
    /// Writes the plan's report as JSON and CSV into `directory`; the message names both files.
    Q_INVOKABLE bool exportReport(const QString& directory);
    Q_INVOKABLE void newPlan();

signals:
    void connectedChanged();
    void instancesChanged();
    void pageChanged();
    void planChanged();
    void previewChanged();
    void messageChanged();
    void busyChanged();
    void thumbnailsActiveChanged();

private:
    void onConnected();
    void onEvent(const QString& name, const QJsonObject& data);
    void refreshCameras();
    void refreshPlan();
    void followPlan(const QJsonObject& status);
    void fetchSnapshots();
    void say(const QString& sentence);
    void setBusy(bool busy);
    using Done = std::function<void(const QJsonObject& result)>;
    /// Runs a camera-migratord verb; an error becomes the message.
    void call(const QString& verb, const QJsonObject& args, Done done);

    qt::LineSocket& m_appliance;
    qt::LineSocket m_socket;
    QString m_socketPath;
    QTimer m_retry, m_poll, m_thumbnails, m_statusSoon;
    CamerasModel m_cameras;
    PlanDraftModel m_draft;
    RunModel m_run;
    QVariantList m_instances;
    int m_page = 0;
    qint64 m_planId = 0;
    QString m_planState, m_planSource, m_planTarget;
    int m_finished = 0, m_total = 0;
    bool m_sourceRecordsNothing = false;
    QVariantMap m_preview;
    QString m_previewError, m_message;
    bool m_busy = false;
    /// The pictures this round still asks for: (camera, "") from the camera itself, (camera, vm)
    /// as that VM's VMS shows it.
    QList<std::pair<QString, QString>> m_snapshotQueue;
    bool m_snapshotInFlight = false;
    bool m_listing = false;
    int m_ticks = 0;
};

}  // namespace appliance::console
