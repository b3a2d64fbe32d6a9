// SPDX-License-Identifier: GPL-2.0-or-later
// The migration wizard, rendered offscreen and driven through its own controls, against the real
// camera-migratord, applianced, ZoneMinder and motion guests and simulated cameras: two cameras
// planned legacy → new in the administrator's order, paused after the first, the console and
// camera-migratord restarted mid-plan (the run page comes back as it was), resumed, finished and
// reported; a camera that freezes right after attach shows its rollback with the reason. The
// assignments in camera-migratord are checked against what the pages showed. Screenshots of each
// page are kept as artifacts. The guests are shared with the VMS tests (vms_guests_env.h).
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

#include "console_controller.h"
#include "integration/migratord_process.h"
#include "integration/qt_test_support.h"
#include "integration/vms_guests_env.h"

Q_IMPORT_QML_PLUGIN(AppliancesConsolePlugin)

namespace appliance::test {
namespace {

class WizardTest : public ::testing::Test {
protected:
    static inline std::unique_ptr<CameraSimProcess> pair, freezing;
    static inline std::unique_ptr<MigratorProcess> migrator;
    static inline std::string dir;

    static LineClient& admin() { return *VmsGuests::self->admin; }
    static std::string vm(const std::string& product) { return VmsGuests::self->vm(product); }
    static std::string legacy() { return vm("zoneminder"); }
    static std::string target() { return vm("motion"); }
    static std::string id(const Json& camera) { return camera["endpoint_reference"]; }

    // Three cameras recorded by ZoneMinder, registered in camera-migratord with their ONVIF
    // addresses (for snapshots) and credentials: two in one simulator, one in its own (to freeze).
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/wizard-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        pair = std::make_unique<CameraSimProcess>(
            std::vector<std::string>{"--cameras", "2", "--no-discovery", "--sub", "320x180@5", "--name-prefix", "Wizard cam"});
        freezing = std::make_unique<CameraSimProcess>(
            std::vector<std::string>{"--cameras", "1", "--no-discovery", "--sub", "320x180@5", "--name-prefix", "Wizard freezing cam"});
        ASSERT_TRUE(pair->start()) << pair->errors();
        ASSERT_TRUE(freezing->start()) << freezing->errors();
        std::vector<Json> all = pair->cameras();
        all.push_back(freezing->cameras().at(0));
        VmsGuests::self->recordIn("zoneminder", all);
        ASSERT_FALSE(HasFatalFailure());
        migrator = std::make_unique<MigratorProcess>(dir, std::vector<std::string>{
            "appliance_socket=" + VmsGuests::self->daemon->socket(), "verify_timeout_s=90", "restore_timeout_s=300",
            "poll_interval_ms=2000"});
        ASSERT_TRUE(migrator->start()) << migrator->log();
        auto c = migrator->client();
        auto inv = c->call("inventory.refresh", Json::object(), 600000);
        ASSERT_TRUE(inv) << inv.error().message;
        for (const auto& cam : all) {
            ASSERT_TRUE(c->call("camera.add", {{"camera", id(cam)}, {"device_url", cam["device_url"]}}));
            ASSERT_TRUE(c->call("camera.credentials", {{"camera", id(cam)}, {"username", "admin"}, {"password", "admin"}}));
        }
    }
    static void TearDownTestSuite() {
        if (migrator) std::printf("camera-migratord's log:\n%s\n", migrator->log().substr(0, 20000).c_str());
        migrator.reset();
        std::set<std::string> ours;
        for (const auto* sim : {pair.get(), freezing.get()})
            if (sim)
                for (const auto& c : sim->cameras()) ours.insert(id(c));
        VmsGuests::self->removeFromBoth(ours);
        pair.reset();
        freezing.reset();
        std::filesystem::remove_all(dir);
    }

    void SetUp() override { loadConsole(); }
    void TearDown() override { closeConsole(); }

