#!/usr/bin/env bash
# Side-by-side comparison of Sluice with the brokers users would pick instead, and with the
# machine's own limits, in one run. Not part of CI. See docs/BENCHMARKS.md.
#
#   bench/compare.sh                       # everything, RUNS=3 (~20 min on 2 cores)
#   RUNS=1 bench/compare.sh sluice limits  # a subset
#   bench/compare.sh sluice sluice-1shard  # one event loop per core vs a single one
#
# Installs what is missing (apt), builds Sluice (scripts/build.sh) and the peer clients, starts
# each server on 127.0.0.1 (non-default ports) with the durability settings of
# ../shared/peers/BASELINE.md, runs:
#   A  A_MSGS (200,000) x SIZE (1 KiB), one producer, server ack, <= WINDOW (1000) unacked
#   B  B_RATE (5,000) msg/s for B_SECS (10 s), consumer on a second connection, e2e latency
#      against the scheduled send time
# and, for Sluice only, C (consume the A topic from page cache), F (the same read with raw Fetch
# requests, no client library), H (B at half of Sluice's
# median A rate) and P (A's producer for P_SECS=15 s over P_PARTS=1000 partitions, random keys);
# measures the limits (fio 1 MiB buffered / fdatasync, 16 KiB fdatasync, iperf3 one stream);
# and prints one table (median of RUNS). With PERF=1 it also records a CPU profile of sluiced
# during one extra workload-A run (perf, cpu-clock) into $OUT/perf-*.txt.
#
# Env: RUNS A_MSGS SIZE WINDOW B_RATE B_SECS P_PARTS P_SECS OUT SKIP_BUILD=1 SKIP_INSTALL=1 PERF=1
#      CLIENT_TIMEOUT (s, default 600)
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
source "$BENCH_DIR/lib.sh"

