# Helpers for the benches that compare producer modes against one broker (guarantees.sh,
# idempotence.sh, transactions.sh, java-producer.sh). Source it from the repository root.

# start_broker PORT [PARENT]: starts build/sluiced (durable defaults) on 127.0.0.1:PORT with a
# fresh data dir under PARENT (default $TMPDIR or /tmp); sets BROKER to its PID and stops it,
# and removes the data dir, when the script exits.
start_broker() {
  BROKER_PORT=$1
  BROKER_DATA=$(mktemp -d -p "${2:-${TMPDIR:-/tmp}}")
  build/sluiced --data-dir "$BROKER_DATA" --listen 127.0.0.1:"$BROKER_PORT" >"$BROKER_DATA.log" 2>&1 &
  BROKER=$!
  trap 'kill $BROKER 2>/dev/null; wait $BROKER 2>/dev/null; rm -rf "$BROKER_DATA" "$BROKER_DATA".*' EXIT
  sleep 1
}

# broker_cpu_s: user + system CPU seconds the broker has used so far.
broker_cpu_s() { awk '{printf "%.2f", ($14 + $15) / 100}' /proc/"$BROKER"/stat; }

# with_broker_cpu LINE BEFORE: LINE (a result line with msgs=N) with the broker's CPU since BEFORE
# appended, in total and per message.
with_broker_cpu() {
  local after msgs
  after=$(broker_cpu_s)
  msgs=$(sed 's/.*msgs=\([0-9]*\).*/\1/' <<<"$1")
  echo "$1 broker_cpu_s=$(echo "$after - $2" | bc)" \
    "broker_cpu_us_per_msg=$(echo "scale=2; ($after - $2) * 1000000 / $msgs" | bc)"
}

# forget_topic NAME: deletes a run's topic. Each run writes gigabytes; deleting them keeps the page
# cache (and its reclaim, charged to the broker's writes) the same for every run.
forget_topic() { build/sluice -b 127.0.0.1:"$BROKER_PORT" topic delete "$1" >/dev/null; }
