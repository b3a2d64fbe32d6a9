// SPDX-License-Identifier: GPL-2.0-or-later
// Small helpers the benchmark programs share.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/types.h>
#include <vector>

namespace appliance::bench {

inline double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p / 100.0 * double(v.size())))];
}

inline long rssKib(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

/// `--name N` from the command line, or `def`.
inline int intArg(int argc, char** argv, const char* name, int def) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == name) return std::atoi(argv[i + 1]);
    return def;
}

}  // namespace appliance::bench
