// SPDX-License-Identifier: GPL-2.0-or-later
// The vms.* admin verbs: the host asks the VMS inside a guest, through that guest's agent, for its
// cameras and to add or remove one. All are administrator-only and audited (even the reads: they
// reveal camera addresses), passwords are masked in the audit log by the usual redaction, and
// what the guest answers is checked (vms/guest_answers.h) before anyone sees it.
#include <chrono>

#include "admin/admin_commands.h"
#include "admin/arguments.h"
#include "vms/guest_answers.h"

namespace appliance {

namespace {
bool validCameraId(const std::string& id) {
    if (id.empty() || id.size() > 32) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    return true;
}
}  // namespace

void AdminCommands::setAgentCall(AgentCall call) { m_agentCall = std::move(call); }

void AdminCommands::askGuest(const std::string& vm, const std::string& verb, const Json& args, bool write, Reply reply) {
    const VmRecord* rec = m_vms.inventory().find(vm);
    if (!rec) return reply(makeError(ErrorClass::NotFound, verb + ": no VM named '" + vm + "'; `appliancectl list` shows them"));
    // Unavailable, as when its agent is not connected: a VMS that is down now may be up later, and
    // a caller (camera-migratord) pauses its work on it instead of undoing it.
    if (!vmIsActive(rec->info.state))
        return reply(makeError(ErrorClass::Unavailable, verb + ": VM '" + vm + "' is not running; start it first"));
    if (!m_agentCall) return reply(makeError(ErrorClass::Unavailable, verb + ": the agent server is not running"));
    m_agentCall(vm, verb, args, write ? m_facts.vmsWriteTimeout : m_facts.vmsReadTimeout, [vm, verb, reply = std::move(reply)](Result<Json> r) {
        if (!r) return reply(r.error());  // the agent session already bounded what the guest said
        reply(vms::checkAnswer(vm, verb, *r));
    });
}

void AdminCommands::addVmsVerbs() {
    add("vms.info", true, "the VMS product in a VM: product, version, cameras and camera limit (admin)",
        [this](const Caller&, const Json& args, Reply reply) {
            Arguments a("vms.info", args);
            CHECK(a.onlyKeys({"name"}));
            TRY(vm, a.vmName());
            askGuest(vm, "vms.info", Json::object(), false, std::move(reply));
        });
    add("vms.cameras", true, "the cameras the VMS in a VM records, with their state (admin)",
        [this](const Caller&, const Json& args, Reply reply) {
            Arguments a("vms.cameras", args);
            CHECK(a.onlyKeys({"name"}));
            TRY(vm, a.vmName());
            askGuest(vm, "vms.cameras", Json::object(), false, std::move(reply));
        });
    add("vms.camera.add", true, "add a camera to the VMS in a VM and start recording it (admin)",
        [this](const Caller&, const Json& args, Reply reply) {
            Arguments a("vms.camera.add", args);
            CHECK(a.onlyKeys({"name", "camera_name", "onvif_id", "stream_uri", "username", "password", "width", "height", "fps"}));
            TRY(vm, a.vmName());
            TRY(cameraName, a.string("camera_name", 64));
            TRY(onvifId, a.string("onvif_id", 128));
            TRY(uri, a.string("stream_uri", 512));
            TRY(user, a.string("username", 128));
            TRY(password, a.string("password", 128));
            TRY(width, a.integer("width", 64, 4096));
            TRY(height, a.integer("height", 64, 4096));
            TRY(fps, a.integer("fps", 1, 60));
            if (!cameraName || cameraName->empty() || !uri || uri->empty())
                return reply(makeError(ErrorClass::InvalidArgument, "vms.camera.add: give camera_name and stream_uri"));
            if (uri->rfind("rtsp://", 0) != 0)
                return reply(makeError(ErrorClass::InvalidArgument, "vms.camera.add: stream_uri must be an rtsp:// URI"));
            if (uri->find('@') != std::string::npos)
                return reply(makeError(ErrorClass::InvalidArgument, "vms.camera.add: put the credentials in username and "
                                                                    "password, not in stream_uri"));
            Json guestArgs{{"name", *cameraName}, {"stream_uri", *uri}};
            if (onvifId) guestArgs["onvif_id"] = *onvifId;
            if (user) guestArgs["username"] = *user;
            if (password) guestArgs["password"] = *password;
            if (width) guestArgs["width"] = *width;
            if (height) guestArgs["height"] = *height;
            if (fps) guestArgs["fps"] = *fps;
            askGuest(vm, "vms.camera.add", guestArgs, true, std::move(reply));
        });
    for (const char* verb : {"vms.camera.remove", "vms.camera.status", "vms.camera.snapshot"}) {
        const bool remove = std::string(verb) == "vms.camera.remove";
        const bool snapshot = std::string(verb) == "vms.camera.snapshot";
        add(verb, true, remove     ? "remove a camera from the VMS in a VM; its recordings stay (admin)"
                        : snapshot ? "the VMS's own current picture of a camera, a JPEG in base64 (admin)"
                                   : "one camera in the VMS of a VM: new frames arriving, recording, last recorded (admin)",
            [this, verb = std::string(verb), remove](const Caller&, const Json& args, Reply reply) {
                Arguments a(verb, args);
                CHECK(a.onlyKeys({"name", "id"}));
                TRY(vm, a.vmName());
                TRY(id, a.string("id", 32));
                if (!id || !validCameraId(*id))
                    return reply(makeError(ErrorClass::InvalidArgument, verb + ": 'id' is the camera's id in that VMS "
                                                                        "(`appliancectl vms cameras VM` lists them)"));
                askGuest(vm, verb, Json{{"id", *id}}, remove, std::move(reply));
            });
    }
    add("vms.camera.recorded_clock", true,
        "the camera's own clock (drawn in its frames; the simulated cameras have one) in the first frame the VMS "
        "recorded of it since since_ms, or the last it recorded: end first|last (admin)",
        [this](const Caller&, const Json& args, Reply reply) {
            const std::string verb = "vms.camera.recorded_clock";
            Arguments a(verb, args);
            CHECK(a.onlyKeys({"name", "id", "end", "since_ms"}));
            TRY(vm, a.vmName());
            TRY(id, a.string("id", 32));
            TRY(end, a.string("end", 8));
            TRY(since, a.integer("since_ms", 0, (1LL << 44) - 1));
            if (!id || !validCameraId(*id))
                return reply(makeError(ErrorClass::InvalidArgument, verb + ": 'id' is the camera's id in that VMS "
                                                                    "(`appliancectl vms cameras VM` lists them)"));
            if (!end || (*end != "first" && *end != "last"))
                return reply(makeError(ErrorClass::InvalidArgument, verb + ": 'end' is first or last"));
            // The changes' longer timeout: the guest decodes frames with ffmpeg (seconds each under
            // emulation, a few of them), though nothing changes.
            askGuest(vm, verb, Json{{"id", *id}, {"end", *end}, {"since_ms", since ? *since : 0}}, true, std::move(reply));
        });
}

}  // namespace appliance
