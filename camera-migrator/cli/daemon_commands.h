// SPDX-License-Identifier: GPL-2.0-or-later
// The camera-migrator verbs that talk to camera-migratord (cameras, vms, plan, run, status, pause,
// resume, skip, retry, rollback, assignments, audit, ...): words and flags to one admin API
// request, its answer printed for people or as JSON. Exit codes from sysexits.h.
#pragma once

namespace appliance::migration::cli {

/// True if `command` is one of the daemon's verbs.
bool isDaemonCommand(const char* command);
/// argv[1..] without the program's own --json (passed as `json`).
int runDaemonCommand(int argc, char** argv, bool json);

inline constexpr const char* kDaemonUsage = R"(Migration (camera-migratord; CAMERA_MIGRATOR_SOCKET or --socket PATH names its socket):
  inventory                        ask every VMS for its cameras and reconcile (imports new ones)
  inventory discover [--interface ADDR | --address IP] [--timeout MS]
                                   WS-Discovery: add cameras that answer, note new addresses, probe
                                   those with credentials (model, firmware)
  cameras                          every camera: identity, address, state, which VMS records it
  vms                              the VMS instances: product, cameras used of their limit
  camera add ID --uri rtsp://... [--name NAME] [--device-url URL] [--width W --height H] [--fps N]
  credentials (ID | --all) --user USER --password-file FILE|-   (--all: every camera without any)
  plan --from VM --to VM (--all | ID...) [--new-instance]
                                   make a plan (cameras move in the order given); past the target's
                                   camera limit it proposes a new VMS instance, --new-instance confirms
  run PLAN                         start a plan
  status [PLAN] [--watch]          a plan's cameras, steps, gaps (--watch: follow its events)
  pause PLAN | pause --camera ID   pause a whole plan, or one camera
  resume PLAN | resume --camera ID
  skip ID | retry ID | rollback ID one camera of its latest plan (--plan N for another)
  assignments                      which VMS records each camera, as committed
  journal PLAN [--camera ID]       every step's intent and outcome
  audit [--limit N]                who did what
)";

}  // namespace appliance::migration::cli
