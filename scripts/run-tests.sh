#!/bin/bash
# The tests: set up this machine (packages, libvirtd, virtlogd), build, build the test guest image,
# and run every test: unit tests, the fuzz corpus, the systemd unit check, and the integration tests
# against the real libvirtd with real TCG guests. .ci/run calls exactly this.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
source "$(dirname "$0")/lib/host-setup.sh"

require_root
install_packages
start_libvirt
build_project ci
build_test_guest ci

say "running the tests"
cd "$REPO/build/ci"
ctest --output-on-failure --timeout 600 -j1 "$@"
