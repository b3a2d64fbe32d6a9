// SPDX-License-Identifier: GPL-2.0-or-later
// The migration engine's own cost without any VMS latency: the store writes one camera's move
// makes (per step: the journal's intent, its outcome, the item; the commit in one transaction),
// on a real SQLite file with synchronous=FULL, so a 1,000-camera site's plan overhead is known.
// Usage: migration_journal_bench [--cameras N] (default 1000) [--dir DIR] (default /var/tmp:
// a disk, not tmpfs, so fsync is real).
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "bench/bench_util.h"
#include "migration/migration_engine.h"
#include "migration/migration_store.h"

using namespace appliance::migration;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    const int cameras = appliance::bench::intArg(argc, argv, "--cameras", 1000);
    std::string base = "/var/tmp";
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--dir") base = argv[i + 1];
    std::string tmpl = base + "/migration-journal-bench-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl.data());
    auto opened = MigrationStore::open(dir + "/migrator.db");
    if (!opened) return std::fprintf(stderr, "%s\n", opened.error().message.c_str()), 1;
    auto& store = **opened;
    std::vector<MigrationStore::PlannedCamera> ids;
    for (int i = 0; i < cameras; ++i) {
        CameraRecord c;
        c.id = "urn:uuid:bench-" + std::to_string(i), c.name = "cam " + std::to_string(i);
        c.streamUri = "rtsp://127.0.0.1:8554/cam" + std::to_string(i);
        if (!store.putCamera(c) || !store.assignIfUnassigned(c.id, "legacy")) return 1;
        ids.push_back({c.id, ""});
    }
    auto planId = store.createPlan("legacy", "new", ids, "bench");
    if (!planId) return 1;
    auto plan = store.plan(*planId);
    std::vector<double> perCameraMs;
    int steps = 0;
    const auto t0 = Clock::now();
    for (PlanItem item : (*plan)->items) {
        const auto c0 = Clock::now();
        for (Step s = Step::Preflight; s != Step::Invalid; s = nextStep(s, kMakeBeforeBreak)) {
            auto j = store.journalIntent(*planId, item.cameraId, s, R"({"from":"legacy","to":"new"})");
            if (!j) return std::fprintf(stderr, "%s\n", j.error().message.c_str()), 1;
            if (s == Step::Commit) {
                item.state = ItemState::Committed;
                if (!store.commitMove(*j, item, "new")) return 1;
            } else {
                if (!store.journalOutcome(*j, "ok", "done") || !store.putItem(item)) return 1;
            }
            ++steps;
        }
        perCameraMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c0).count());
    }
    const double totalS = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("FIGURE migration.journal_steps_per_s (SQLite FULL, %d cameras x 6 steps) %.0f\n", cameras, steps / totalS);
    std::printf("FIGURE migration.journal_ms_per_camera_p50 %.2f\n", appliance::bench::percentile(perCameraMs, 50));
    std::printf("FIGURE migration.journal_ms_per_camera_p99 %.2f\n", appliance::bench::percentile(perCameraMs, 99));
    std::printf("FIGURE migration.journal_overhead_for_%d_cameras_s %.1f\n", cameras, totalS);
    auto integrity = store.integrityCheck();
    std::printf("integrity: %s\n", integrity ? integrity->c_str() : integrity.error().message.c_str());
    std::filesystem::remove_all(dir);
    return integrity && *integrity == "ok" ? 0 : 1;
}