RUNS="${RUNS:-3}"; A_MSGS="${A_MSGS:-200000}"; SIZE="${SIZE:-1024}"; WINDOW="${WINDOW:-1000}"
B_RATE="${B_RATE:-5000}"; B_SECS="${B_SECS:-10}"; P_PARTS="${P_PARTS:-1000}"; P_SECS="${P_SECS:-15}"
CLIENT_TIMEOUT="${CLIENT_TIMEOUT:-600}"
OUT="${OUT:-/tmp/sluice-compare.$(date -u +%Y%m%dT%H%M%SZ)}"
BIN_DIR="$OUT/bin"
WORK=/tmp/sluice-compare-data          # data dirs of the servers (wiped per server)
B_MSGS=$((B_RATE * B_SECS))
SYSTEMS=("$@")
[ ${#SYSTEMS[@]} -eq 0 ] && SYSTEMS=(limits sluice sluice-interval redis nats rabbitmq)

# Ports: away from the defaults and from ../shared/peers.
SLUICE_PORT=49092 REDIS_PORT=46379 NATS_PORT=44222 AMQP_PORT=45772 AMQP_DIST_PORT=45773
EPMD_PORT=34469 IPERF_PORT=45201

mkdir -p "$OUT" "$BIN_DIR" "$WORK"
LOG="$OUT/log.txt"
exec > >(tee -a "$LOG") 2>&1

SERVER_PID= EPMD_PID= RMQ=
cleanup() {
  if [ -n "$RMQ" ] && [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl stop >/dev/null 2>&1 || true
  fi
  stop_pid "$SERVER_PID"; SERVER_PID=
  stop_pid "$EPMD_PID"; EPMD_PID=
  if [ -n "$RMQ" ]; then
    # an epmd that rabbitmqctl may have daemonized on our private port is ours too
    for p in $(pgrep -x epmd || true); do
      tr '\0' '\n' < /proc/"$p"/environ 2>/dev/null | grep -qx "ERL_EPMD_PORT=$EPMD_PORT" && stop_pid "$p"
    done
  fi
  RMQ=
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "env host=$(hostname) nproc=$(nproc) mem=$(awk '/MemTotal/ {printf "%.0fGiB", $2/1048576}' /proc/meminfo) kernel=$(uname -r) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\" fs=\"$(df -T /tmp | awk 'NR==2 {print $2" on "$1}')\" date=$(date -u +%Y-%m-%dT%H:%M:%SZ) runs=$RUNS"

# ---------------------------------------------------------------------------------------------
# Installation and builds
if [ -z "${SKIP_INSTALL:-}" ]; then
  ensure_pkgs gcc python3 fio iperf3 redis-server libhiredis-dev nats-server libnats-dev \
    rabbitmq-server librabbitmq-dev
fi
if [ -z "${SKIP_BUILD:-}" ]; then
  log "building Sluice (scripts/build.sh)"
  bash "$ROOT/scripts/build.sh" >&2
fi
for b in "${SLUICED:-$ROOT/build/sluiced}" "${SBENCH:-$ROOT/build/sluice-bench}"; do
  [ -x "$b" ] || { log "missing $b (build it first)"; exit 1; }
  cp "$b" "$BIN_DIR/"   # a private copy: a rebuild during the run must not change what runs
done
SLUICED="$BIN_DIR/$(basename "${SLUICED:-sluiced}")"
SBENCH="$BIN_DIR/$(basename "${SBENCH:-sluice-bench}")"
echo "env sluice_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo +dirty)"
gcc -O2 -Wall -o "$BIN_DIR/redis_client" "$BENCH_DIR/peers/redis_client.c" -lhiredis -lpthread
gcc -O2 -Wall -o "$BIN_DIR/nats_client" "$BENCH_DIR/peers/nats_client.c" -lnats -lpthread
gcc -O2 -Wall -o "$BIN_DIR/amqp_client" "$BENCH_DIR/peers/amqp_client.c" -lrabbitmq -lpthread

# ---------------------------------------------------------------------------------------------
# Machine limits
# sluice-bench jitter's result line -> limit lines: how late a sleeping thread is woken.
jitter_limits() {  # LABEL
  sed -n 's/.*p99_ms=\([0-9.]*\) p999_ms=\([0-9.]*\) max_ms=\([0-9.]*\).*/\1 \2 \3/p' |
    while read -r p99 p999 max; do
      echo "limit=wakeup_late_$1_p99 value=$p99 unit=ms"
      echo "limit=wakeup_late_$1_p999 value=$p999 unit=ms"
      echo "limit=wakeup_late_$1_max value=$max unit=ms"
    done
}

run_limits() {
  local dir="$WORK/fio" r
  fio_job() {  # NAME fio-args...
    local name=$1; shift
    rm -rf "$dir"; mkdir -p "$dir"
    fio --name="$name" --directory="$dir" --rw=write --ioengine=psync --output-format=json "$@" \
      > "$OUT/fio-$name.json"
    python3 - "$name" "$OUT/fio-$name.json" <<'EOF'
import json, sys
name, path = sys.argv[1], sys.argv[2]
txt = open(path).read(); job = json.loads(txt[txt.index('{'):])["jobs"][0]; w = job["write"]
print(f"limit=fio_{name}_bw value={w['bw_bytes']/1e6:.1f} unit=MB_per_s")
print(f"limit=fio_{name}_iops value={w['iops']:.0f} unit=writes_per_s")
p = job.get("sync", {}).get("lat_ns", {}).get("percentile", {})
if p:
    print(f"limit=fio_{name}_sync_p50 value={p.get('50.000000', 0)/1e6:.3f} unit=ms")
    print(f"limit=fio_{name}_sync_p99 value={p.get('99.000000', 0)/1e6:.3f} unit=ms")
EOF
  }
  iperf3 -s -B 127.0.0.1 -p $IPERF_PORT > "$OUT/iperf3-server.log" 2>&1 & SERVER_PID=$!
  wait_port $IPERF_PORT
  for r in $(seq 1 "$RUNS"); do
    env_line
    fio_job buffered_1m --bs=1M --size=2G
    fio_job fdatasync_1m --bs=1M --size=4G --fdatasync=1 --runtime=10 --time_based
    fio_job fdatasync_16k --bs=16k --size=1G --fdatasync=1 --runtime=10 --time_based
    iperf3 -c 127.0.0.1 -p $IPERF_PORT -t 5 -J | python3 -c '
import json, sys; j = json.load(sys.stdin)
print("limit=tcp_loopback_1stream value=%.2f unit=Gbit_per_s" % (j["end"]["sum_received"]["bits_per_second"] / 1e9))'
    "$SBENCH" jitter --duration 5 | jitter_limits idle
  done
  rm -rf "$dir"
  cleanup
}

# ---------------------------------------------------------------------------------------------
# Sluice
start_sluiced() {  # POLICY SHARDS (0: one per CPU)
  local data="$WORK/sluice"
  rm -rf "$data"; mkdir -p "$data"
  "$SLUICED" --data-dir "$data/data" --listen 127.0.0.1:$SLUICE_PORT --log-level warn \
    --set log.flush.policy="$1" --set num.shards="$2" > "$data/stdout.log" 2> "$data/stderr.log" & SERVER_PID=$!
  wait_port $SLUICE_PORT 30
  log "sluiced (log.flush.policy=$1 num.shards=$2) up, pid $SERVER_PID"
}

median_rate() {  # SYSTEM WORKLOAD: median msgs_per_s of the lines so far
  grep -E "^system=$1 workload=$2 " "$LOG" | sed 's/.*msgs_per_s=\([0-9.]*\).*/\1/' | sort -n |
    awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print 0}'
}

run_sluice() {  # SYSTEM POLICY SHARDS
  local sys=$1 policy=$2 r common
  start_sluiced "$policy" "$3"
  common=(--bootstrap 127.0.0.1:$SLUICE_PORT --system "$sys" --size "$SIZE" --quiet)
  for r in $(seq 1 "$RUNS"); do
    env_line
    with_cpu "$sys" A "$SERVER_PID" "$SBENCH" produce "${common[@]}" --workload A --topic "A-$r" \
      --count "$A_MSGS" --window "$WINDOW" --acks all --linger-ms 5
  done
  for r in $(seq 1 "$RUNS"); do
    env_line
    with_cpu "$sys" C "$SERVER_PID" "$SBENCH" consume "${common[@]}" --workload C --topic "A-$r" \
      --count "$A_MSGS"
    env_line
    with_cpu "$sys" F "$SERVER_PID" "$SBENCH" fetch "${common[@]}" --workload F --topic "A-$r"
  done
  for r in $(seq 1 "$RUNS"); do
    env_line
    # The machine's wake-up latency while B runs: what every thread on the e2e path is exposed to.
    "$SBENCH" jitter --duration "$B_SECS" | jitter_limits "during_B_$sys" &
    with_cpu "$sys" B "$SERVER_PID" "$SBENCH" e2e "${common[@]}" --workload B --topic "B-$r" \
      --rate "$B_RATE" --duration "$B_SECS" --window "$WINDOW" --acks all --linger-ms 0 --fetch-wait-ms 5
    wait $!
  done
  local half
  half=$(median_rate "$sys" A | awk '{printf "%d", $1 / 2}')
  if [ "${half:-0}" -gt 0 ]; then
    for r in $(seq 1 "$RUNS"); do
      env_line
      with_cpu "$sys" H "$SERVER_PID" "$SBENCH" e2e "${common[@]}" --workload H --topic "H-$r" \
        --rate "$half" --duration "$B_SECS" --window "$WINDOW" --acks all --linger-ms 0 --fetch-wait-ms 5
    done
  fi
  for r in $(seq 1 "$RUNS"); do
    env_line
    with_cpu "$sys" P "$SERVER_PID" "$SBENCH" produce "${common[@]}" --workload P --topic "P-$r" \
      --partitions "$P_PARTS" --keys --duration "$P_SECS" --window "$WINDOW" --acks all --linger-ms 5
  done
  if [ -n "${PERF:-}" ] && [ "$policy" = always ] && command -v perf >/dev/null; then
    log "perf: profiling sluiced during one more workload-A run"
    perf record -e cpu-clock -F 999 -g -p "$SERVER_PID" -o "$OUT/perf-$sys.data" > /dev/null 2>&1 & local perf_pid=$!
    sleep 1
    "$SBENCH" produce --bootstrap 127.0.0.1:$SLUICE_PORT --size "$SIZE" --quiet --system "$sys-perf" --workload A --topic perf \
      --count "$A_MSGS" --window "$WINDOW" --acks all --linger-ms 5 > "$OUT/perf-run.txt" || true
    kill -INT "$perf_pid" 2>/dev/null || true; wait "$perf_pid" 2>/dev/null || true
    perf report -i "$OUT/perf-$sys.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
      grep -v '^$' | head -80 > "$OUT/perf-$sys-flat.txt" || true
    perf report -i "$OUT/perf-$sys.data" --stdio --children --sort symbol -g none 2>/dev/null |
      grep -v '^$' | head -60 > "$OUT/perf-$sys-children.txt" || true
    log "perf profile: $OUT/perf-$sys-flat.txt"
  fi
  cleanup
}

# ---------------------------------------------------------------------------------------------
# Peers (settings as in ../shared/peers/BASELINE.md)
peer_runs() {  # SYSTEM BIN: A then B, RUNS times each, fresh stream/queue per run
  local sys=$1 bin=$2 r
  for r in $(seq 1 "$RUNS"); do
    env_line
    with_cpu "$sys" A "$SERVER_PID" "$bin" $3 "$sys" A "benchA$r" "$A_MSGS" "$SIZE" "$WINDOW"
  done
  for r in $(seq 1 "$RUNS"); do
    env_line
    with_cpu "$sys" B "$SERVER_PID" "$bin" $3 "$sys" B "benchB$r" "$B_MSGS" "$SIZE" "$WINDOW" "$B_RATE"
  done
}

run_redis() {
  local fs data="$WORK/redis"
  for fs in always everysec; do
    rm -rf "$data"; mkdir -p "$data"
    # always: AOF written and fdatasync'ed before the replies of each event-loop iteration.
    # everysec: write() before the reply, fdatasync once a second in the background.
    /usr/bin/redis-server --bind 127.0.0.1 --port $REDIS_PORT --dir "$data" --save "" \
      --appendonly yes --appendfsync "$fs" --daemonize no --protected-mode yes \
      --logfile "$data/server.log" & SERVER_PID=$!
    wait_port $REDIS_PORT
    log "$(/usr/bin/redis-server --version | cut -d' ' -f1-3) appendfsync=$fs up, pid $SERVER_PID"
    peer_runs "redis-aof-$fs" "$BIN_DIR/redis_client" $REDIS_PORT
    cleanup
  done
}

run_nats() {
  local data="$WORK/nats"
  rm -rf "$data"; mkdir -p "$data"
  # nats-server 2.9 fsyncs JetStream file storage every 2 minutes (sync_interval is 2.10+):
  # acks are not preceded by an fsync, and cannot be made to be.
  /usr/sbin/nats-server -a 127.0.0.1 -p $NATS_PORT -js -sd "$data" > "$data/server.log" 2>&1 & SERVER_PID=$!
  wait_port $NATS_PORT
  log "$(/usr/sbin/nats-server --version) up, pid $SERVER_PID"
  peer_runs nats-js-file "$BIN_DIR/nats_client" $NATS_PORT
  cleanup
}

run_rabbitmq() {
  local data="$WORK/rabbitmq" qt
  rm -rf "$data"; mkdir -p "$data/home" "$data/log"
  export RABBITMQ_NODENAME=sluicebench@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$AMQP_PORT RABBITMQ_DIST_PORT=$AMQP_DIST_PORT ERL_EPMD_PORT=$EPMD_PORT \
    RABBITMQ_MNESIA_BASE=$data/mnesia RABBITMQ_LOG_BASE=$data/log \
    RABBITMQ_CONFIG_FILE=$data/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$data/enabled_plugins \
    RABBITMQ_PID_FILE=$data/rabbit.pid HOME=$data/home
  # Defaults kept (what users get): quorum fdatasyncs its WAL before confirming; classic
  # confirms after the message store fsync; stream confirms once written, without fsync.
  printf 'loopback_users.guest = true\ndisk_free_limit.absolute = 1GB\n' > "$data/rabbitmq.conf"
  echo '[].' > "$data/enabled_plugins"
  RMQ=1
  epmd -port $EPMD_PORT -address 127.0.0.1 > /dev/null 2>&1 & EPMD_PID=$!
  # /usr/lib/rabbitmq/bin/rabbitmq-server: the /usr/sbin wrapper would switch user and dirs.
  /usr/lib/rabbitmq/bin/rabbitmq-server > "$data/log/stdout.log" 2>&1 & SERVER_PID=$!
  if ! timeout 150 /usr/lib/rabbitmq/bin/rabbitmqctl wait --timeout 120 "$data/rabbit.pid" > /dev/null 2>&1; then
    tail -20 "$data/log/stdout.log" >&2; cleanup; return 1
  fi
  wait_port $AMQP_PORT
  log "rabbitmq $(/usr/lib/rabbitmq/bin/rabbitmqctl version 2>/dev/null) up, pid $SERVER_PID"
  for qt in quorum classic stream; do
    peer_runs "rabbitmq-$qt" "$BIN_DIR/amqp_client" $AMQP_PORT
  done
  cleanup
}

# ---------------------------------------------------------------------------------------------
for s in "${SYSTEMS[@]}"; do
  log "==== $s"
  case "$s" in
    limits) run_limits ;;
    sluice) run_sluice sluice always 0 ;;
    sluice-interval) run_sluice sluice-interval interval 0 ;;
    sluice-1shard) run_sluice sluice-1shard always 1 ;;
    redis) run_redis ;;
    nats) run_nats ;;
    rabbitmq) run_rabbitmq ;;
    *) log "unknown system $s (limits sluice sluice-interval sluice-1shard redis nats rabbitmq)"; exit 2 ;;
  esac || log "!!!! $s failed"
done

echo "# ==== table (median of $RUNS runs; full log $LOG)"
python3 "$BENCH_DIR/summarize.py" "$LOG" | tee "$OUT/table.md"
