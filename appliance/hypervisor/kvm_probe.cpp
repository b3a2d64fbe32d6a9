// SPDX-License-Identifier: GPL-2.0-or-later
#include "hypervisor/kvm_probe.h"

#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace appliance {

namespace {
bool cpuHasVirtualizationFlag() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("flags", 0) != 0) continue;
        std::istringstream words(line);
        std::string w;
        while (words >> w)
            if (w == "vmx" || w == "svm") return true;
    }
    return false;
}

bool moduleLoaded(const char* name) {
    struct stat st{};
    return ::stat((std::string("/sys/module/") + name).c_str(), &st) == 0;
}
}  // namespace

KvmProbe probeKvm() {
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) return {false, "/dev/kvm cannot be opened"};
    int api = ::ioctl(fd, KVM_GET_API_VERSION, 0);
    int vm = api == KVM_API_VERSION ? ::ioctl(fd, KVM_CREATE_VM, 0) : -1;
    if (vm >= 0) ::close(vm);
    ::close(fd);
    if (api != KVM_API_VERSION) return {false, "/dev/kvm answers an unexpected API version"};
    if (vm < 0) return {false, "/dev/kvm refuses to create a VM"};
    // A paravirtualised KVM (e.g. kvm_pvm) creates VMs but hangs ordinary guests: insist on the
    // CPU flag and on the vendor module that real hardware virtualization uses.
    if (!cpuHasVirtualizationFlag()) return {false, "the CPU has no vmx/svm flag (nested or paravirtualised KVM)"};
    if (!moduleLoaded("kvm_intel") && !moduleLoaded("kvm_amd"))
        return {false, "neither kvm_intel nor kvm_amd is loaded"};
    return {true, "hardware virtualization available"};
}

std::string chooseDomainType(const std::string& mode, const KvmProbe& probe) {
    if (mode == "kvm" || mode == "qemu") return mode;
    return probe.usable ? "kvm" : "qemu";
}

}  // namespace appliance
