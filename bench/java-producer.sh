#!/usr/bin/env bash
# Plain vs idempotent vs transactional durable produce with the Java client (kafka-clients, the
# version pinned in tests/integration/java/pom.xml) against one broker in one run, interleaved,
# with the broker's CPU time per message. Every mode keeps the Java default of 5 requests in
# flight, so the ratios are what the guarantees cost. A transaction holds TXN_RECORDS (10,000)
# records of SIZE (1 KiB) in batches of BATCH_BYTES (100 KiB): about 100 batches.
# Not part of CI. Usage: bash bench/java-producer.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
SECS=${SECS:-8} SIZE=${SIZE:-1024} BATCH_BYTES=${BATCH_BYTES:-102400} TXN_RECORDS=${TXN_RECORDS:-10000}
bash tests/integration/java/fetch-deps.sh
classes=build/bench-java
cp="tests/integration/java/lib/*"
mkdir -p "$classes"
javac -d "$classes" -cp "$cp" bench/java/ProducerBench.java
source bench/modes_lib.sh
start_broker "${PORT:-49095}"
for ((i = 1; i <= rounds; i++)); do
  for mode in plain idempotent transactional; do
    before=$(broker_cpu_s)
    line=$(java -cp "$classes:$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ProducerBench \
      127.0.0.1:$BROKER_PORT "$mode-$i" "$mode" "$SECS" "$SIZE" "$BATCH_BYTES" "$TXN_RECORDS")
    with_broker_cpu "$line" "$before"
    forget_topic "$mode-$i"
  done
done
