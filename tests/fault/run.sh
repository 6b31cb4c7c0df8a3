#!/usr/bin/env bash
# Runs the fault tests (tests/fault) against build/sluiced (or $SLUICED), bounded in time.
#   bash tests/fault/run.sh                      # CI: ~2-3 minutes
#   CRASH_CYCLES=1000 POWERLOSS_CYCLES=200 SLUICE_TEST_TIMEOUT=3600 FAULT_TIMEOUT=7200 \
#     bash tests/fault/run.sh -k "crash_loop or power_loss"   # by hand
# Env: FAULT_TIMEOUT (whole run, seconds, default 300), SLUICE_TEST_TIMEOUT (per test, default
# 150), CRASH_CYCLES (100), POWERLOSS_CYCLES (20), IDLE_CONNECTIONS (10000). Extra arguments go
# to pytest. Needs root for the disk-full test (tmpfs mount); it is skipped otherwise.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export SLUICE_TEST_TIMEOUT="${SLUICE_TEST_TIMEOUT:-150}"
cd "$ROOT"
exec timeout --kill-after=10 "${FAULT_TIMEOUT:-300}" /usr/bin/python3 -m pytest tests/fault \
  -p no:cacheprovider -q -rxXs --durations=10 "$@"
