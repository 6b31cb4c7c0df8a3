#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests (also under ASan/UBSan) and
# the integration, crash and hostile-input tests against a real broker with real Kafka clients.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON >/dev/null
cmake --build build-asan --target protocol_tests storage_tests group_tests txn_tests broker_tests
ctest --test-dir build-asan --output-on-failure -j2

# ThreadSanitizer over the threaded parts: the flusher and its hand-off (storage), the shards
# and their message passing (broker).
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSLUICE_TSAN=ON >/dev/null
cmake --build build-tsan --target storage_tests broker_tests
TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/unit/storage_tests
TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/unit/broker_tests

# kafkajs from npm, installed next to the tests that use it.
(cd tests/integration/js && { [ -d node_modules/kafkajs ] || npm install --no-audit --no-fund --silent; })
# The Java client from Maven Central, franz-go from the Go module proxy and kafka-python 3 from
# PyPI, into git-ignored folders (no-ops when already there). Up front, so a failed download stops the run here, loudly.
bash tests/integration/java/fetch-deps.sh
bash tests/integration/go/fetch-deps.sh
bash tests/integration/kp3/setup-venv.sh

SLUICED="$PWD/build/sluiced" SLUICE_CLI="$PWD/build/sluice" \
  /usr/bin/python3 -m pytest -q tests/integration "$@"

# The broker itself under ThreadSanitizer, driven by real clients: shards, connections and the
# flusher in one process. A race report makes sluiced exit non-zero, which fails the test.
cmake --build build-tsan --target sluiced
SLUICED="$PWD/build-tsan/sluiced" SLUICE_CLI="$PWD/build/sluice" TSAN_OPTIONS=exitcode=66 \
  /usr/bin/python3 -m pytest -q tests/integration/test_confluent.py \
  tests/integration/test_groups_confluent.py

# Faults: kill -9 crash loop, simulated power loss, corruption at rest, disk full, limits.
bash tests/fault/run.sh
# Fuzzing (clang libFuzzer + ASan/UBSan), a bounded time per target; regressions replayed first.
bash tests/fuzz/run.sh
