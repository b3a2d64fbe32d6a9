// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/inventory.h"

#include <map>
#include <set>

namespace appliance::migration {

namespace {

void noteAddressChange(CameraRecord& known, const std::string& newAddress) {
    if (newAddress.empty() || newAddress == known.address) return;
    if (!known.address.empty()) {
        known.previousAddress = known.address;
        known.state = "changed-address";
        known.detail = "was at " + known.address + ", now at " + newAddress + " (the same ONVIF identity)";
    }
    known.address = newAddress;
}

}  // namespace

Status Inventory::registerCamera(CameraRecord camera) {
    auto known = m_store.camera(camera.id);
    if (!known) return known.error();
    if (camera.address.empty()) camera.address = uriHost(!camera.deviceUrl.empty() ? camera.deviceUrl : camera.streamUri);
    if (*known) {
        CameraRecord merged = **known;
        noteAddressChange(merged, camera.address);
        for (auto [field, value] : {std::pair{&merged.name, camera.name}, {&merged.deviceUrl, camera.deviceUrl},
                                    {&merged.streamUri, camera.streamUri}, {&merged.model, camera.model},
                                    {&merged.manufacturer, camera.manufacturer}, {&merged.firmware, camera.firmware}})
            if (!value.empty()) *field = value;
        // A device URL given by the administrator confirms a new address discovery reported.
        if (!camera.deviceUrl.empty() && merged.state == "changed-address" && uriHost(camera.deviceUrl) == merged.address)
            merged.state = "known", merged.detail.clear();
        if (camera.width) merged.width = camera.width, merged.height = camera.height;
        if (camera.fps) merged.fps = camera.fps;
        merged.lastSeenMs = nowMs();
        return m_store.putCamera(merged);
    }
    camera.state = "known";
    return m_store.putCamera(camera);
}

Result<Json> Inventory::discover(const camera::DiscoveryOptions& options, const std::string& directAddress,
                                 CameraChecks& checks) {
    auto found = directAddress.empty() ? camera::discoverCameras(options) : camera::probeAddress(directAddress, options);
    if (!found) return found.error();
    Json findings = Json::array();
    int added = 0, updated = 0, probed = 0, conflicts = 0, refused = 0;
    for (const auto& d : *found) {
        // What a device says is data: an identity or address that cannot be a camera's is reported.
        // Its own address only: an answer naming another host would send us (and the stored
        // password) wherever a spoofer likes. Of its service addresses, the one on its own host.
        std::string deviceUrl;
        for (const auto& x : d.xaddrs)
            if (x.rfind("http://", 0) == 0 && uriHost(x) == d.source) {
                deviceUrl = x;
                break;
            }
        if (!validCameraId(d.endpointReference) || deviceUrl.empty()) {
            ++refused;
            findings.push_back("a device at " + d.source + " answered with an identity, or without a service address on "
                               "its own host; ignored");
            continue;
        }
        if (!d.conflictingSources.empty()) {
            ++conflicts;
            findings.push_back("camera " + d.endpointReference + " answered from " + d.source + " and from " +
                               d.conflictingSources.front() + ": two devices claim one identity; check them, nothing was changed");
            continue;
        }
        auto known = m_store.camera(d.endpointReference);
        if (!known) return known.error();
        CameraRecord cam;
        bool trusted = true;  // whether its stored credentials may go to deviceUrl
        if (*known) {
            cam = **known;
            // Anyone on the network can answer with a camera's identity: its password goes only
            // to the host it was known at (its device URL's, else the address its stream came
            // from); another host waits for the administrator's `camera add --device-url`.
            const std::string knownHost = !cam.deviceUrl.empty() ? uriHost(cam.deviceUrl) : cam.address;
            trusted = !knownHost.empty() && knownHost == d.source;
            if (trusted) {
                cam.deviceUrl = deviceUrl;
            } else {
                if (cam.address != d.source) cam.previousAddress = cam.address, cam.address = d.source;
                cam.state = "changed-address";
                cam.detail = "answered WS-Discovery from " + d.source + (knownHost.empty() ? "" : ", known at " + knownHost) +
                             " (the same ONVIF identity); its password goes there only after "
                             "`camera-migrator camera add ID --device-url URL` confirms it";
                findings.push_back("camera '" + cam.name + "' (" + cam.id + "): " + cam.detail);
            }
            ++updated;
        } else {
            cam.id = d.endpointReference, cam.name = d.name.empty() ? d.endpointReference : d.name;
            cam.deviceUrl = deviceUrl, cam.address = uriHost(deviceUrl);
            cam.state = "discovered", cam.detail = "found by WS-Discovery; no VMS records it yet";
            cam.firstSeenMs = nowMs();
            ++added;
            findings.push_back("discovered camera '" + cam.name + "' (" + cam.id + ") at " + cam.address);
        }
        cam.lastSeenMs = nowMs();
        auto k = trusted ? m_store.credentials(cam.id) : Result<std::optional<CameraCredentials>>(std::nullopt);
        if (k && *k) {
            auto info = checks.onvifDevice(deviceUrl, **k);
            if (info) {
                cam.manufacturer = info->value("manufacturer", cam.manufacturer);
                cam.model = info->value("model", cam.model);
                cam.firmware = info->value("firmware_version", cam.firmware);
                ++probed;
            } else {
                findings.push_back("camera '" + cam.name + "' does not accept its stored credentials or does not answer: " +
                                   info.error().message);
            }
        }
        if (auto st = m_store.putCamera(cam); !st) return st.error();
    }
    return Json{{"found", found->size()}, {"added", added}, {"updated", updated}, {"probed", probed},
                {"conflicts", conflicts}, {"ignored", refused}, {"findings", findings}};
}

Result<Json> Inventory::refresh() {
    Json findings = Json::array();
    auto vms = m_vms.runningVms();
    if (!vms) return vms.error();
    std::vector<std::string> reachable;
    for (const auto& vm : *vms) {
        auto info = m_vms.info(vm);
        if (!info) {
            // A VM without a VMS (its agent says so) is not an instance; one that does not answer is
            // an instance we cannot reach now, if we knew it.
            auto known = m_store.vms(vm);
            if (info.error().cls != ErrorClass::NotFound && known && *known) {
                VmsInstance v = **known;
                v.reachable = false, v.reason = info.error().message;
                (void)m_store.putVms(v);
                findings.push_back("VMS in VM '" + vm + "' does not answer: " + info.error().message);
            }
            continue;
        }
        if (auto s = m_store.putVms(*info); !s) return s.error();
        if (info->reachable) reachable.push_back(vm);
        else findings.push_back("VMS in VM '" + vm + "' is not ready: " + info->reason);
    }

    // Cameras moving in a plan are in two VMSs on purpose (make-before-break): "moving", not a
    // conflict. Taken before the VMSs are asked, so a move committed meanwhile still counts.
    std::set<std::string> moving;
    if (auto plans = m_store.plans())
        for (const auto& p : *plans)
            for (const auto& i : p.items)
                if (i.state == ItemState::Running || i.state == ItemState::RollingBack || i.state == ItemState::Paused ||
                    i.state == ItemState::Failed)
                    moving.insert(i.cameraId);
    std::map<std::string, std::vector<std::string>> holders;  // camera id -> VMs that record it
    int imported = 0, unidentified = 0;
    for (const auto& vm : reachable) {
        auto list = m_vms.cameras(vm);
        if (!list) {
            findings.push_back("cannot list the cameras of VM '" + vm + "': " + list.error().message);
            continue;
        }
        std::vector<VmsCamera> rows;
        for (const auto& c : *list) {
            // What a guest says is data: an identity or a stream that could not have come from a
            // camera (or that points anywhere else than rtsp://) is reported, never imported.
            if (c.onvifId.empty() || !validCameraId(c.onvifId) || !validStreamUri(c.streamUri)) {
                ++unidentified;
                findings.push_back("VM '" + vm + "' records camera " + c.id + " ('" + c.name + "') " +
                                   (c.onvifId.empty() ? "without an ONVIF identity" : "with an identity or stream that is not valid") +
                                   "; register it with `camera-migrator camera add`");
                continue;
            }
            const std::string hostUri = m_views.toHost(c.streamUri);
            auto known = m_store.camera(c.onvifId);
            if (!known) return known.error();
            if (!*known) {
                CameraRecord cam;
                cam.id = c.onvifId, cam.name = c.name, cam.streamUri = hostUri, cam.address = uriHost(hostUri);
                if (auto s = m_store.putCamera(cam); !s) return s.error();
                ++imported;
                findings.push_back("imported camera '" + c.name + "' (" + c.onvifId + ") from VM '" + vm + "'");
            } else if (auto moved = m_views.streamMovedNote(vm, c.onvifId, (*known)->streamUri, c.streamUri); !moved.empty()) {
                findings.push_back("camera '" + c.name + "' (" + c.onvifId + "): " + moved);
            }
            rows.push_back({vm, c.onvifId, c.id, c.name, c.streamUri, c.receiving, c.recording, nowMs()});
            holders[c.onvifId].push_back(vm);
        }
        if (auto s = m_store.replaceVmsCameras(vm, rows); !s) return s.error();
    }

    auto cameras = m_store.cameras();
    if (!cameras) return cameras.error();
    int conflicts = 0, missing = 0;
    for (const auto& cam : *cameras) {
        const auto& in = holders[cam.id];
        auto assigned = m_store.assignment(cam.id);
        if (!assigned) return assigned.error();
        std::string state = cam.state == "changed-address" ? cam.state : "known", detail = cam.state == "changed-address" ? cam.detail : "";
        if (moving.count(cam.id)) {
            state = "moving", detail = "part of a plan that has not finished with it";
        } else if (in.size() > 1) {
            state = "conflict", detail = "recorded by VM '" + in[0] + "' and VM '" + in[1] + "'; remove it from one";
            ++conflicts;
        } else if (in.size() == 1) {
            if (!*assigned) (void)m_store.assignIfUnassigned(cam.id, in[0]);
            else if ((*assigned)->vm != in[0])
                state = "conflict", detail = "assigned to VM '" + (*assigned)->vm + "' but recorded by VM '" + in[0] + "'", ++conflicts;
        } else if (*assigned) {
            const bool vmAnswered = std::find(reachable.begin(), reachable.end(), (*assigned)->vm) != reachable.end();
            if (vmAnswered) {
                state = "missing", detail = "assigned to VM '" + (*assigned)->vm + "', which no longer records it";
                ++missing;
            } else {
                state = "unknown", detail = "VM '" + (*assigned)->vm + "' cannot be asked now";
            }
        } else {
            state = "unassigned", detail = "no VMS records it";
        }
        if (state == "conflict" || state == "missing") findings.push_back("camera '" + cam.name + "': " + detail);
        if (state != cam.state || detail != cam.detail)
            if (auto s = m_store.setCameraState(cam.id, state, detail); !s) return s.error();
    }
    return Json{{"vms_instances", reachable.size()}, {"cameras", cameras->size()}, {"imported", imported},
                {"unidentified", unidentified}, {"conflicts", conflicts}, {"missing", missing}, {"findings", findings}};
}

}  // namespace appliance::migration
