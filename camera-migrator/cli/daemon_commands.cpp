// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/daemon_commands.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <sysexits.h>

#include "common/line_client.h"
#include "ctl/table.h"

namespace appliance::migration::cli {

namespace {

using Json = protocol::Json;

const char* kDefaultSocket = "/run/camera-migrator/admin.sock";

struct Request {
    std::string verb;
    Json args = Json::object();
    int timeoutMs = 30000;
};

struct Words {
    std::vector<std::string> positional;
    std::map<std::string, std::string> flags;  ///< "--all" etc. map to ""
};

[[noreturn]] void usage(const std::string& why) {
    std::fprintf(stderr, "camera-migrator: %s\n%s", why.c_str(), kDaemonUsage);
    std::exit(EX_USAGE);
}

Words split(int argc, char** argv, std::string& socket) {
    Words w;
    static const char* valueFlags[] = {"--uri", "--name", "--device-url", "--width", "--height", "--fps", "--user",
                                       "--password-file", "--from", "--to", "--camera", "--plan", "--limit", "--socket",
                                       "--interface", "--address", "--timeout"};
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) != 0) {
            w.positional.push_back(s);
            continue;
        }
        bool takesValue = false;
        for (const char* f : valueFlags) takesValue = takesValue || s == f;
        if (takesValue) {
            if (i + 1 >= argc) usage(s + " needs a value");
            w.flags[s] = argv[++i];
        } else if (s == "--all" || s == "--watch" || s == "--json" || s == "--new-instance") {
            w.flags[s] = "";
        } else {
            usage("unknown option '" + s + "'");
        }
    }
    if (auto it = w.flags.find("--socket"); it != w.flags.end()) socket = it->second, w.flags.erase(it);
    return w;
}

long long number(const Words&, const char* flag, const std::string& text) {
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end) usage(std::string(flag) + " needs a whole number, not '" + text + "'");
    return n;
}

