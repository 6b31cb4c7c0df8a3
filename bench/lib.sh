# Helpers for bench/compare.sh. Source it, do not run it.
# Everything listens on 127.0.0.1 only; every server is started as our child and stopped by PID.

log() { echo "# $(date -u +%H:%M:%S) $*" >&2; }

# ensure_pkgs pkg... : apt-get install what is missing (one apt-get update per run at most).
APT_UPDATED=
ensure_pkgs() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing: ${missing[*]}"
  if [ -z "$APT_UPDATED" ]; then
    $sudo apt-get -o DPkg::Lock::Timeout=900 update -qq >&2 && APT_UPDATED=1
  fi
  # In containers policy-rc.d keeps the daemons from starting at install; on a systemd host
  # stop the auto-started rabbitmq-server / redis-server / nats-server services afterwards.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
    --no-install-recommends "${missing[@]}" >&2
}

env_line() {
  echo "env nproc=$(nproc) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# wait_port PORT [SECS]
wait_port() {
  local port=$1 secs=${2:-60} i
  for ((i = 0; i < secs * 10; i++)); do
    (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    sleep 0.1
  done
  log "port $port did not open within ${secs}s"
  return 1
}

# stop_pid PID: TERM, then KILL after 20 s. Only ever called with PIDs we started.
stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# tree_pids PID: PID and all its descendants.
tree_pids() {
  local p=$1 c
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree_pids "$c"; done
}

# cpu_ticks PID: utime+stime (clock ticks) of PID and its descendants, dead children included
# (cutime/cstime of those reaped).
cpu_ticks() {
  local total=0 p f
  for p in $(tree_pids "$1"); do
    f=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null) || continue
    set -- $f
    # after "pid (comm) ": state=1 ... utime=12 stime=13 cutime=14 cstime=15
    total=$((total + ${12} + ${13} + ${14} + ${15}))
  done
  echo "$total"
}

# rss_kb PID: resident set of PID and its descendants.
rss_kb() {
  local total=0 p v
  for p in $(tree_pids "$1"); do
    v=$(awk '/^VmRSS:/ {print $2}' /proc/"$p"/status 2>/dev/null) || continue
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# with_cpu SYSTEM WORKLOAD SERVER_PID cmd... : runs cmd (a client printing one result line),
# then prints "cpu system=.. workload=.. server_cpu_s=.. server_rss_mb=.." for the server's
# process tree over the run.
with_cpu() {
  local sys=$1 wl=$2 pid=$3; shift 3
  local hz before after rc=0
  hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$pid")
  timeout "$CLIENT_TIMEOUT" "$@" || rc=$?
  after=$(cpu_ticks "$pid")
  echo "cpu system=$sys workload=$wl server_cpu_s=$(awk -v a="$after" -v b="$before" -v hz="$hz" 'BEGIN{printf "%.2f", (a-b)/hz}') server_rss_mb=$(( $(rss_kb "$pid") / 1024 ))"
  [ $rc -eq 0 ] || log "client for $sys $wl exited with rc=$rc"
  return 0
}