    void loadConsole() {
        engine = std::make_unique<QQmlApplicationEngine>();
        engine->setInitialProperties({{QStringLiteral("adminSocket"), QString::fromStdString(VmsGuests::self->daemon->socket())},
                                      {QStringLiteral("migratorSocket"), QString::fromStdString(migrator->socket())}});
        engine->load(QUrl(QStringLiteral("qrc:/AppliancesConsole/qml/Main.qml")));
        ASSERT_FALSE(engine->rootObjects().isEmpty()) << "the console's QML did not load";
        window = qobject_cast<QQuickWindow*>(engine->rootObjects().first());
        ASSERT_NE(window, nullptr);
        window->resize(1280, 800);
        controller = window->property("controller").value<console::ConsoleController*>();
        ASSERT_NE(controller, nullptr);
        ASSERT_TRUE(spinUntil([&] { return controller->connected() && controller->migration()->connected(); },
                              std::chrono::seconds(20)));
    }
    void closeConsole() {
        engine.reset();
        window = nullptr, controller = nullptr;
        QCoreApplication::processEvents();
    }
    QQuickItem* item(const std::string& objectName) { return findItem(window->contentItem(), QString::fromStdString(objectName)); }
    std::string text(const std::string& objectName) {
        QQuickItem* i = item(objectName);
        return i ? i->property("text").toString().toStdString() : std::string();
    }
    bool click(const std::string& objectName, std::chrono::seconds wait = std::chrono::seconds(20)) {
        if (!spinUntil([&] { QQuickItem* b = item(objectName); return b && b->isEnabled() && b->isVisible(); }, wait)) return false;
        clickItem(window, item(objectName));  // once it is laid out
        return true;
    }
    void shot(const std::string& name) {
        std::filesystem::create_directories(APPLIANCE_ARTIFACT_DIR);
        const std::string path = std::string(APPLIANCE_ARTIFACT_DIR) + "/" + name;
        window->grabWindow().save(QString::fromStdString(path));
        std::printf("screenshot: %s\n", path.c_str());
    }
    Json status(int64_t plan) {
        auto s = migrator->client()->call("status", {{"plan", plan}});
        return s ? *s : Json();
    }
    std::string assignedTo(const std::string& camera) {
        auto a = migrator->client()->call("assignments");
        if (a)
            for (const auto& as : *a)
                if (as["camera"] == camera) return as["vm"];
        return {};
    }
    /// Picks `vm` in a combo box with the arrow keys (each key press is an "activated" choice).
    void choose(const std::string& combo, const std::string& vmName) {
        QQuickItem* box = item(combo);
        ASSERT_NE(box, nullptr);
        box->forceActiveFocus();
        const int count = box->property("count").toInt();
        for (int i = 0; i < count; ++i) QTest::keyClick(window, Qt::Key_Up);  // to the first
        for (int i = 0; i < count && box->property("currentValue").toString().toStdString() != vmName; ++i)
            QTest::keyClick(window, Qt::Key_Down);
        ASSERT_EQ(box->property("currentValue").toString().toStdString(), vmName) << combo;
    }
    /// Plans the given cameras (in this order) on the plan page through its controls, and starts.
    void planAndStart(const std::vector<std::string>& cameras) {
        ASSERT_TRUE(click("migrationTab"));
        ASSERT_TRUE(click("toPlanPage"));
        ASSERT_TRUE(spinUntil([&] { return item("draft-" + cameras.front()) != nullptr; }, std::chrono::seconds(20)))
            << "the plan page does not list the legacy VMS's cameras";
        // The page suggests a source and a target; other tests may have left another motion
        // instance, so choose both with the keyboard, as an administrator would.
        choose("planSource", legacy());
        choose("planTarget", target());
        ASSERT_TRUE(spinUntil([&] { return item("draft-" + cameras.front()) != nullptr; }, std::chrono::seconds(20)));
        ASSERT_TRUE(click("selectNone"));
        // Ticked, then put in order: the first by dragging its handle to the top, the others with
        // the keyboard (Ctrl+Up), as an administrator may do either.
        for (const auto& c : cameras) ASSERT_TRUE(click("pick-" + c));
        auto* list = item("planCameras");
        ASSERT_NE(list, nullptr);
        auto* model = controller->migration()->draft();
        auto rowOf = [&](const std::string& id) {
            for (int r = 0; r < model->rowCount(); ++r)
                if (model->index(r).data(console::PlanDraftModel::IdRole).toString().toStdString() == id) return r;
            return -1;
        };
        for (std::size_t want = 0; want < cameras.size(); ++want) {
            int row = rowOf(cameras[want]);
            ASSERT_GE(row, 0);
            if (want == 0 && row > 0) {
                dragHandle(cameras[want], model->index(0).data(console::PlanDraftModel::IdRole).toString().toStdString());
                ASSERT_EQ(rowOf(cameras[want]), 0) << "dragging the handle to the top row did not move the camera there";
                continue;
            }
            list->forceActiveFocus();
            list->setProperty("currentIndex", row);
            for (; row > int(want); --row) QTest::keyClick(window, Qt::Key_Up, Qt::ControlModifier);
        }
        auto ids = controller->migration()->draft()->selectedIds();
        ASSERT_EQ(ids.size(), qsizetype(cameras.size()));
        for (std::size_t i = 0; i < cameras.size(); ++i) EXPECT_EQ(ids[qsizetype(i)].toStdString(), cameras[i]) << "order";
        ASSERT_TRUE(click("reviewPlan"));
        ASSERT_TRUE(spinUntil([&] { return item("startPlan")->isEnabled(); }, std::chrono::seconds(20)))
            << text("planSummaryText") << " " << text("wizardMessage");
        EXPECT_NE(text("planSummaryText").find(std::to_string(cameras.size()) + " cameras move from " + legacy()), std::string::npos)
            << text("planSummaryText");
    }
    /// Drags `camera`'s handle onto the row of `onto` with the mouse, a few pixels at a time.
    void dragHandle(const std::string& camera, const std::string& onto) {
        QQuickItem* handle = item("dragHandle-" + camera);
        QQuickItem* target = item("draft-" + onto);
        ASSERT_TRUE(handle && target);
        const QPoint from = handle->mapToScene(QPointF(handle->width() / 2, handle->height() / 2)).toPoint();
        const QPoint to(from.x(), target->mapToScene(QPointF(0, target->height() / 2)).toPoint().y());
        QTest::mousePress(window, Qt::LeftButton, {}, from);
        for (int step = 1; step <= 12; ++step) {
            QTest::mouseMove(window, from + (to - from) * step / 12);
            QTest::qWait(20);
        }
        QTest::mouseRelease(window, Qt::LeftButton, {}, to);
        QTest::qWait(50);
    }
    /// The states the run page shows, by camera.
    std::map<std::string, std::string> runStates(const std::vector<std::string>& cameras) {
        std::map<std::string, std::string> out;
        for (const auto& c : cameras) out[c] = text("runState-" + c);
        return out;
    }

