#!/bin/bash
# Prints systemd-analyze's exposure for a unit and fails if it is worse than "OK" (5.0 or above
# is "MEDIUM", the level where hardening has been given up somewhere).
# SPDX-License-Identifier: GPL-2.0-or-later
set -uo pipefail
unit=${1:?usage: check-unit-security.sh UNIT_FILE}
out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
rc=$?
echo "$out" | grep -E '^(✗|✓)|Overall' | tail -25
score=$(echo "$out" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
[ -n "$score" ] || { echo "systemd-analyze gave no exposure (rc $rc):"; echo "$out" | tail -5; exit 1; }
echo "exposure of $(basename "$unit"): $score"
awk -v s="$score" 'BEGIN { exit !(s < 5.0) }' || { echo "exposure $score is 5.0 or worse"; exit 1; }
