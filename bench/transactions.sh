#!/usr/bin/env bash
# Plain vs idempotent vs transactional durable produce against one broker in one run,
# interleaved, with the broker's CPU time per message. Each transaction holds 100 batches:
# batch.num.messages=100 in every mode (so the batches are alike) and 10,000 messages per
# transaction. Not part of CI. Usage: bash bench/transactions.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
data=$(mktemp -d)
port=${PORT:-49094}
build/sluiced --data-dir "$data" --listen 127.0.0.1:$port >"$data.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null; rm -rf "$data" "$data.log"' EXIT
sleep 1
cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' /proc/$broker/stat; }
for ((i = 1; i <= rounds; i++)); do
  for mode in plain idempotent transactional; do
    case $mode in
      plain) flags=() ;;
      idempotent) flags=(--idempotent) ;;
      transactional) flags=(--transaction-messages 10000) ;;
    esac
    before=$(cpu_s)
    line=$(build/sluice-bench produce --bootstrap 127.0.0.1:$port --topic "$mode-$i" \
      --partitions 3 --duration 8 --size 1024 --window 20000 --linger-ms 5 --quiet \
      -X batch.num.messages=100 --system "$mode" "${flags[@]}" 2>&1 | grep '^system=')
    after=$(cpu_s)
    msgs=$(sed 's/.*msgs=\([0-9]*\).*/\1/' <<<"$line")
    echo "$line broker_cpu_s=$(echo "$after - $before" | bc)" \
      "broker_cpu_us_per_msg=$(echo "scale=2; ($after - $before) * 1000000 / $msgs" | bc)"
  done
done
