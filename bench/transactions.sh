#!/usr/bin/env bash
# Plain vs idempotent vs transactional durable produce against one broker in one run,
# interleaved, with the broker's CPU time per message. Each transaction holds 100 batches:
# batch.num.messages=100 in every mode (so the batches are alike) and 10,000 messages per
# transaction. Not part of CI. Usage: bash bench/transactions.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
source bench/modes_lib.sh
start_broker "${PORT:-49094}"
for ((i = 1; i <= rounds; i++)); do
  for mode in plain idempotent transactional; do
    case $mode in
      plain) flags=() ;;
      idempotent) flags=(--idempotent) ;;
      transactional) flags=(--transaction-messages 10000) ;;
    esac
    before=$(broker_cpu_s)
    line=$(build/sluice-bench produce --bootstrap 127.0.0.1:$BROKER_PORT --topic "$mode-$i" \
      --partitions 3 --duration 8 --size 1024 --window 20000 --linger-ms 5 --quiet \
      -X batch.num.messages=100 --system "$mode" "${flags[@]}" 2>&1 | grep '^system=')
    with_broker_cpu "$line" "$before"
    forget_topic "$mode-$i"
  done
done
