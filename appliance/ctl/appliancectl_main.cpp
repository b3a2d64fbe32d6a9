// SPDX-License-Identifier: GPL-2.0-or-later
// appliancectl: virsh-like verbs over applianced's admin API. Human tables by default, --json on
// every verb; exit codes follow sysexits.h.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <sysexits.h>

#include "common/line_client.h"
#include "ctl/table.h"
#include "ctl/vms_command.h"

using namespace appliance;
using Json = protocol::Json;

namespace {

constexpr const char* kUsage = R"(usage: appliancectl [--json] [--socket PATH] COMMAND ...

VMs:
  vm list                          the VMs with state, uptime, CPU and memory
  vm info NAME                     everything known about a VM
  vm start NAME                    start a VM
  vm shutdown NAME [--timeout S]   shut down gracefully (ACPI); forced off after S seconds
  vm destroy NAME                  force a VM off at once
  vm reboot NAME                   ask the guest to reboot
  vm suspend NAME | vm resume NAME pause / continue a VM
  vm set NAME [--vcpus N] [--memory MIB] [--autostart yes|no] [--description TEXT]
  vm create NAME [--vcpus N] [--max-vcpus N] [--memory MIB] [--network user|none]
                 [--kernel PATH [--initrd PATH] [--cmdline TEXT] | --disk PATH | --image NAME]
                 [--autostart] [--description TEXT]
                                   define a VM (default: the test guest image; --image vms-motion
                                   or vms-zoneminder: a VMS guest on its own copy of that image)
  vm delete NAME                   delete a shut-off VM
Focus (which target has the physical display, keyboard and mouse):
  focus                            show it
  focus set TARGET                 give it to a VM or to admin-console
  focus asks                       agents' requests waiting for the operator
  focus decide ID allow|deny       answer one of them
%VMS%Appliance:
  status                           applianced's version and hypervisor connection
  events [--count N]               print events as they happen (Ctrl-C stops)
  audit [--limit N] [--vm NAME]    the audit log, newest first

The socket is /run/appliance/admin.sock unless --socket or $APPLIANCE_ADMIN_SOCKET says otherwise.
Exit codes: 0 ok, 64 usage, 65 invalid argument, 66 no such VM, 69 applianced or the hypervisor
unavailable, 70 internal error, 75 the VM is in the wrong state or a timeout, 77 permission denied.
)";

std::string usageText() {
    std::string u = kUsage;
    u.replace(u.find("%VMS%"), 5, ctl::kVmsUsage);
    return u;
}

int usageError(const std::string& why) {
    std::fprintf(stderr, "appliancectl: %s\n\n%s", why.c_str(), usageText().c_str());
    return EX_USAGE;
}

std::string str(const Json& j, const char* key) { return jsonCell(j, key); }

std::string timeText(double epochS) {
    std::time_t t = std::time_t(epochS);
    char b[32];
    std::strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    return b;
}

void printVmList(const Json& vms) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : vms) {
        std::string state = str(v, "state");
        if (str(v, "reason") != "-" && str(v, "reason") != "unknown") state += " (" + str(v, "reason") + ")";
        rows.push_back({str(v, "name"), state, str(v, "vcpus"), str(v, "memory_mib"), str(v, "cpu_percent"),
                        v.value("uptime_s", Json()).is_number() ? formatDuration(v["uptime_s"].get<long long>()) : "-",
                        str(v, "autostart")});
    }
    std::cout << formatTable({"NAME", "STATE", "VCPUS", "MEMORY_MIB", "CPU%", "UPTIME", "AUTOSTART"}, rows);
    if (rows.empty()) std::cout << "(no VMs; create one with `appliancectl vm create NAME`)\n";
}

void printObject(const Json& j) {
    for (const auto& [k, v] : j.items()) {
        std::string val = v.is_string() ? v.get<std::string>() : v.dump();
        if (k == "uptime_s" && v.is_number()) val = formatDuration(v.get<long long>());
        std::printf("%-16s %s\n", (k + ":").c_str(), val.c_str());
    }
}

void printAudit(const Json& entries) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : entries)
        rows.push_back({str(e, "id"), timeText(e.value("timestamp", 0.0)), str(e, "actor"), str(e, "action"),
                        str(e, "target"), str(e, "result"), str(e, "detail")});
    std::cout << formatTable({"ID", "TIME", "WHO", "ACTION", "TARGET", "RESULT", "DETAIL"}, rows);
}

void printEvent(const protocol::Message& m, bool json) {
    if (json) {
        std::cout << Json{{"event", m.name}, {"data", m.body}, {"timestamp", m.timestampS}}.dump() << std::endl;
        return;
    }
    std::string line = timeText(m.timestampS) + "  " + m.name;
    for (const auto& [k, v] : m.body.items()) line += "  " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    std::cout << line << std::endl;
}

struct Options {
    bool json = false;
    std::string socket;
    std::vector<std::string> words;
    std::map<std::string, std::string> flags;
};

