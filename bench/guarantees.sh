#!/usr/bin/env bash
# What the broker charges for each producer guarantee: `sluice-bench raw-produce` (no client
# library, so the generator is not the limit; it reports its own CPU) in plain, idempotent and
# transactional mode against one durable broker, interleaved, the same requests in every mode:
# one batch of RECORDS (100) records of SIZE (1 KiB) for each of 3 partitions, IN_FLIGHT (5)
# requests pipelined, transactions of TXN_BATCHES (100) batches. Prints every run with the
# broker's CPU per message, then per mode the median rate, its ratio to plain's median, and the
# median of the per-round ratios (the modes of a round run back to back, so this one cancels
# the disk's drift). Each run's topic is deleted after it.
# Not part of CI. Usage: bash bench/guarantees.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
SECS=${SECS:-8} SIZE=${SIZE:-1024} RECORDS=${RECORDS:-100} IN_FLIGHT=${IN_FLIGHT:-5}
TXN_BATCHES=${TXN_BATCHES:-100}
source bench/modes_lib.sh
# DATA_PARENT=/dev/shm takes the disk out: fdatasync returns at once and what is left is the
# broker's CPU path.
start_broker "${PORT:-49096}" "${DATA_PARENT:-}"
for ((i = 1; i <= rounds; i++)); do
  for mode in plain idempotent transactional; do
    before=$(broker_cpu_s)
    out=$(build/sluice-bench raw-produce --bootstrap 127.0.0.1:$BROKER_PORT --topic "$mode-$i" \
      --partitions 3 --duration "$SECS" --size "$SIZE" --records-per-batch "$RECORDS" \
      --in-flight "$IN_FLIGHT" --transaction-batches "$TXN_BATCHES" --mode "$mode" \
      --system "$mode" 2>&1)
    line=$(grep '^system=' <<<"$out")
    client=$(sed -n 's/.*client cpu user \([0-9.]*\) s sys \([0-9.]*\) s/\1 + \2/p' <<<"$out")
    with_broker_cpu "$line client_cpu_s=$(echo "$client" | bc)" "$before" | tee -a "$BROKER_DATA.runs"
    forget_topic "$mode-$i"
  done
done
# Medians per mode and the ratio to plain's median.
awk '{ for (f = 1; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
       n[v["system"]]++; rate[v["system"], n[v["system"]]] = v["msgs_per_s"];
       cpu[v["system"], n[v["system"]]] = v["broker_cpu_us_per_msg"] }
     function median(a, m, k,   i, j, t, x) { for (i = 1; i <= k; i++) x[i] = a[m, i];
       for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
       return k % 2 ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2 }
     END { p = median(rate, "plain", n["plain"]);
       split("plain idempotent transactional", modes, " ");
       for (i = 1; i <= 3; i++) { m = modes[i]; r = median(rate, m, n[m]);
         for (j = 1; j <= n[m]; j++) ratio[m, j] = rate[m, j] / rate["plain", j];
         printf "median %s msgs_per_s=%.0f ratio_of_medians=%.3f median_round_ratio=%.3f" \
                " broker_cpu_us_per_msg=%.2f\n",
                m, r, r / p, median(ratio, m, n[m]), median(cpu, m, n[m]) } }' "$BROKER_DATA.runs"
