#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/ and runs each one for a
# bounded time, after replaying its regression inputs (tests/fuzz/regressions/<target>/).
#
#   bash tests/fuzz/run.sh                 # 20 s per target (CI)
#   FUZZ_SECONDS=3600 bash tests/fuzz/run.sh fuzz_log_recovery   # longer, by hand
#
# Env: FUZZ_SECONDS (per target, default 20), FUZZ_BUILD_DIR (default <repo>/build-fuzz),
#      FUZZ_JOBS (ninja -j, default 2). Arguments: the targets to run (default: all).
# Exit status: non-zero if the build fails or any target crashes, leaks, times out on an input
# or fails a regression input. Crash inputs are left in $FUZZ_BUILD_DIR/artifacts/<target>/;
# copy them to tests/fuzz/regressions/<target>/ once fixed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
JOBS="${FUZZ_JOBS:-2}"
ALL_TARGETS=(fuzz_request fuzz_record_batch fuzz_log_recovery fuzz_config)
[ $# -gt 0 ] && TARGETS=("$@") || TARGETS=("${ALL_TARGETS[@]}")

CC_BIN="${CC:-clang}"
CXX_BIN="${CXX:-clang++}"
if ! command -v "$CXX_BIN" >/dev/null || ! "$CXX_BIN" --version | grep -qi clang; then
  echo "fuzz: clang++ is required (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi

GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$HERE" -B "$BUILD" "${GEN[@]}" -DCMAKE_C_COMPILER="$CC_BIN" \
    -DCMAKE_CXX_COMPILER="$CXX_BIN" -DSLUICE_FUZZ=ON >/dev/null
fi
cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
summary=()
for t in "${TARGETS[@]}"; do
  bin="$BUILD/$t"
  work="$BUILD/corpus/$t"        # grows over runs; seeds stay untouched in tests/fuzz/corpus
  art="$BUILD/artifacts/$t/"
  log="$BUILD/logs/$t.log"
  mkdir -p "$work" "$art" "$(dirname "$log")"

  # 1. Regression inputs: each must run clean.
  reg="$HERE/regressions/$t"
  if [ -d "$reg" ] && [ -n "$(ls -A "$reg" 2>/dev/null)" ]; then
    if ! "$bin" -runs=1 "$reg"/* >"$BUILD/logs/$t.regressions.log" 2>&1; then
      echo "fuzz: $t FAILED a regression input (see $BUILD/logs/$t.regressions.log)" >&2
      tail -40 "$BUILD/logs/$t.regressions.log" >&2
      failed+=("$t(regression)")
      continue
    fi
    nreg=$(ls -1 "$reg" | wc -l)
  else
    nreg=0
  fi

  # 2. Bounded fuzzing from the seeds plus what earlier runs found.
  seeds="$HERE/corpus/$t"
  status=0
  "$bin" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$art" "$work" "$seeds" >"$log" 2>&1 || status=$?
  execs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -1 || true)
  cov=$( (grep -Eo 'cov: [0-9]+' "$log" || true) | tail -1 | awk '{print $2}')
  line="$t: executions=${execs:-?} coverage=${cov:-?} regressions=$nreg time=${SECONDS_PER_TARGET}s"
  if [ "$status" -ne 0 ]; then
    line="$line CRASH (exit $status; inputs in $art, log $log)"
    failed+=("$t")
    grep -E "ERROR: |SUMMARY: |runtime error|fuzz_[a-z_]+: " "$log" | head -5 >&2 || true
  fi
  echo "fuzz: $line"
  summary+=("$line")
done

echo "fuzz: ---- summary ----"
printf 'fuzz: %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all targets clean"