// Flags that take no value.
bool isSwitch(const std::string& f) { return f == "--autostart-on" || f == "--json"; }

}  // namespace

int main(int argc, char** argv) {
    Options o;
    const char* env = std::getenv("APPLIANCE_ADMIN_SOCKET");
    o.socket = env ? env : "/run/appliance/admin.sock";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--help" || a == "-h") {
            std::fputs(usageText().c_str(), stdout);
            return EX_OK;
        }
        if (a == "--json") o.json = true;
        else if (a == "--socket" && i + 1 < argc) o.socket = argv[++i];
        else if (a.rfind("--", 0) == 0) {
            // `vm create --autostart` is a switch; `vm set --autostart yes|no` takes a value.
            bool takesValue = !(a == "--autostart" && (i + 1 >= argc || (std::string(argv[i + 1]) != "yes" &&
                                                                         std::string(argv[i + 1]) != "no")));
            if (isSwitch(a) || !takesValue) o.flags[a] = "yes";
            else if (i + 1 < argc) o.flags[a] = argv[++i];
            else return usageError("option " + a + " needs a value");
        } else o.words.push_back(a);
    }
    if (o.words.empty()) return usageError("no command given");

    auto flagInt = [&](const std::string& f, Json& args, const char* key) -> bool {
        auto it = o.flags.find(f);
        if (it == o.flags.end()) return true;
        try {
            std::size_t used = 0;
            long long v = std::stoll(it->second, &used);
            if (used != it->second.size()) return false;
            args[key] = v;
            return true;
        } catch (...) {
            return false;
        }
    };
    auto flagStr = [&](const std::string& f, Json& args, const char* key) {
        if (auto it = o.flags.find(f); it != o.flags.end()) args[key] = it->second;
    };

    std::string verb;
    Json args = Json::object();
    const std::string& w0 = o.words[0];
    std::set<std::string> allowedFlags;
    int vmsTimeoutMs = 0;
    std::string vmsOutFile;
    if (w0 == "vm") {
        if (o.words.size() < 2) return usageError("`vm` needs a subcommand");
        const std::string& sub = o.words[1];
        verb = "vm." + sub;
        if (sub == "list") {
            if (o.words.size() != 2) return usageError("`vm list` takes no arguments");
        } else {
            static const std::set<std::string> known{"info", "start", "shutdown", "destroy", "reboot", "suspend",
                                                     "resume", "set", "create", "delete"};
            if (!known.count(sub)) return usageError("unknown command `vm " + sub + "`");
            if (o.words.size() != 3) return usageError("`vm " + sub + "` needs exactly one VM name");
            args["name"] = o.words[2];
        }
        if (sub == "shutdown") {
            allowedFlags = {"--timeout"};
            if (!flagInt("--timeout", args, "timeout_s")) return usageError("--timeout needs a whole number of seconds");
        } else if (sub == "set") {
            allowedFlags = {"--vcpus", "--memory", "--autostart", "--description"};
            if (!flagInt("--vcpus", args, "vcpus") || !flagInt("--memory", args, "memory_mib"))
                return usageError("--vcpus and --memory need whole numbers");
            if (auto it = o.flags.find("--autostart"); it != o.flags.end()) {
                if (it->second != "yes" && it->second != "no") return usageError("--autostart takes yes or no");
                args["autostart"] = it->second == "yes";
            }
            flagStr("--description", args, "description");
        } else if (sub == "create") {
            allowedFlags = {"--vcpus", "--max-vcpus", "--memory", "--network", "--kernel", "--initrd", "--cmdline",
                            "--disk", "--image", "--autostart", "--description"};
            if (!flagInt("--vcpus", args, "vcpus") || !flagInt("--max-vcpus", args, "max_vcpus") ||
                !flagInt("--memory", args, "memory_mib"))
                return usageError("--vcpus, --max-vcpus and --memory need whole numbers");
            for (auto [f, k] : {std::pair{"--network", "network"}, {"--kernel", "kernel"}, {"--initrd", "initrd"},
                                {"--cmdline", "cmdline"}, {"--disk", "disk"}, {"--image", "image"},
                                {"--description", "description"}})
                flagStr(f, args, k);
            if (o.flags.count("--autostart")) args["autostart"] = o.flags["--autostart"] != "no";
        }
    } else if (w0 == "focus") {
        const std::string sub = o.words.size() > 1 ? o.words[1] : "";
        if (sub.empty()) verb = "focus.get";
        else if (sub == "asks" && o.words.size() == 2) verb = "focus.asks";
        else if (sub == "set" && o.words.size() == 3) {
            verb = "focus.set";
            args["target"] = o.words[2];
        } else if (sub == "decide" && o.words.size() == 4 && (o.words[3] == "allow" || o.words[3] == "deny")) {
            verb = "focus.decide";
            try {
                args["id"] = std::stoll(o.words[2]);
            } catch (...) {
                return usageError("focus decide needs a numeric request id");
            }
            args["allow"] = o.words[3] == "allow";
        } else {
            return usageError("use `focus`, `focus set TARGET`, `focus asks` or `focus decide ID allow|deny`");
        }
    } else if (w0 == "vms") {
        auto req = ctl::parseVmsCommand(o.words, o.flags);
        if (!req) return usageError(req.error().message);
        verb = req->verb;
        args = req->args;
        allowedFlags = req->allowedFlags;
        vmsTimeoutMs = req->timeoutMs;
        vmsOutFile = req->outFile;
    } else if (w0 == "status") {
        verb = "server.status";
    } else if (w0 == "audit") {
        verb = "audit.list";
        allowedFlags = {"--limit", "--vm"};
        if (!flagInt("--limit", args, "limit")) return usageError("--limit needs a whole number");
        flagStr("--vm", args, "name");
    } else if (w0 == "events") {
        verb = "events.subscribe";
        allowedFlags = {"--count"};
    } else {
        return usageError("unknown command `" + w0 + "`");
    }
    for (const auto& [f, _] : o.flags)
        if (!allowedFlags.count(f)) return usageError("option " + f + " does not apply to this command");

    LineClient client;
    if (auto g = client.connect(o.socket); !g) {
        std::fprintf(stderr, "appliancectl: %s\n", g.error().message.c_str());
        return exitCodeFor(g.error().cls);
    }

    if (verb == "events.subscribe") {
        long long count = -1;
        if (o.flags.count("--count")) count = std::atoll(o.flags["--count"].c_str());
        if (auto r = client.call(verb); !r) {
            std::fprintf(stderr, "appliancectl: %s\n", r.error().message.c_str());
            return exitCodeFor(r.error().cls);
        }
        std::signal(SIGINT, [](int) { std::_Exit(EX_OK); });
        for (long long n = 0; count < 0 || n < count;) {
            auto ev = client.nextEvent(3600 * 1000);
            if (!ev) {
                if (ev.error().cls == ErrorClass::Timeout) continue;
                std::fprintf(stderr, "appliancectl: %s\n", ev.error().message.c_str());
                return exitCodeFor(ev.error().cls);
            }
            printEvent(*ev, o.json);
            ++n;
        }
        return EX_OK;
    }

    // A graceful shutdown may wait for the guest as long as its timeout.
    int timeoutMs = 30000;
    if (args.contains("timeout_s") && args["timeout_s"].is_number_integer())
        timeoutMs = int(args["timeout_s"].get<long long>()) * 1000 + 30000;
    else if (verb == "vm.shutdown") timeoutMs = 3600 * 1000;
    else if (vmsTimeoutMs) timeoutMs = vmsTimeoutMs;
    auto r = client.call(verb, args, timeoutMs);
    if (!r) {
        if (o.json) std::cout << Json{{"error", {{"class", errorClassName(r.error().cls)}, {"desc", r.error().message}}}}.dump() << "\n";
        std::fprintf(stderr, "appliancectl: %s\n", r.error().message.c_str());
        return exitCodeFor(r.error().cls);
    }
    if (!vmsOutFile.empty()) {
        if (auto s = ctl::saveVmsSnapshot(vmsOutFile, *r); !s) {
            if (o.json) std::cout << Json{{"error", {{"class", errorClassName(s.error().cls)}, {"desc", s.error().message}}}}.dump() << "\n";
            std::fprintf(stderr, "appliancectl: %s\n", s.error().message.c_str());
            return exitCodeFor(s.error().cls);
        }
    }
    if (o.json) {
        std::cout << r->dump(2) << "\n";
        return EX_OK;
    }
    if (verb.rfind("vms.", 0) == 0) ctl::printVmsAnswer(verb, *r);
    else if (verb == "vm.list") printVmList(*r);
    else if (verb == "audit.list") printAudit(*r);
    else if (verb == "focus.get" || verb == "focus.set")
        std::printf("%s has the display (since %s)\n", str(*r, "target").c_str(),
                    timeText(r->value("changed_at", 0.0)).c_str());
    else if (verb == "focus.asks") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& a : *r) rows.push_back({str(a, "id"), str(a, "by"), str(a, "target")});
        std::cout << formatTable({"ID", "REQUESTED BY", "TARGET"}, rows);
    }
    else if (verb == "vm.shutdown")
        std::printf("VM '%s' shut down (%s, %.1f s)%s\n", args["name"].get<std::string>().c_str(),
                    str(*r, "outcome").c_str(), r->value("elapsed_s", 0.0),
                    str(*r, "outcome") == "forced" ? ": the guest did not react to the power button in time" : "");
    else if (r->contains("message")) {
        std::printf("%s\n", (*r)["message"].get<std::string>().c_str());
        if (verb != "vm.set") printObject(*r);
    } else printObject(*r);
    return EX_OK;
}
