// SPDX-License-Identifier: GPL-2.0-or-later
// Raw peers for tests and benchmarks of what a hostile or unprivileged peer can do: a child
// process as another user, plain Unix and loopback TCP connections, and reading until the server
// hangs up. Blocking; test code only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace appliance::test {

/// Runs `body` in a child process as `uid`/`gid` with supplementary `groups` (the caller is root);
/// returns what the child wrote to the descriptor it is given.
std::string runAs(uid_t uid, gid_t gid, std::vector<gid_t> groups, const std::function<void(int out)>& body);
void writeAll(int fd, const std::string& s);
/// A connected socket, or -1.
int connectUnix(const std::string& path);
int connectTcp(int port);  ///< to 127.0.0.1
/// Everything the peer sends until it closes, plus "<still open>" after `timeoutMs` of silence.
std::string readUntilClosed(int fd, int timeoutMs);
/// True if the server closed `fd` within `timeoutMs` (0: has it already?).
bool closedByServer(int fd, int timeoutMs);

}  // namespace appliance::test
