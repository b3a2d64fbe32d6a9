// SPDX-License-Identifier: GPL-2.0-or-later
// Golden files for the domain XML we generate. To regenerate after an intended change:
//   APPLIANCE_REGENERATE_GOLDEN=1 build/dev/tests/unit_tests --gtest_filter='DomainXml*'
// and read the diff carefully before committing it.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <set>

#include "hypervisor/domain_xml.h"
#include "hypervisor/kvm_probe.h"

namespace appliance {
namespace {

void compareWithGolden(const std::string& name, const std::string& actual) {
    std::string path = std::string(APPLIANCE_SOURCE_DIR) + "/tests/golden/" + name;
    if (std::getenv("APPLIANCE_REGENERATE_GOLDEN")) {
        std::ofstream(path) << actual;
        return;
    }
    std::ifstream f(path);
    ASSERT_TRUE(f.good()) << "missing golden file " << path << "; regenerate with APPLIANCE_REGENERATE_GOLDEN=1";
    std::stringstream ss;
    ss << f.rdbuf();
    EXPECT_EQ(actual, ss.str()) << "generated XML differs from " << path;
}

DomainTemplateInput kernelBoot() {
    VmCreateSpec spec;
    spec.name = "legacy-vms";
    spec.vcpus = 2;
    spec.maxVcpus = 4;
    spec.memoryMib = 512;
    spec.kernelPath = "/var/lib/appliance/images/test-guest/vmlinuz";
    spec.initrdPath = "/var/lib/appliance/images/test-guest/initrd.img";
    spec.kernelCmdline = "console=ttyS0 appliance.name=legacy-vms";
    spec.description = "old VMS <floor 1> & co";
    return {spec, vmPaths("/run/appliance/vms", "/var/lib/appliance/share", "legacy-vms"), "qemu", "default", std::nullopt};
}

TEST(DomainXmlTest, KernelBootMatchesGolden) { compareWithGolden("domain-kernel-boot.xml", buildDomainXml(kernelBoot())); }

TEST(DomainXmlTest, DiskBootWithoutNetworkMatchesGolden) {
    DomainTemplateInput in = kernelBoot();
    in.spec.kernelPath.clear();
    in.spec.initrdPath.clear();
    in.spec.diskPath = "/var/lib/appliance/disks/new-vms.qcow2";
    in.spec.network = "none";
    in.domainType = "kvm";
    in.qemuUser = DomainTemplateInput::DacUser{1879048193, 64055};  // its own user, libvirt's QEMU group
    in.backingImage = "/var/lib/appliance/images/vms-motion/rootfs.qcow2";  // left to root
    compareWithGolden("domain-disk-boot.xml", buildDomainXml(in));
}

TEST(DomainXmlTest, EveryDacUserOfADomainIsReadBackAndOnlyFromDacLabels) {
    using Ids = std::set<uint32_t>;
    DomainTemplateInput in = kernelBoot();
    EXPECT_EQ(dacUidsFromDomainXml(buildDomainXml(in)), Ids{}) << "no label: libvirt's own qemu user";
    in.qemuUser = DomainTemplateInput::DacUser{1879048200, 64055};
    EXPECT_EQ(dacUidsFromDomainXml(buildDomainXml(in)), Ids{1879048200});
    // libvirt's live XML: a disk's own label comes before the domain's, an SELinux label beside.
    EXPECT_EQ(dacUidsFromDomainXml("<domain><devices><disk><source file='/d'><seclabel model='dac' relabel='yes'>"
                                   "<label>+1000:+1000</label></seclabel></source></disk></devices>"
                                   "<seclabel type='dynamic' model='selinux'><label>system_u:1</label></seclabel>"
                                   "<seclabel type=\"static\" model=\"dac\" relabel=\"yes\"><label>+42:+64055</label>"
                                   "<imagelabel>+42:+64055</imagelabel></seclabel></domain>"),
              (Ids{42, 1000}));
    for (const char* bad : {"<seclabel model='dac'><label>+:+1</label></seclabel>",
                            "<seclabel model='dac'><label>+99999999999:+1</label></seclabel>",
                            "<seclabel model='dac'><label>qemu:kvm</label></seclabel>", "<seclabel model='dac'>"})
        EXPECT_EQ(dacUidsFromDomainXml(bad), Ids{}) << bad;
}

TEST(DomainXmlTest, MetadataNamesItsInstance) {
    std::string xml = buildDomainXml(kernelBoot());
    EXPECT_EQ(instanceFromMetadata(xml), "default");
    EXPECT_EQ(instanceFromMetadata("<appliance:vm xmlns:appliance='urn:appliance:vm:1' instance='test-1'/>"), "test-1");
    EXPECT_EQ(instanceFromMetadata(metadataElement("x\"y")), "x&quot;y");
    EXPECT_EQ(instanceFromMetadata("<other/>"), "");
}

TEST(DomainXmlTest, ValuesAreEscaped) {
    EXPECT_EQ(xmlEscape("a<b>&'\""), "a&lt;b&gt;&amp;&apos;&quot;");
    EXPECT_EQ(buildDomainXml(kernelBoot()).find("<floor 1>"), std::string::npos);
}

TEST(KvmProbeTest, ForcedModesWinAndAutoFollowsTheProbe) {
    EXPECT_EQ(chooseDomainType("qemu", {true, ""}), "qemu");
    EXPECT_EQ(chooseDomainType("kvm", {false, ""}), "kvm");
    EXPECT_EQ(chooseDomainType("auto", {false, ""}), "qemu");
    EXPECT_EQ(chooseDomainType("auto", {true, ""}), "kvm");
    KvmProbe here = probeKvm();
    EXPECT_FALSE(here.reason.empty());
}

}  // namespace
}  // namespace appliance
