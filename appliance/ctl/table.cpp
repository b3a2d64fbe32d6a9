// SPDX-License-Identifier: GPL-2.0-or-later
#include "ctl/table.h"

#include <algorithm>
#include <cstdio>

namespace appliance {

std::string formatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size());
    for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t i = 0; i < width.size(); ++i) {
            std::string c = i < cells.size() ? cells[i] : "";
            out += c;
            if (i + 1 < width.size()) out += std::string(width[i] - c.size() + 2, ' ');
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string out = line(header);
    for (const auto& r : rows) out += line(r);
    return out;
}

std::string formatDuration(long long s) {
    if (s < 0) return "-";
    long long d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60;
    if (d > 0) return std::to_string(d) + "d " + std::to_string(h) + "h";
    if (h > 0) return std::to_string(h) + "h " + std::to_string(m) + "m";
    if (m > 0) return std::to_string(m) + "m " + std::to_string(s % 60) + "s";
    return std::to_string(s) + "s";
}

std::string jsonCell(const protocol::Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "-";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
    if (it->is_number_float()) {
        char b[32];
        std::snprintf(b, sizeof b, "%.1f", it->get<double>());
        return b;
    }
    return it->dump();
}

}  // namespace appliance