std::string readPassword(const std::string& file) {
    std::string line;
    if (file == "-") {
        std::getline(std::cin, line);
    } else {
        std::ifstream in(file);
        if (!in) usage("cannot read the password file '" + file + "'");
        std::getline(in, line);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

Request build(const std::string& command, const Words& w) {
    const auto& p = w.positional;  // p[0] is the command
    auto flag = [&](const char* f) -> const std::string* {
        auto it = w.flags.find(f);
        return it == w.flags.end() ? nullptr : &it->second;
    };
    auto planFlag = [&](Json& args) {
        if (auto v = flag("--plan")) args["plan"] = number(w, "--plan", *v);
    };
    Request r;
    if (command == "inventory" && p.size() > 1 && p[1] == "discover") {
        r.verb = "inventory.discover", r.timeoutMs = 120000;
        if (auto v = flag("--interface")) r.args["interface"] = *v;
        if (auto v = flag("--address")) r.args["address"] = *v;
        if (auto v = flag("--timeout")) r.args["timeout_ms"] = number(w, "--timeout", *v);
        return r;
    }
    if (command == "inventory") return {"inventory.refresh", Json::object(), 600000};
    if (command == "cameras" || command == "vms" || command == "assignments") return {command};
    if (command == "audit") {
        r.verb = "audit";
        if (auto v = flag("--limit")) r.args["limit"] = number(w, "--limit", *v);
        return r;
    }
    if (command == "camera") {
        if (p.size() != 3 || p[1] != "add") usage("camera add ID --uri rtsp://... [--name NAME] ...");
        r.verb = "camera.add";
        r.args["camera"] = p[2];
        if (auto v = flag("--uri")) r.args["stream_uri"] = *v;
        if (auto v = flag("--name")) r.args["name"] = *v;
        if (auto v = flag("--device-url")) r.args["device_url"] = *v;
        for (auto [f, key] : {std::pair{"--width", "width"}, {"--height", "height"}, {"--fps", "fps"}})
            if (auto v = flag(f)) r.args[key] = number(w, f, *v);
        return r;
    }
    if (command == "credentials") {
        const bool all = flag("--all") != nullptr;
        if (p.size() != (all ? 1u : 2u) || !flag("--user") || !flag("--password-file"))
            usage("credentials (ID | --all) --user USER --password-file FILE|- (the password never goes on the command line)");
        r.verb = "camera.credentials";
        r.args = {{"username", *flag("--user")}, {"password", readPassword(*flag("--password-file"))}};
        if (all) r.args["all"] = true;
        else r.args["camera"] = p[1];
        return r;
    }
    if (command == "plan") {
        if (!flag("--from") || !flag("--to")) usage("plan --from VM --to VM (--all | ID...)");
        r.verb = "plan.create";
        r.args = {{"source", *flag("--from")}, {"target", *flag("--to")}};
        if (flag("--new-instance")) r.args["new_instance"] = true;
        if (flag("--all")) {
            if (p.size() > 1) usage("give --all or camera ids, not both");
            r.args["all"] = true;
        } else {
            if (p.size() < 2) usage("name the cameras to move, in order, or give --all");
            r.args["cameras"] = std::vector<std::string>(p.begin() + 1, p.end());
        }
        return r;
    }
    if (command == "run" || command == "status") {
        r.verb = command == "run" ? "plan.start" : "status";
        if (p.size() > 2 || (command == "run" && p.size() != 2)) usage(command + " takes one plan number");
        if (p.size() == 2) r.args["plan"] = number(w, "PLAN", p[1]);
        return r;
    }
    if (command == "journal") {
        if (p.size() != 2) usage("journal PLAN [--camera ID]");
        r.verb = "journal";
        r.args["plan"] = number(w, "PLAN", p[1]);
        if (auto v = flag("--camera")) r.args["camera"] = *v;
        return r;
    }
    if (command == "pause" || command == "resume") {
        if (auto v = flag("--camera")) {
            if (p.size() != 1) usage(command + " --camera ID [--plan N]");
            r.verb = "camera." + command;
            r.args["camera"] = *v;
            planFlag(r.args);
            return r;
        }
        if (p.size() != 2) usage(command + " PLAN, or " + command + " --camera ID");
        return {"plan." + command, {{"plan", number(w, "PLAN", p[1])}}};
    }
    if (command == "skip" || command == "retry" || command == "rollback") {
        if (p.size() != 2) usage(command + " ID [--plan N]");
        r.verb = "camera." + command;
        r.args["camera"] = p[1];
        planFlag(r.args);
        return r;
    }
    usage("unknown command '" + command + "'");
}

std::string text(const Json& j, const char* key) {
    std::string cell = jsonCell(j, key);
    return cell.empty() ? "-" : cell;
}

std::string clock(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return "-";
    std::time_t t = std::time_t(it->get<double>());
    char b[32];
    std::strftime(b, sizeof b, "%H:%M:%S", std::localtime(&t));
    return b;
}

constexpr const char* kGapEstimate = "vms-reports";

void printPlan(const Json& plan) {
    std::printf("plan %s: %s -> %s, %s", text(plan, "id").c_str(), text(plan, "source").c_str(),
                text(plan, "target").c_str(), text(plan, "state").c_str());
    if (plan.contains("finished")) std::printf(", %s of %s cameras finished", text(plan, "finished").c_str(), text(plan, "total").c_str());
    std::printf("\n");
    std::vector<std::vector<std::string>> rows;
    for (const auto& i : plan.value("items", Json::array()))
        rows.push_back({text(i, "position"), i.contains("name") ? text(i, "name") : text(i, "camera"),
                        i.value("target", "").empty() ? text(plan, "target") : text(i, "target"), text(i, "state"),
                        text(i, "step"), text(i, "mode"),
                        // An estimate is marked: only a gap read from both recordings is measured.
                        text(i, "gap_s") + (i.value("gap_from", Json()) == Json(kGapEstimate) ? " (est.)" : ""),
                        text(i, "reason")});
    std::printf("%s", formatTable({"#", "CAMERA", "TO", "STATE", "STEP", "MODE", "GAP S", "REASON"}, rows).c_str());
    if (plan.value("source_records_nothing", false))
        std::printf("VM %s records no camera any more; shut it down when you are sure: appliancectl vm shutdown %s\n",
                    text(plan, "source").c_str(), text(plan, "source").c_str());
    if (plan.contains("new_instance") && plan["new_instance"].is_object())
        std::printf("new VMS instance: VM %s from image %s (created when the plan starts; its cameras wait until its VMS is ready)\n",
                    text(plan["new_instance"], "vm").c_str(), text(plan["new_instance"], "image").c_str());
}

void print(const std::string& verb, const Json& a) {
    std::vector<std::vector<std::string>> rows;
    if (verb == "cameras") {
        for (const auto& c : a) {
            std::string by;
            for (const auto& h : c.value("recorded_by", Json::array())) by += (by.empty() ? "" : ", ") + text(h, "vm");
            rows.push_back({text(c, "name"), text(c, "id"), text(c, "address"), text(c, "assigned_to"),
                            by.empty() ? "-" : by, text(c, "state"), text(c, "detail")});
        }
        std::printf("%s", formatTable({"NAME", "ID", "ADDRESS", "ASSIGNED TO", "RECORDED BY", "STATE", "DETAIL"}, rows).c_str());
    } else if (verb == "vms") {
        for (const auto& v : a)
            rows.push_back({text(v, "vm"), text(v, "product") + " " + text(v, "version"),
                            text(v, "cameras") + " of " + text(v, "camera_limit"), text(v, "reachable"), text(v, "reason")});
        std::printf("%s", formatTable({"VM", "VMS", "CAMERAS", "REACHABLE", "REASON"}, rows).c_str());
    } else if (verb == "assignments") {
        for (const auto& x : a) rows.push_back({text(x, "camera"), text(x, "vm"), clock(x, "since"), text(x, "plan")});
        std::printf("%s", formatTable({"CAMERA", "VM", "SINCE", "PLAN"}, rows).c_str());
    } else if (verb == "journal") {
        for (const auto& j : a)
            rows.push_back({text(j, "id"), text(j, "camera"), text(j, "step"), clock(j, "intent_at"), text(j, "outcome"), text(j, "detail")});
        std::printf("%s", formatTable({"ID", "CAMERA", "STEP", "AT", "OUTCOME", "DETAIL"}, rows).c_str());
    } else if (verb == "audit") {
        for (const auto& x : a)
            rows.push_back({clock(x, "time"), text(x, "actor"), text(x, "action"), text(x, "target"), text(x, "result"), text(x, "detail")});
        std::printf("%s", formatTable({"TIME", "WHO", "ACTION", "TARGET", "RESULT", "DETAIL"}, rows).c_str());
    } else if (verb == "status" || verb == "plan.create") {
        printPlan(a);
    } else if (verb == "camera.credentials") {
        std::printf("credentials set for %zu camera(s)\n", a.value("cameras", Json::array()).size());
    } else if (verb == "plan.start" || verb == "plan.pause" || verb == "plan.resume") {
        std::printf("plan %s is %s; follow it with `camera-migrator status %s --watch`\n", text(a, "plan").c_str(),
                    text(a, "state").c_str(), text(a, "plan").c_str());
    } else if (verb.rfind("camera.", 0) == 0 && a.contains("requested")) {
        std::printf("%s asked for camera %s (plan %s, now %s); the engine acts between steps\n", text(a, "requested").c_str(),
                    text(a, "camera").c_str(), text(a, "plan").c_str(), text(a, "state").c_str());
    } else if (verb == "inventory.refresh") {
        std::printf("%s VMS instances, %s cameras (%s imported, %s conflicts, %s missing, %s without ONVIF identity)\n",
                    text(a, "vms_instances").c_str(), text(a, "cameras").c_str(), text(a, "imported").c_str(),
                    text(a, "conflicts").c_str(), text(a, "missing").c_str(), text(a, "unidentified").c_str());
        for (const auto& f : a.value("findings", Json::array())) std::printf("  %s\n", f.get<std::string>().c_str());
    } else if (verb == "inventory.discover") {
        std::printf("%s cameras answered (%s new, %s known, %s probed, %s conflicts, %s ignored)\n", text(a, "found").c_str(),
                    text(a, "added").c_str(), text(a, "updated").c_str(), text(a, "probed").c_str(),
                    text(a, "conflicts").c_str(), text(a, "ignored").c_str());
        for (const auto& f : a.value("findings", Json::array())) std::printf("  %s\n", f.get<std::string>().c_str());
    } else {
        std::printf("%s\n", a.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
    }
}

}  // namespace

bool isDaemonCommand(const char* c) {
    for (const char* v : {"inventory", "cameras", "vms", "camera", "credentials", "plan", "run", "status", "pause", "resume",
                          "skip", "retry", "rollback", "assignments", "journal", "audit"})
        if (std::strcmp(c, v) == 0) return true;
    return false;
}

int runDaemonCommand(int argc, char** argv, bool json) {
    std::string socket = std::getenv("CAMERA_MIGRATOR_SOCKET") ? std::getenv("CAMERA_MIGRATOR_SOCKET") : kDefaultSocket;
    Words w = split(argc, argv, socket);
    json = json || w.flags.count("--json");
    if (w.positional.empty()) usage("name a command");
    Request r = build(w.positional.at(0), w);
    LineClient client;
    if (auto g = client.connect(socket); !g) {
        std::fprintf(stderr, "camera-migrator: cannot reach camera-migratord at %s; start it (the README's main command "
                             "does) or name its socket with CAMERA_MIGRATOR_SOCKET or --socket\n", socket.c_str());
        return exitCodeFor(g.error().cls);
    }
    auto answer = client.call(r.verb, r.args, r.timeoutMs);
    if (!answer) {
        if (json) std::printf("%s\n", Json{{"error", {{"class", errorClassName(answer.error().cls)}, {"desc", answer.error().message}}}}.dump().c_str());
        std::fprintf(stderr, "camera-migrator: %s\n", answer.error().message.c_str());
        return exitCodeFor(answer.error().cls);
    }
    if (json) std::printf("%s\n", answer->dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
    else print(r.verb, *answer);
    if (r.verb == "status" && w.flags.count("--watch")) {
        // Follow the plan's events until it is done (or the daemon goes away).
        if (!client.call("events.subscribe")) return EX_UNAVAILABLE;
        for (;;) {
            auto e = client.nextEvent(600000);
            if (!e) return exitCodeFor(e.error().cls);
            if (json) std::printf("%s\n", Json{{"event", e->name}, {"data", e->body}}.dump().c_str());
            else if (e->name == "migration.step" && e->body.value("plan", int64_t(0)) == answer->value("id", int64_t(-1)))
                std::printf("%s  %s  %s: %s %s\n", clock(Json{{"t", e->timestampS}}, "t").c_str(), text(e->body, "camera").c_str(),
                            text(e->body, "step").c_str(), text(e->body, "outcome").c_str(), text(e->body, "detail").c_str());
            std::fflush(stdout);
            if (e->name == "migration.plan" && e->body.value("state", "") == "done" &&
                e->body.value("plan", int64_t(0)) == answer->value("id", int64_t(-1)))
                return EX_OK;
        }
    }
    return EX_OK;
}

}  // namespace appliance::migration::cli
