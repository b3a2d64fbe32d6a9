// SPDX-License-Identifier: GPL-2.0-or-later
// The migration wizard's models, without daemons: what the cameras page derives from
// camera-migratord's answers (states, filter, sort, thumbnails from untrusted JPEGs), the plan
// page's choice and order, the run page's steps and sentences, and the exported report (CSV
// cells a spreadsheet would run as formulas stay text).
#include <QBuffer>
#include <QCoreApplication>
#include <QGuiApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <gtest/gtest.h>

#include "cameras_model.h"
#include "migration_report.h"
#include "plan_draft_model.h"
#include "run_model.h"

namespace appliance::console {
namespace {

QJsonObject camera(const QString& id, const QString& name, const QString& vm, const QString& state, bool recording) {
    return {{"id", id}, {"name", name}, {"address", "198.18.54.2"}, {"assigned_to", vm.isEmpty() ? QJsonValue() : QJsonValue(vm)},
            {"state", state}, {"recorded_by", vm.isEmpty() ? QJsonArray{} : QJsonArray{QJsonObject{{"vm", vm}, {"recording", recording}}}}};
}

QString roleText(const QAbstractListModel& m, int row, int role) { return m.index(row).data(role).toString(); }

QByteArray jpeg(int w, int h) {
    QImage image(w, h, QImage::Format_RGB32);
    image.fill(Qt::red);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "JPEG");
    return bytes;
}

TEST(CamerasModelTest, StatesInWordsFilterAndSortKeepTheShownRows) {
    CamerasModel m;
    m.update(QJsonArray{camera("urn:uuid:b", "Gate", "legacy", "known", true), camera("urn:uuid:a", "Yard", "legacy", "known", false),
                        camera("urn:uuid:c", "Dock", "", "unassigned", false), camera("urn:uuid:d", "Hall", "legacy", "conflict", true)});
    ASSERT_EQ(m.rowCount(), 4);
    EXPECT_EQ(roleText(m, 0, CamerasModel::NameRole), "Dock");  // by name
    EXPECT_EQ(roleText(m, 0, CamerasModel::StateTextRole), "Unknown to any VMS");
    EXPECT_EQ(m.find("urn:uuid:a")->stateText, "Not receiving frames");
    EXPECT_EQ(m.find("urn:uuid:b")->stateText, "Recording");
    EXPECT_EQ(m.find("urn:uuid:d")->stateText, "Conflict");
    m.setSortBy("state");  // problems first
    EXPECT_TRUE(m.index(0).data(CamerasModel::ProblemRole).toBool());
    EXPECT_EQ(roleText(m, 3, CamerasModel::NameRole), "Gate");
    m.setFilter("recording");
    ASSERT_EQ(m.rowCount(), 1);
    EXPECT_EQ(roleText(m, 0, CamerasModel::NameRole), "Gate");
    m.setFilter("");
    EXPECT_EQ(m.rowCount(), 4);
}

TEST(CamerasModelTest, OnlyAReasonablySizedJpegBecomesAThumbnail) {
    CamerasModel m;
    m.update(QJsonArray{camera("urn:uuid:a", "Yard", "legacy", "known", true)});
    auto snapshot = [&](const QByteArray& bytes) {
        m.setSnapshot({{"camera", "urn:uuid:a"}, {"jpeg", QString::fromLatin1(bytes.toBase64())}, {"taken", 1.0e9}, {"error", ""}});
        return m.find("urn:uuid:a")->thumbnail;
    };
    QImage thumb = snapshot(jpeg(640, 360));
    ASSERT_FALSE(thumb.isNull());
    EXPECT_LE(thumb.width(), 192);
    EXPECT_LE(thumb.height(), 108);
    // A JPEG that declares 60000 x 60000 pixels is refused before anything is allocated.
    CamerasModel fresh;
    fresh.update(QJsonArray{camera("urn:uuid:a", "Yard", "legacy", "known", true)});
    QByteArray huge = jpeg(16, 16);
    const qsizetype sof = huge.indexOf(QByteArray("\xFF\xC0", 2));
    ASSERT_GT(sof, 0);
    for (int i : {5, 6, 7, 8}) huge[sof + i] = char(i % 2 ? 0xEA : 0x60);  // height, width = 60000
    fresh.setSnapshot({{"camera", "urn:uuid:a"}, {"jpeg", QString::fromLatin1(huge.toBase64())}, {"error", ""}});
    EXPECT_TRUE(fresh.find("urn:uuid:a")->thumbnail.isNull());
    // Not a JPEG at all: nothing, and the last good picture stays.
    thumb = snapshot("<svg onload=alert(1)>");
    EXPECT_FALSE(thumb.isNull());
    // The camera's own error is shown as its note.
    m.setSnapshot({{"camera", "urn:uuid:a"}, {"jpeg", QJsonValue()}, {"error", "the camera did not answer"}});
    EXPECT_EQ(m.find("urn:uuid:a")->thumbnailNote, "the camera did not answer");
}

TEST(PlanDraftModelTest, TheSourcesCamerasInTheAdministratorsOrder) {
    CamerasModel cams;
    cams.update(QJsonArray{camera("urn:uuid:1", "A", "legacy", "known", true), camera("urn:uuid:2", "B", "legacy", "known", true),
                           camera("urn:uuid:3", "C", "legacy", "known", true), camera("urn:uuid:4", "D", "new", "known", true)});
    PlanDraftModel d;
    d.reset("legacy", cams);
    ASSERT_EQ(d.rowCount(), 3);
    EXPECT_EQ(d.selectedIds(), (QStringList{"urn:uuid:1", "urn:uuid:2", "urn:uuid:3"}));
    d.move(2, 0);  // C first
    d.toggle(1);   // A out
    EXPECT_EQ(d.selectedIds(), (QStringList{"urn:uuid:3", "urn:uuid:2"}));
    d.move(0, 2);  // C last again
    EXPECT_EQ(roleText(d, 2, PlanDraftModel::NameRole), "C");
    d.move(0, 7);  // out of range: nothing
    EXPECT_EQ(d.selectedCount(), 2);
    d.selectAll(false);
    EXPECT_TRUE(d.selectedIds().isEmpty());
}

QJsonObject item(const QString& id, const QString& state, const QString& step, QJsonValue gap = {}) {
    return {{"camera", id}, {"name", id}, {"state", state}, {"step", step}, {"mode", "make-before-break"}, {"gap_s", gap},
            {"reason", state == "rolled-back" ? "verify failed: t-motion did not record new frames" : ""}};
}

QStringList stepStatuses(const RunModel& m, int row) {
    QStringList out;
    for (const auto& s : m.index(row).data(RunModel::StepsRole).toList()) out << s.toMap().value("status").toString();
    return out;
}

TEST(RunModelTest, StepsStatesAndSentencesFollowTheEngine) {
    RunModel m;
    m.update(QJsonArray{item("a", "committed", "commit", -4.4), item("b", "running", "verify"), item("c", "rolled-back", "rollback-verify-source"),
                        item("d", "pending", "invalid")},
             "t-zoneminder", "t-motion", false);
    EXPECT_EQ(stepStatuses(m, 0), (QStringList{"done", "done", "done", "done", "done"}));
    EXPECT_EQ(stepStatuses(m, 1), (QStringList{"done", "done", "now", "waiting", "waiting"}));
    EXPECT_EQ(stepStatuses(m, 2), (QStringList{"undone", "undone", "undone", "undone", "undone"}));
    EXPECT_EQ(roleText(m, 0, RunModel::GapRole), "No gap: both VMSs recorded for 4.4 s");
    EXPECT_EQ(roleText(m, 2, RunModel::StateTextRole), "Rolled back");
    EXPECT_TRUE(roleText(m, 2, RunModel::AdviceRole).contains("records in t-zoneminder again"));
    EXPECT_TRUE(roleText(m, 2, RunModel::AdviceRole).contains("did not record new frames"));
    EXPECT_TRUE(m.index(2).data(RunModel::CanRetryRole).toBool());
    EXPECT_FALSE(m.index(2).data(RunModel::CanSkipRole).toBool());
    EXPECT_TRUE(m.index(0).data(RunModel::CanRollbackRole).toBool());
    EXPECT_FALSE(m.index(3).data(RunModel::CanResumeRole).toBool());
    // The whole plan paused: the camera it is on shows as paused with it.
    m.update(QJsonArray{item("a", "committed", "commit", -4.4), item("b", "running", "verify"), item("c", "rolled-back", "rollback-verify-source"),
                        item("d", "pending", "invalid")},
             "t-zoneminder", "t-motion", true);
    EXPECT_EQ(roleText(m, 1, RunModel::StateTextRole), "Plan paused");
    EXPECT_EQ(stepStatuses(m, 1), (QStringList{"done", "done", "paused", "waiting", "waiting"}));
    EXPECT_EQ(RunModel::gapText(2.5), "Gap in recording: 2.5 s");
}

// The target VMS's own picture is shown only while the target has proved it records the camera:
// after verify, until the camera is put back.
TEST(RunModelTest, TheTargetsPictureIsShownOnlyAfterVerifyAndUntilTheCameraGoesBack) {
    RunModel m;
    const QJsonArray moving{item("a", "committed", "commit"), item("b", "running", "verify"), item("c", "running", "detach")};
    m.update(moving, "legacy", "new", false);
    QImage picture(16, 9, QImage::Format_RGB32);
    picture.fill(Qt::green);
    for (const char* id : {"a", "b", "c"}) m.setVmsView(id, picture, "As new records it, 10:00:00");
    EXPECT_EQ(roleText(m, 0, RunModel::VmsViewNoteRole), "As new records it, 10:00:00");
    EXPECT_EQ(roleText(m, 0, RunModel::TargetRole), "new") << "an item without a target goes to the plan's";
    EXPECT_EQ(roleText(m, 1, RunModel::VmsViewNoteRole), "") << "verify has not passed yet";
    EXPECT_TRUE(m.index(1).data(RunModel::VmsViewRole).value<QImage>().isNull());
    EXPECT_FALSE(m.index(2).data(RunModel::VmsViewRole).value<QImage>().isNull());
    // A failed picture keeps the last one and says why.
    m.setVmsView("a", QImage(), "new shows no picture: motion wrote no snapshot");
    EXPECT_FALSE(m.index(0).data(RunModel::VmsViewRole).value<QImage>().isNull());
    EXPECT_EQ(roleText(m, 0, RunModel::VmsViewNoteRole), "new shows no picture: motion wrote no snapshot");
    // Rolled back: the picture of a VMS the camera has left is not proof of anything.
    m.update(QJsonArray{item("a", "committed", "commit"), item("b", "running", "verify"), item("c", "rolling-back", "rollback-remove-target")},
             "legacy", "new", false);
    EXPECT_EQ(roleText(m, 2, RunModel::VmsViewNoteRole), "");
    EXPECT_TRUE(m.index(2).data(RunModel::VmsViewRole).value<QImage>().isNull());
    EXPECT_FALSE(m.index(0).data(RunModel::VmsViewRole).value<QImage>().isNull()) << "a refresh keeps the picture";
}

TEST(MigrationReportTest, CsvKeepsCameraTextAsTextAndNumbersAsNumbers) {
    RunModel m;
    QJsonObject evil = item("urn:uuid:1", "committed", "commit", -4.4);
    evil["name"] = "=HYPERLINK(\"http://x\",\"click\")";
    QJsonObject comma = item("urn:uuid:2", "rolled-back", "rollback-verify-source");
    comma["name"] = "Gate, north";
    m.update(QJsonArray{evil, comma}, "legacy", "new", false);
    MigrationReport report{7, "legacy", "new", "done", m.items()};
    const QString csv = QString::fromUtf8(report.csv());
    const QStringList lines = csv.split("\r\n", Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), 3);
    EXPECT_TRUE(lines[1].contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\"")) << lines[1].toStdString();
    EXPECT_TRUE(lines[1].contains(",-4.4,")) << lines[1].toStdString();
    EXPECT_TRUE(lines[2].contains("\"Gate, north\"")) << lines[2].toStdString();
    const QJsonObject json = QJsonDocument::fromJson(report.json()).object();
    EXPECT_EQ(json.value("plan").toInt(), 7);
    ASSERT_EQ(json.value("cameras").toArray().size(), 2);
    EXPECT_EQ(json.value("cameras").toArray()[0].toObject().value("name").toString(), evil["name"].toString());
    EXPECT_DOUBLE_EQ(json.value("cameras").toArray()[0].toObject().value("gap_s").toDouble(), -4.4);
}

}  // namespace
}  // namespace appliance::console

int main(int argc, char** argv) {
    // Image plugins (JPEG) are found through the application object.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