    std::unique_ptr<QQmlApplicationEngine> engine;
    QQuickWindow* window = nullptr;
    console::ConsoleController* controller = nullptr;
};

TEST_F(WizardTest, TwoCamerasPlannedPausedAfterTheFirstSurviveRestartsAndFinishAsThePagesShow) {
    const std::string first = id(pair->cameras().at(1)), second = id(pair->cameras().at(0));
    // The cameras page: both cameras with their live thumbnail and the VMS that records them.
    ASSERT_TRUE(click("migrationTab"));
    ASSERT_TRUE(spinUntil([&] { return item("camera-" + first) && item("camera-" + second); }, std::chrono::seconds(30)));
    EXPECT_TRUE(spinUntil([&] {
        auto* t = item("thumbnail-" + first);
        return t && t->property("hasImage").toBool();
    }, std::chrono::seconds(40))) << "no snapshot thumbnail";
    EXPECT_EQ(text("cameraState-" + first), "Recording");
    // Imported from ZoneMinder's list with a name and a stream only, the camera said what it is
    // once camera-migratord had its ONVIF address and credentials.
    EXPECT_TRUE(spinUntil([&] { return text("cameraDescription-" + first).find("SimCam-1000") != std::string::npos; },
                          std::chrono::seconds(30))) << text("cameraDescription-" + first);
    shot("wizard-cameras.png");

    planAndStart({first, second});
    shot("wizard-plan.png");
    ASSERT_TRUE(click("startPlan"));
    ASSERT_TRUE(spinUntil([&] { return controller->migration()->page() == 2 && controller->migration()->planId() > 0; },
                          std::chrono::seconds(20))) << text("wizardMessage");
    const int64_t plan = controller->migration()->planId();
    // Pause the whole plan as soon as the first camera has moved.
    ASSERT_TRUE(spinUntil([&] { return text("runState-" + first) == "Moved"; }, std::chrono::minutes(5)))
        << text("runState-" + first) << ": " << text("runAdvice-" + first) << "\n" << status(plan).dump(2);
    ASSERT_TRUE(click("pausePlan"));
    ASSERT_TRUE(spinUntil([&] { return text("planState") == "Paused"; }, std::chrono::seconds(20)));
    EXPECT_EQ(status(plan).value("state", ""), "paused");
    // Whatever the second camera had started settles at its step (its journal has no step without
    // an outcome); then nothing moves.
    ASSERT_TRUE(spinUntil([&] {
        auto j = migrator->client()->call("journal", {{"plan", plan}, {"camera", second}});
        return j && (j->empty() || !j->back()["outcome"].is_null());
    }, std::chrono::minutes(3))) << "the second camera's step did not settle";
    QTest::qWait(3000);
    auto shown = runStates({first, second});
    EXPECT_EQ(shown[first], "Moved");
    EXPECT_NE(shown[second], "Moved") << "the plan went on while paused";
    EXPECT_EQ(assignedTo(first), target()) << "the page says Moved but camera-migratord disagrees";
    EXPECT_EQ(assignedTo(second), legacy());
    // The moved camera's row shows the new VMS's own picture of it, and says whose it is.
    EXPECT_TRUE(spinUntil([&] {
        auto* v = item("vmsView-" + first);
        return v && v->property("hasImage").toBool();
    }, std::chrono::seconds(90))) << text("vmsViewNote-" + first);
    EXPECT_EQ(text("vmsViewNote-" + first).rfind("As " + target() + " records it, ", 0), 0u) << text("vmsViewNote-" + first);
    EXPECT_EQ(text("vmsViewNote-" + second), "") << "a camera not yet verified in the target shows no target picture";
    shot("wizard-run-paused.png");

    // The console restarts mid-plan, then camera-migratord: the run page comes back as it was.
    closeConsole();
    loadConsole();
    ASSERT_TRUE(spinUntil([&] { return controller->migration()->page() == 2 && text("planState") == "Paused"; },
                          std::chrono::seconds(30))) << "the wizard did not reopen on the run page";
    // The rows are made as the list lays them out, a moment after the page shows (seen: one row's
    // state still empty right after "Paused" on a busy machine).
    spinUntil([&] { return runStates({first, second}) == shown; }, std::chrono::seconds(30));
    EXPECT_EQ(runStates({first, second}), shown);
    // The console notices the daemon gone and connects to the new one (a request sent in
    // between is answered with an error the page shows).
    QSignalSpy connection(controller->migration(), &console::MigrationController::connectedChanged);
    migrator->kill9();
    ASSERT_TRUE(migrator->start()) << migrator->log();
    ASSERT_TRUE(spinUntil([&] { return connection.count() >= 2 && controller->migration()->connected(); }, std::chrono::seconds(30)))
        << connection.count() << " connection changes";
    ASSERT_TRUE(spinUntil([&] { return text("planState") == "Paused" && runStates({first, second}) == shown; },
                          std::chrono::seconds(30))) << text("runState-" + second);
    shot("wizard-run-after-restarts.png");

    ASSERT_TRUE(click("resumePlan"));
    ASSERT_TRUE(spinUntil([&] { return controller->migration()->page() == 3; }, std::chrono::minutes(6)))
        << text("runState-" + second) << ": " << text("runAdvice-" + second) << "\n" << status(plan).dump(2);
    for (const auto& c : {first, second}) {
        EXPECT_EQ(text("finishState-" + c), "Moved to " + target());
        EXPECT_EQ(assignedTo(c), target()) << "the finish page says moved, camera-migratord does not";
    }
    EXPECT_EQ(status(plan).value("state", ""), "done");
    // The legacy VMS still records the other cameras: no offer to shut it down.
    EXPECT_FALSE(item("shutdownSource")->isEnabled());
    item("reportDirectory")->setProperty("text", QString::fromStdString(dir));
    ASSERT_TRUE(click("exportReport"));
    const std::string base = dir + "/migration-plan-" + std::to_string(plan);
    ASSERT_TRUE(spinUntil([&] { return std::filesystem::exists(base + ".csv"); }, std::chrono::seconds(10))) << text("wizardMessage");
    std::ifstream jsonFile(base + ".json");
    Json report = Json::parse(jsonFile, nullptr, false);
    ASSERT_TRUE(report.is_object());
    ASSERT_EQ(report["cameras"].size(), 2u);
    EXPECT_EQ(report["cameras"][0]["camera"], first) << "the report keeps the plan's order";
    for (const auto& c : report["cameras"]) EXPECT_EQ(c["state"], "committed");
    std::ifstream csvFile(base + ".csv");
    std::string header, line;
    std::getline(csvFile, header);
    int rows = 0;
    while (std::getline(csvFile, line)) rows += !line.empty();
    EXPECT_EQ(header.rfind("camera,name,state", 0), 0u);
    EXPECT_EQ(rows, 2);
    shot("wizard-finish.png");

    // Put them back for the next test (and the VMS tests' camera slots): roll back from the run page.
    ASSERT_TRUE(click("newPlan"));
    auto c = migrator->client();
    for (const auto& cam : {first, second}) ASSERT_TRUE(c->call("camera.rollback", {{"plan", plan}, {"camera", cam}}));
    Json back = Json();
    EXPECT_TRUE(waitUntil([&] {
        back = status(plan);
        return back.value("state", "") == "done";
    }, std::chrono::minutes(6))) << back.dump(2);
}

TEST_F(WizardTest, ACameraThatFailsVerificationShowsItsRollbackWithTheReason) {
    const std::string cam = id(freezing->cameras().at(0));
    auto events = migrator->client();
    ASSERT_TRUE(events->call("events.subscribe"));
    // The wizard reopens on the last plan's finish page; a new plan starts from there.
    ASSERT_TRUE(click("migrationTab"));
    if (spinUntil([&] { return controller->migration()->page() == 3; }, std::chrono::seconds(10))) {
        ASSERT_TRUE(click("newPlan"));
    }
    planAndStart({cam});
    ASSERT_TRUE(click("startPlan"));
    // Freeze the camera the moment the target has it: verification fails and it rolls back.
    bool frozen = false;
    ASSERT_TRUE(spinUntil([&] {
        for (auto e = events->nextEvent(10); e; e = events->nextEvent(10))
            if (!frozen && e->name == "migration.step" && e->body.value("step", "") == "attach" && e->body.value("outcome", "") == "ok") {
                ::kill(freezing->pid(), SIGSTOP);
                frozen = true;
            }
        return frozen;
    }, std::chrono::minutes(4))) << "no attach";
    ASSERT_TRUE(spinUntil([&] { return text("runState-" + cam) == "Rolling back"; }, std::chrono::minutes(4)))
        << text("runState-" + cam);
    EXPECT_NE(text("runAdvice-" + cam).find("did not record new frames"), std::string::npos) << text("runAdvice-" + cam);
    ::kill(freezing->pid(), SIGCONT);  // it comes back: the source must record it again
    shot("wizard-run-rolling-back.png");
    // Its plan has nothing else to do: the wizard moves on to the finish page, which says why.
    ASSERT_TRUE(spinUntil([&] { return controller->migration()->page() == 3; }, std::chrono::minutes(6)))
        << text("runState-" + cam) << ": " << text("runAdvice-" + cam);
    EXPECT_EQ(text("finishState-" + cam), "Rolled back");
    const std::string advice = text("finishAdvice-" + cam);
    EXPECT_NE(advice.find("did not record new frames"), std::string::npos) << advice;
    EXPECT_NE(advice.find("records in " + legacy() + " again"), std::string::npos) << advice;
    EXPECT_EQ(assignedTo(cam), legacy());
    shot("wizard-finish-rolled-back.png");
    // Back on the run page the camera can be retried.
    ASSERT_TRUE(click("backToRun"));
    EXPECT_TRUE(spinUntil([&] { QQuickItem* b = item("retryCamera-" + cam); return b && b->isVisible(); }, std::chrono::seconds(10)))
        << "a rolled-back camera offers Retry";
    EXPECT_EQ(text("vmsViewNote-" + cam), "") << "a camera the target never proved shows no target picture";
    shot("wizard-run-rolled-back.png");

    // Show gives the target guest the display through applianced, as the admin page's Show does.
    ASSERT_TRUE(click("showTarget-" + cam));
    EXPECT_TRUE(spinUntil([&] { return controller->focus().toStdString() == target(); }, std::chrono::seconds(15)))
        << controller->focus().toStdString();
    ASSERT_TRUE(admin().call("focus.set", {{"target", "admin-console"}}));
}

}  // namespace
}  // namespace appliance::test
