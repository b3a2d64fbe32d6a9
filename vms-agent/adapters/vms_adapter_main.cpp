// SPDX-License-Identifier: GPL-2.0-or-later
// vms-adapter: runs one vms.* command against the VMS on this guest, directly through the adapter
// (not through vms-agentd), to diagnose an adapter by hand inside a guest. Prints the JSON answer
// on stdout, or the error on stderr and exits with its sysexits code.
#include <cstdio>
#include <iostream>
#include <string>
#include <sysexits.h>

#include "adapters/vms_json.h"
#include "common/logging.h"

using namespace appliance;
using Json = protocol::Json;

namespace {
constexpr const char* kUsage = R"(usage: vms-adapter [--product motion|zoneminder|auto] VERB [JSON-ARGS | ID]
  info                      vms.info
  cameras                   vms.cameras
  add '{"name":...,"stream_uri":"rtsp://...","username":...,"password":...}'   vms.camera.add
  status ID                 vms.camera.status
  remove ID                 vms.camera.remove
Full verbs (vms.camera.add, ...) work too. The product defaults to auto (whichever is installed).
)";

int fail(const Error& e) {
    std::cout << Json{{"error", {{"class", errorClassName(e.cls)}, {"desc", e.message}}}}.dump() << "\n";
    std::fprintf(stderr, "vms-adapter: %s\n", e.message.c_str());
    return exitCodeFor(e.cls);
}
}  // namespace

int main(int argc, char** argv) {
    std::string product = "auto", verb, argText;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--product" && i + 1 < argc) product = argv[++i];
        else if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return EX_OK;
        } else if (verb.empty()) verb = a;
        else if (argText.empty()) argText = a;
        else {
            std::fputs(kUsage, stderr);
            return EX_USAGE;
        }
    }
    if (verb.empty()) {
        std::fputs(kUsage, stderr);
        return EX_USAGE;
    }
    if (verb == "info" || verb == "cameras") verb = "vms." + verb;
    else if (verb == "add" || verb == "remove" || verb == "status") verb = "vms.camera." + verb;
    Json args = Json::object();
    if (!argText.empty() && argText[0] == '{') {
        args = Json::parse(argText, nullptr, false);
        if (args.is_discarded()) return fail(makeError(ErrorClass::InvalidArgument, "JSON-ARGS is not valid JSON"));
    } else if (!argText.empty()) {
        args = Json{{"id", argText}};
    }
    logging::setup("vms-adapter");
    auto adapter = agent::makeVmsAdapter(product);
    if (!adapter) return fail(adapter.error());
    auto answer = agent::runVmsCommand(**adapter, verb, args);
    if (!answer) return fail(answer.error());
    std::cout << answer->dump(2) << "\n";
    return EX_OK;
}
