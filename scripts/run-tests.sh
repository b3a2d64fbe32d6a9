#!/bin/bash
# The tests: set up this machine (packages, libvirtd, virtlogd), build, build the test guest image,
# and run every test: unit tests, the fuzz corpus, the systemd unit check, the integration tests
# against the real libvirtd with real TCG guests, and the thread-sanitized subset. .ci/run calls
# exactly this.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
source "$(dirname "$0")/lib/host-setup.sh"

require_root
install_packages
start_libvirt
# The same build as the main command's (preset dev): whichever runs second reuses it.
build_project dev
build_test_guest dev
build_vms_images dev

say "running the tests"
cd "$REPO/build/dev"
ctest --output-on-failure --timeout 600 -j1 "$@"

# The same unit tests and the agent, focus and hardening integration tests once more, built with
# ThreadSanitizer (a race makes applianced or the test exit). APPLIANCE_SKIP_TSAN=1 skips it.
if [ "${APPLIANCE_SKIP_TSAN:-0}" != 1 ] && [ $# = 0 ]; then
    build_project tsan
    say "running the tests under ThreadSanitizer"
    cd "$REPO"
    ctest --preset tsan --timeout 900 -j1 --no-tests=error
fi
