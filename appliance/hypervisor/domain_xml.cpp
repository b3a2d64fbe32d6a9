// SPDX-License-Identifier: GPL-2.0-or-later
#include "hypervisor/domain_xml.h"

#include <regex>
#include <set>
#include <sstream>

namespace appliance {

VmPaths vmPaths(const std::string& runRoot, const std::string& shareRoot, const std::string& name) {
    return VmPaths{runRoot + "/" + name, shareRoot + "/" + name};
}

std::string xmlEscape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string metadataElement(const std::string& instance) {
    return "<vm instance=\"" + xmlEscape(instance) + "\"><role>vms</role></vm>";
}

std::string instanceFromMetadata(const std::string& metadataXml) {
    static const std::regex inst(R"re(<(?:\w+:)?vm\b[^>]*\binstance=["']([^"']*)["'])re");
    std::smatch m;
    if (std::regex_search(metadataXml, m, inst)) return m[1];
    return "";
}

std::set<uint32_t> dacUidsFromDomainXml(const std::string& domainXml) {
    // Every DAC label, the domain's and its devices' (a disk or a chardev may name a user too):
    // the ids are only reserved, so one too many costs nothing. A plain scan, not a regex:
    // libstdc++'s regex recurses per character.
    std::set<uint32_t> uids;
    for (std::size_t at = domainXml.find("<seclabel"); at != std::string::npos; at = domainXml.find("<seclabel", at + 1)) {
        std::size_t tagEnd = domainXml.find('>', at);
        std::size_t end = domainXml.find("</seclabel>", at);
        if (tagEnd == std::string::npos || end == std::string::npos) break;
        std::string tag = domainXml.substr(at, tagEnd - at);
        if (tag.find("model='dac'") == std::string::npos && tag.find("model=\"dac\"") == std::string::npos) continue;
        std::size_t label = domainXml.find("<label>", tagEnd);
        if (label == std::string::npos || label > end) continue;
        std::size_t p = label + 7;
        if (p < end && domainXml[p] == '+') ++p;
        uint64_t uid = 0;
        std::size_t digits = 0;
        for (; p < end && digits < 11 && domainXml[p] >= '0' && domainXml[p] <= '9'; ++p, ++digits)
            uid = uid * 10 + uint64_t(domainXml[p] - '0');
        if (digits == 0 || digits > 10 || uid > 0xFFFFFFFEull || p >= end || domainXml[p] != ':') continue;
        uids.insert(static_cast<uint32_t>(uid));
    }
    return uids;
}

std::string buildDomainXml(const DomainTemplateInput& in) {
    const VmCreateSpec& s = in.spec;
    const int maxVcpus = s.maxVcpus > s.vcpus ? s.maxVcpus : s.vcpus;
    std::ostringstream x;
    x << "<domain type='" << xmlEscape(in.domainType) << "'>\n"
      << "  <name>" << xmlEscape(s.name) << "</name>\n";
    if (!s.description.empty()) x << "  <description>" << xmlEscape(s.description) << "</description>\n";
    x << "  <metadata>\n"
      << "    <" << kMetadataPrefix << ":vm xmlns:" << kMetadataPrefix << "='" << kMetadataUri << "' instance='"
      << xmlEscape(in.instance) << "'><" << kMetadataPrefix << ":role>vms</" << kMetadataPrefix << ":role></"
      << kMetadataPrefix << ":vm>\n"
      << "  </metadata>\n"
      << "  <memory unit='MiB'>" << s.memoryMib << "</memory>\n"
      << "  <currentMemory unit='MiB'>" << s.memoryMib << "</currentMemory>\n"
      << "  <vcpu placement='static' current='" << s.vcpus << "'>" << maxVcpus << "</vcpu>\n"
      << "  <os>\n"
      << "    <type arch='x86_64' machine='pc'>hvm</type>\n";
    if (!s.kernelPath.empty()) {
        x << "    <kernel>" << xmlEscape(s.kernelPath) << "</kernel>\n";
        if (!s.initrdPath.empty()) x << "    <initrd>" << xmlEscape(s.initrdPath) << "</initrd>\n";
        x << "    <cmdline>" << xmlEscape(s.kernelCmdline) << "</cmdline>\n";
    } else {
        x << "    <boot dev='hd'/>\n";
    }
    x << "  </os>\n"
      << "  <features><acpi/><apic/></features>\n"
      << "  <on_poweroff>destroy</on_poweroff>\n"
      << "  <on_reboot>restart</on_reboot>\n"
      << "  <on_crash>destroy</on_crash>\n"
      << "  <devices>\n";
    if (!s.diskPath.empty()) {
        const bool qcow2 = s.diskPath.size() > 6 && s.diskPath.substr(s.diskPath.size() - 6) == ".qcow2";
        x << "    <disk type='file' device='disk'>\n"
          << "      <driver name='qemu' type='" << (qcow2 ? "qcow2" : "raw") << "'/>\n"
          << "      <source file='" << xmlEscape(s.diskPath) << "'/>\n";
        if (!in.backingImage.empty())
            x << "      <backingStore type='file'>\n"
              << "        <format type='qcow2'/>\n"
              << "        <source file='" << xmlEscape(in.backingImage) << "'>\n"
              << "          <seclabel model='dac' relabel='no'/>\n"
              << "        </source>\n"
              << "        <backingStore/>\n"
              << "      </backingStore>\n";
        x << "      <target dev='vda' bus='virtio'/>\n"
          << "    </disk>\n";
    }
    // Serial output goes to a log file through virtlogd, so it survives QEMU and is readable by root.
    x << "    <serial type='pty'><log file='" << xmlEscape(in.paths.consoleLog()) << "' append='off'/></serial>\n"
      << "    <console type='pty'/>\n"
      << "    <channel type='unix'>\n"
      << "      <source mode='bind' path='" << xmlEscape(in.paths.agentSocket()) << "'/>\n"
      << "      <target type='virtio' name='" << kAgentChannelName << "'/>\n"
      << "    </channel>\n"
      << "    <filesystem type='mount' accessmode='mapped'>\n"
      << "      <source dir='" << xmlEscape(in.paths.shareDir) << "'/>\n"
      << "      <target dir='" << kShareTag << "'/>\n"
      << "      <readonly/>\n"
      << "    </filesystem>\n";
    if (s.network == "user")
        x << "    <interface type='user'><model type='virtio'/></interface>\n";
    x << "    <graphics type='vnc'><listen type='socket' socket='" << xmlEscape(in.paths.vncSocket())
      << "'/></graphics>\n"
      << "    <video><model type='vga'/></video>\n"
      << "    <input type='tablet' bus='usb'/>\n"
      << "    <memballoon model='none'/>\n"
      << "  </devices>\n";
    // QEMU as this VM's own user; libvirt hands it the VM's disk, sockets and its own per-domain
    // files for the run (relabel) and gives them back when it stops.
    if (in.qemuUser)
        x << "  <seclabel type='static' model='dac' relabel='yes'><label>+" << in.qemuUser->uid << ":+"
          << in.qemuUser->gid << "</label></seclabel>\n";
    x << "</domain>\n";
    return x.str();
}

}  // namespace appliance
