// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/logging.h"

#include <cstdlib>
#include <mutex>

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace appliance::logging {

namespace {
std::mutex g_mutex;
spdlog::sink_ptr g_sink;
std::string g_pattern = "%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v";
}  // namespace

void setup(const std::string& programName) {
    std::lock_guard lock(g_mutex);
    if (!g_sink) g_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    if (std::getenv("JOURNAL_STREAM")) g_pattern = "%l [%n] %v";
    auto main = std::make_shared<spdlog::logger>(programName, g_sink);
    main->set_pattern(g_pattern);
    spdlog::set_default_logger(main);
    spdlog::cfg::load_env_levels();
}

std::shared_ptr<spdlog::logger> get(const std::string& name) {
    std::lock_guard lock(g_mutex);
    if (auto existing = spdlog::get(name)) return existing;
    if (!g_sink) g_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>(name, g_sink);
    logger->set_pattern(g_pattern);
    logger->set_level(spdlog::default_logger()->level());
    spdlog::register_logger(logger);
    spdlog::cfg::load_env_levels();
    return logger;
}

}  // namespace appliance::logging
