#!/usr/bin/env bash
# Plain vs idempotent durable produce against one broker in one run, interleaved, with the
# broker's CPU time per message (from /proc/<pid>/stat), so the broker's cost of idempotence is
# seen apart from the client's. Not part of CI. Usage: bash bench/idempotence.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
source bench/modes_lib.sh
start_broker "${PORT:-49093}"
for ((i = 1; i <= rounds; i++)); do
  for mode in plain plain-inflight5 idempotent; do
    case $mode in
      plain) flags=() ;;
      # librdkafka's idempotent producer caps requests in flight at 5: the same cap, no idempotence.
      plain-inflight5) flags=(-X max.in.flight.requests.per.connection=5) ;;
      idempotent) flags=(--idempotent) ;;
    esac
    before=$(broker_cpu_s)
    line=$(build/sluice-bench produce --bootstrap 127.0.0.1:$BROKER_PORT --topic "$mode-$i" \
      --partitions 3 --duration 8 --size 1024 --window 20000 --linger-ms 5 --quiet \
      --system "$mode" "${flags[@]}" 2>&1 | grep '^system=')
    with_broker_cpu "$line" "$before"
    forget_topic "$mode-$i"
  done
done
