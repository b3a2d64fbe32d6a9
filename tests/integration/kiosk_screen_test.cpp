// SPDX-License-Identifier: GPL-2.0-or-later
// The kiosk covers its whole screen: the real appliance-console on an X server without a window
// manager (Xvfb at 1280x800, as the main command runs it headless), where a window asking for
// full screen is not resized by anyone. The console's page colour must reach every corner.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "bench/x_screen.h"

namespace {

using namespace appliance::bench;
using Clock = std::chrono::steady_clock;

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
    pid_t pid = ::fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        freopen("/dev/null", "w", stdout);
        for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

// Ends the process when the test ends, also when an assertion returns early.
struct Child {
    pid_t pid = -1;
    ~Child() {
        if (pid <= 0) return;
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
    }
};

TEST(KioskScreenTest, TheConsoleCoversTheWholeScreenWithoutAWindowManager) {
    if (std::system("command -v Xvfb >/dev/null") != 0) GTEST_SKIP() << "Xvfb is not installed (the README's commands install it)";
    const std::string display = ":76";
    Child xvfb{spawn({"Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"})};
    XScreen* screen = nullptr;
    for (auto t0 = Clock::now(); !screen && Clock::now() - t0 < std::chrono::seconds(15);
         std::this_thread::sleep_for(std::chrono::milliseconds(100)))
        screen = openXScreen(display.c_str());
    ASSERT_NE(screen, nullptr) << "Xvfb did not start on " << display;
    int width = 0, height = 0;
    const bool sized = xScreenSize(screen, &width, &height);
    if (!sized || width != 1280) closeXScreen(screen);
    ASSERT_TRUE(sized);
    ASSERT_EQ(width, 1280);
    // No applianced behind it: the admin console says it waits, on its own background colour.
    Child console{spawn({APPLIANCE_CONSOLE_PATH, "--admin-socket", "/nonexistent/admin.sock", "--migrator-socket",
                           "/nonexistent/migrator.sock"},
                          {"DISPLAY=" + display, "QT_QUICK_BACKEND=software", "QT_QPA_PLATFORM=xcb"})};
    // The admin page's background (#1e2228) at each corner, 4 px in; the bare X root is black.
    auto isPage = [&](int x, int y) {
        int r = 0, g = 0, b = 0;
        return xScreenPixel(screen, x, y, &r, &g, &b) && r == 0x1e && g == 0x22 && b == 0x28;
    };
    const std::pair<int, int> corners[] = {{width - 5, height - 5}, {width - 5, height / 2}, {width / 2, height - 5}};
    bool covered = false;
    for (auto t0 = Clock::now(); !covered && Clock::now() - t0 < std::chrono::seconds(30);
         std::this_thread::sleep_for(std::chrono::milliseconds(200))) {
        covered = true;
        for (auto [x, y] : corners) covered = covered && isPage(x, y);
    }
    for (auto [x, y] : corners) {
        int r = 0, g = 0, b = 0;
        xScreenPixel(screen, x, y, &r, &g, &b);
        EXPECT_TRUE(isPage(x, y)) << "pixel (" << x << "," << y << ") is " << r << "," << g << "," << b
                                  << ": the kiosk does not cover the screen";
    }
    closeXScreen(screen);
}

}  // namespace
