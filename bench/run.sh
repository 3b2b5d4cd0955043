#!/usr/bin/env bash
# One command for the Profiles benchmark, run from the repository root:
#
#   bash bench/run.sh                                   # embedded node, scenario ingest
#   bash bench/run.sh --redis --scenario all --customers 20000
#   bash bench/run.sh --smoke                           # tiny run for CI (200 customers, ingest)
#   bash bench/run.sh --no-personalisation              # the node without computed traits and audiences
#   bash bench/run.sh --redis-cluster 3 --nodes 2       # two nodes on a three-master Redis Cluster
#   bash bench/run.sh --redis-cluster 3 --replicas 1 --node-env Profiles__WaitReplicas=1   # a replica per master, writes waiting for it
#   bash bench/run.sh --node-dll /tmp/a/Profiles.Silo.dll # a node built elsewhere (a copy of an earlier build), for A/B runs
#   bash bench/run.sh --node-env DOTNET_TieredPGO=0     # an environment variable for the node(s) only (repeatable)
#   bash bench/run.sh --redis --node-first              # Redis and the generator at the lowest CPU priority (nice 19)
#   bash bench/run.sh --redis --scenario history        # a node with a PostgreSQL history tier: a year of journeys moved
#
# It builds in Release, starts a Profiles node on a free loopback port (with --redis: a redis-server in a
# temp dir first, installed with apt-get when missing), measures Redis's own ceiling with redis-benchmark
# (in embedded mode on a throwaway redis when redis-server is installed), runs bench/Profiles.Bench against
# the node with its pid, prints the Markdown table and stops everything it started. With --redis-cluster N it starts
# N redis-servers in cluster mode joined by `redis-cli --cluster create` instead of one redis-server. In both Redis
# modes it then prints what the run cost Redis, per master and per stored touchpoint (commands, bytes of memory),
# from INFO before and after.
# Options it does not know (--scenario, --customers, --writers, --batch, --lookup-rate, --seed, --out, ...)
# go to the generator; see `dotnet run --project bench/Profiles.Bench -- --help`.
# With --scenario history it first starts a PostgreSQL (initdb on a free loopback port, by the tests' own fixture, run
# by the generator in a process of its own) and gives the node a history tier keeping HISTORY_HOT_DAYS in Redis and
# moving every HISTORY_INTERVAL.
# With --scenario faults it starts nothing itself: the generator runs a fault campaign (--schedules N, --seed S,
# --redis-cluster), each schedule with its own Redis and three nodes of the Release build (docs/RELIABILITY.md).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

USE_REDIS=0
CLUSTER_MASTERS=0
CLUSTER_REPLICAS=0
SMOKE=0
NO_PERSONALISATION=0
NODES=1
NODE_DLL=""
NODE_ENV=()
FAULTS=0
HISTORY=0
# The history scenario's node: a week hot, a round of moves every few seconds once the generator lets it move.
HISTORY_HOT_DAYS=7
HISTORY_INTERVAL=00:00:05
# With --node-first, Redis and the generator yield the cores to the node: on this shared machine a node's GC threads
# otherwise wait for cores the two others hold, which a node with cores of its own does not.
OTHERS=()
PASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --redis) USE_REDIS=1 ;;
    # The fault campaign's --redis-cluster takes no number: its cluster is three masters with a replica each.
    --redis-cluster) USE_REDIS=1; if [[ "${2:-}" =~ ^[0-9]+$ ]]; then CLUSTER_MASTERS="$2"; shift; else CLUSTER_MASTERS=3; fi ;;
    --redis-cluster=*) USE_REDIS=1; CLUSTER_MASTERS="${1#--redis-cluster=}" ;;
    --replicas) CLUSTER_REPLICAS="$2"; shift ;;
    --replicas=*) CLUSTER_REPLICAS="${1#--replicas=}" ;;
    --smoke) SMOKE=1 ;;
    --no-personalisation) NO_PERSONALISATION=1 ;;
    --nodes) NODES="$2"; shift ;;
    --nodes=*) NODES="${1#--nodes=}" ;;
    --node-dll) NODE_DLL="$(realpath "$2")"; shift ;;
    --node-env) NODE_ENV+=("$2"); shift ;;
    --node-first) OTHERS=(nice -n 19) ;;
    --scenario=faults) FAULTS=1; PASS+=("$1") ;;
    --scenario=history) HISTORY=1; PASS+=("$1") ;;
    --scenario) [ "${2:-}" = faults ] && FAULTS=1; [ "${2:-}" = history ] && HISTORY=1; PASS+=("$1" "${2:-}"); shift ;;
    *) PASS+=("$1") ;;
  esac
  shift
done
if [ "$CLUSTER_REPLICAS" -gt 0 ] && [ "$CLUSTER_MASTERS" -eq 0 ]; then
  echo "run.sh: --replicas needs --redis-cluster" >&2
  exit 2
fi
if [ "$HISTORY" -eq 1 ] && { [ "$USE_REDIS" -eq 0 ] || [ "$CLUSTER_MASTERS" -gt 0 ]; }; then
  echo "run.sh: --scenario history needs --redis (one redis-server: the history tier needs Redis, the memory figures one server)" >&2
  exit 2
fi
if [ "$NODES" -gt 1 ] && [ "$USE_REDIS" -eq 0 ]; then
  echo "run.sh: --nodes > 1 needs --redis (embedded mode is a single node)" >&2
  exit 2
fi

log() { printf '[run.sh] %s\n' "$*" >&2; }

install_missing() { # command package... : apt-get installs the packages when the command is missing
  local command=$1
  shift
  command -v "$command" >/dev/null && return 0
  log "installing $* with apt-get"
  if [ "$(id -u)" -eq 0 ]; then APT=(apt-get); else APT=(sudo apt-get); fi
  "${APT[@]}" update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq "$@" >&2
}

if [ "$FAULTS" -eq 1 ]; then
  # The campaign starts its own Redis and nodes per schedule, as root (it drops packets with iptables and runs each
  # node as a system user of its own), and stops them itself: nothing for this script to clean up.
  [ "$(id -u)" -eq 0 ] || { echo "run.sh: --scenario faults needs root (iptables, a system user per node)" >&2; exit 2; }
  install_missing redis-server redis-server redis-tools
  [ -x /usr/sbin/iptables ] || install_missing iptables iptables
  log "building in Release"
  dotnet build src/Profiles.Silo -c Release -nologo -v q -clp:ErrorsOnly >&2
  dotnet build bench/Profiles.Bench -c Release -nologo -v q -clp:ErrorsOnly >&2
  FAULT_ARGS=(--silo "$ROOT/src/Profiles.Silo/bin/Release/net10.0")
  [ "$CLUSTER_MASTERS" -gt 0 ] && FAULT_ARGS+=(--redis-cluster)
  exec dotnet "$ROOT/bench/Profiles.Bench/bin/Release/net10.0/Profiles.Bench.dll" "${FAULT_ARGS[@]}" "${PASS[@]}"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/profiles-bench.XXXXXX")
LOGS="$ROOT/bench/results"   # node logs are kept there (ignored by git)
mkdir -p "$LOGS"
PIDS=()
cleanup() {
  local rc=$?
  set +e
  # Newest first, so the nodes stop while their redis-server still answers (a silo leaving a cluster whose
  # membership store is gone hangs for minutes). Each node runs under `dotnet run`: its child is the node.
  local i pid procs p
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    pid=${PIDS[$i]}
    procs="$(pgrep -P "$pid" 2>/dev/null) $pid"
    for p in $procs; do kill "$p" 2>/dev/null; done
    for _ in $(seq 1 100); do
      alive=0
      for p in $procs; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ "$alive" -eq 0 ] && break
      sleep 0.1
    done
    for p in $procs; do kill -9 "$p" 2>/dev/null; done
    wait "$pid" 2>/dev/null
  done
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    # Below Linux's ephemeral range (32768 and up): a port an outgoing connection holds cannot be listened on.
    p=$(( 20000 + RANDOM % 12000 ))
    if ! port_in_use "$p" && ! grep -qx "$p" "$WORK/ports" 2>/dev/null; then
      echo "$p" >> "$WORK/ports"
      echo "$p"
      return 0
    fi
  done
  echo "run.sh: no free port found" >&2
  return 1
}

start_redis() { # port dir [redis-server settings...] -> pid
  local port=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  "${OTHERS[@]}" redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly yes --appendfsync everysec \
    --daemonize no --logfile "$dir/redis.log" "$@" >/dev/null 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 100); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then echo "$pid"; return 0; fi
    sleep 0.1
  done
  log "redis-server on port $port did not start:"; tail -20 "$dir/redis.log" >&2 || true
  return 1
}

# 1. Build.
log "building in Release"
if [ -z "$NODE_DLL" ]; then
  dotnet build src/Profiles.Silo -c Release -nologo -v q -clp:ErrorsOnly >&2
fi
dotnet build bench/Profiles.Bench -c Release -nologo -v q -clp:ErrorsOnly >&2

# 2. Redis: the node's store (--redis) and/or the ceiling measured with redis-benchmark.
REDIS_PORT=""
[ "$USE_REDIS" -eq 1 ] && install_missing redis-server redis-server redis-tools
if command -v redis-server >/dev/null; then
  REDIS_PORT=$(free_port)
  log "starting redis-server on 127.0.0.1:$REDIS_PORT ($([ "$USE_REDIS" -eq 1 ] && echo "node store" || echo "throwaway, for redis-benchmark only"))"
  start_redis "$REDIS_PORT" "$WORK/redis" >/dev/null
  if command -v redis-benchmark >/dev/null; then
    N=100000; [ "$SMOKE" -eq 1 ] && N=20000
    log "redis-benchmark -q -t set,get,zadd -n $N"
    redis-benchmark -p "$REDIS_PORT" -q -t set,get,zadd -n "$N" 2>/dev/null | tr '\r' '\n' | grep 'requests per second' > "$WORK/redis-benchmark.txt" || true
    cat "$WORK/redis-benchmark.txt" >&2
  fi
  if [ "$USE_REDIS" -eq 0 ] || [ "$CLUSTER_MASTERS" -gt 0 ]; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  else
    redis-cli -p "$REDIS_PORT" flushall >/dev/null
  fi
else
  log "redis-server not installed: no Redis ceiling in embedded mode (use --redis to install and use it)"
fi

# The Redis the nodes use: the one server, or the masters of a Redis Cluster (every master is a seed).
MASTER_PORTS=()
if [ "$CLUSTER_MASTERS" -gt 0 ]; then
  SERVER_PORTS=()
  for i in $(seq 1 $(( CLUSTER_MASTERS * (1 + CLUSTER_REPLICAS) ))); do
    p=$(free_port)
    # The cluster bus port is the data port + 10,000 unless named; name a free one.
    start_redis "$p" "$WORK/redis-cluster-$i" --cluster-enabled yes --cluster-port "$(free_port)" \
      --cluster-config-file nodes.conf --cluster-node-timeout 5000 >/dev/null
    SERVER_PORTS+=("$p")
  done
  log "joining ${#SERVER_PORTS[@]} servers into a Redis Cluster of $CLUSTER_MASTERS masters, $CLUSTER_REPLICAS replica(s) each (ports ${SERVER_PORTS[*]})"
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${SERVER_PORTS[@]}") --cluster-replicas "$CLUSTER_REPLICAS" --cluster-yes >"$WORK/cluster-create.log" 2>&1 \
    || { log "redis-cli --cluster create failed:"; cat "$WORK/cluster-create.log" >&2; exit 3; }
  for p in "${SERVER_PORTS[@]}"; do
    for _ in $(seq 1 300); do
      redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok' && break
      sleep 0.1
    done
  done
  # The masters are the nodes' seeds and what the cost table reads; replicas wait until they follow one in sync.
  for p in "${SERVER_PORTS[@]}"; do
    for _ in $(seq 1 300); do
      role=$(redis-cli -p "$p" role | head -4 | tr '\n' ' ')
      case "$role" in master*) MASTER_PORTS+=("$p"); break ;; *connected*) break ;; esac
      sleep 0.1
    done
  done
elif [ "$USE_REDIS" -eq 1 ]; then
  MASTER_PORTS=("$REDIS_PORT")
fi
REDIS_CONNECTION=$(IFS=,; printf '%s' "${MASTER_PORTS[*]/#/127.0.0.1:}")

# What a run costs Redis, from each master's INFO before and after: commands executed (Redis 7 counts those Lua
# scripts call too), scripts run, CPU time (Redis runs commands on one thread, so CPU per touchpoint bounds what a
# master sustains), memory, bytes received from clients, and the touchpoints stored (the idempotency hashes hold
# each id once). Per command: calls and Redis's own time in it.
info_field() { redis-cli -p "$1" info "$2" | tr -d '\r' | awk -F: -v k="$3" '$1 == k { print $2 }'; }
redis_snapshot() { # label -> $WORK/redis-<label> (a line per master) and $WORK/redis-<label>-commands
  local p executed scripts cpu memory input stored key
  : > "$WORK/redis-$1-commands"
  for p in "${MASTER_PORTS[@]}"; do
    redis-cli -p "$p" info commandstats | tr -d '\r' \
      | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),usec=\([0-9]*\),.*/\1 \2 \3/p' > "$WORK/redis-cmd"
    cat "$WORK/redis-cmd" >> "$WORK/redis-$1-commands"
    executed=$(awk '{ s += $2 } END { print s + 0 }' "$WORK/redis-cmd")
    scripts=$(awk '$1 ~ /^(eval|evalsha|fcall)$/ { s += $2 } END { print s + 0 }' "$WORK/redis-cmd")
    cpu=$(awk -v u="$(info_field "$p" cpu used_cpu_user)" -v s="$(info_field "$p" cpu used_cpu_sys)" 'BEGIN { print u + s }')
    memory=$(info_field "$p" memory used_memory)
    input=$(info_field "$p" stats total_net_input_bytes)
    stored=0
    for key in $(redis-cli -p "$p" --scan --pattern 'profiles:*:owners'); do
      stored=$(( stored + $(redis-cli -p "$p" hlen "$key") ))
    done
    echo "$p $executed $scripts $cpu $memory $input $stored"
  done | LC_ALL=C sort > "$WORK/redis-$1"
}
redis_cost_table() {
  printf '\n### Redis cost of the run (%s)\n\n' "$([ "$CLUSTER_MASTERS" -gt 0 ] && echo "Redis Cluster, $CLUSTER_MASTERS masters, $CLUSTER_REPLICAS replica(s) each" || echo "one redis-server")"
  echo "| master | commands executed | scripts | CPU, s | memory used, MiB | received, MiB | touchpoints stored |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  LC_ALL=C join "$WORK/redis-before" "$WORK/redis-after" | awk '
    { run = $8 - $2; lua = $9 - $3; cpu = $10 - $4; mem = $11 - $5; in_ = $12 - $6; n = $13
      printf "| 127.0.0.1:%s | %d | %d | %.2f | %.1f | %.1f | %d |\n", $1, run, lua, cpu, mem / 1048576, in_ / 1048576, n
      R += run; L += lua; C += cpu; M += mem; I += in_; N += n }
    END {
      printf "| all | %d | %d | %.2f | %.1f | %.1f | %d |\n", R, L, C, M / 1048576, I / 1048576, N
      if (N > 0) printf "\nPer touchpoint stored: %.1f commands executed, %.2f scripts, %.1f µs of Redis CPU, %.0f bytes of memory, %.0f bytes received.\n", R / N, L / N, C * 1e6 / N, M / N, I / N
      print N > "'"$WORK/redis-stored"'" }'
  echo
  echo "| command | calls per touchpoint | Redis µs per touchpoint (a script's include the commands it calls) |"
  echo "| --- | ---: | ---: |"
  awk -v n="$(cat "$WORK/redis-stored")" '
    FNR == NR { c[$1] -= $2; u[$1] -= $3; next }
    { c[$1] += $2; u[$1] += $3 }
    END { for (k in c) if (c[k] > 0 && k !~ /^(info|scan|hlen|config)/ && n > 0) printf "| %s | %.2f | %.1f |\n", k, c[k] / n, u[k] / n }' \
    "$WORK/redis-before-commands" "$WORK/redis-after-commands" | sort -t'|' -k3 -rn
}

# The history tier's PostgreSQL, stopped after the node(s) as it started before them.
HISTORY_ARGS=()
if [ "$HISTORY" -eq 1 ]; then
  log "starting PostgreSQL for the history tier"
  "${OTHERS[@]}" dotnet "$ROOT/bench/Profiles.Bench/bin/Release/net10.0/Profiles.Bench.dll" --serve-postgres "$WORK/postgres" > "$LOGS/postgres.log" 2>&1 &
  POSTGRES_PID=$!
  PIDS+=("$POSTGRES_PID")
  for _ in $(seq 1 600); do
    [ -s "$WORK/postgres" ] || ! kill -0 "$POSTGRES_PID" 2>/dev/null && break
    sleep 0.1
  done
  [ -s "$WORK/postgres" ] || { log "PostgreSQL did not start; its log:"; tail -20 "$LOGS/postgres.log" >&2; exit 3; }
  POSTGRES=$(cat "$WORK/postgres")
  HISTORY_ARGS=(--Profiles:History:Connection="$POSTGRES" --Profiles:History:HotDays="$HISTORY_HOT_DAYS" --Profiles:Retention:Interval="$HISTORY_INTERVAL")
fi

# 3. Node(s). Without personalisation, a node reads a copy of appsettings.json that lacks the computed traits and
# audiences (configuration sources can add keys, never remove them), from a content root of its own.
CONTENT_ROOT=()
if [ "$NO_PERSONALISATION" -eq 1 ]; then
  command -v jq >/dev/null || { log "--no-personalisation needs jq (apt-get install -y jq)"; exit 2; }
  mkdir -p "$WORK/content"
  jq 'del(.Profiles.ComputedTraits, .Profiles.Audiences)' src/Profiles.Silo/appsettings.json > "$WORK/content/appsettings.json"
  CONTENT_ROOT=(--contentRoot "$WORK/content")
fi
TARGETS=()
NODE_PIDS=()
NODE_PIDS_ONLY=()
CLUSTER_ID="bench-$$"
for i in $(seq 1 "$NODES"); do
  HTTP_PORT=$(free_port); SILO_PORT=$(free_port); GW_PORT=$(free_port)
  NODE_ARGS=(--urls "http://127.0.0.1:$HTTP_PORT" --Profiles:SiloPort="$SILO_PORT" --Profiles:GatewayPort="$GW_PORT" "${CONTENT_ROOT[@]}" "${HISTORY_ARGS[@]}")
  if [ "$USE_REDIS" -eq 1 ]; then NODE_ARGS+=(--Profiles:Redis="$REDIS_CONNECTION" --Profiles:ClusterId="$CLUSTER_ID"); fi
  log "starting node $i on http://127.0.0.1:$HTTP_PORT ($([ "$USE_REDIS" -eq 1 ] && echo redis || echo embedded) mode; log bench/results/node$i.log)"
  if [ -n "$NODE_DLL" ]; then
    # Its own build output is its content root (appsettings.json), unless --no-personalisation gave another.
    [ ${#CONTENT_ROOT[@]} -eq 0 ] && NODE_ARGS+=(--contentRoot "$(dirname "$NODE_DLL")")
    env Logging__LogLevel__Default=Warning "${NODE_ENV[@]}" dotnet "$NODE_DLL" "${NODE_ARGS[@]}" > "$LOGS/node$i.log" 2>&1 &
  else
    env Logging__LogLevel__Default=Warning "${NODE_ENV[@]}" \
      dotnet run -c Release --no-build --project src/Profiles.Silo -- "${NODE_ARGS[@]}" > "$LOGS/node$i.log" 2>&1 &
  fi
  RUN_PID=$!
  PIDS+=("$RUN_PID")
  # Ready when a lookup of an unknown identifier answers 404.
  ok=0
  for _ in $(seq 1 600); do
    if ! kill -0 "$RUN_PID" 2>/dev/null; then break; fi
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/v1/profiles/lookup?type=email&value=x@y.zz" 2>/dev/null || true)
    if [ "$code" = "404" ]; then ok=1; break; fi
    sleep 0.2
  done
  if [ "$ok" -ne 1 ]; then
    log "node $i did not become ready; its log:"; tail -40 "$LOGS/node$i.log" >&2
    exit 3
  fi
  NODE_PID=$(pgrep -P "$RUN_PID" | head -1 || true)
  NODE_PID=${NODE_PID:-$RUN_PID}
  TARGETS+=(--target "http://127.0.0.1:$HTTP_PORT" --gateway "127.0.0.1:$GW_PORT")
  NODE_PIDS+=(--node-pid "$NODE_PID")
  NODE_PIDS_ONLY+=("$NODE_PID")
  log "node $i ready (pid $NODE_PID)"
done

# 4. Generator.
MODE=$([ "$USE_REDIS" -eq 1 ] && echo "redis" || echo "embedded")
[ "$CLUSTER_MASTERS" -gt 0 ] && MODE="redis cluster, $CLUSTER_MASTERS masters"
[ "$CLUSTER_REPLICAS" -gt 0 ] && MODE="$MODE, $CLUSTER_REPLICAS replica(s) each"
[ "$NODES" -gt 1 ] && MODE="$MODE, $NODES nodes"
[ "$NO_PERSONALISATION" -eq 1 ] && MODE="$MODE, no computed traits or audiences"
[ "$HISTORY" -eq 1 ] && MODE="$MODE, PostgreSQL history tier ($HISTORY_HOT_DAYS days hot, moves every $HISTORY_INTERVAL)"
DEFAULTS=()
if [ "$SMOKE" -eq 1 ]; then
  DEFAULTS=(--scenario ingest --customers 200 --warmup 500 --lookup-rate 200 --lookup-seconds 2 --idle-lookup-seconds 1 --sample 200 --out bench/results/smoke.json)
fi
GEN_ARGS=("${DEFAULTS[@]}" "${TARGETS[@]}" "${NODE_PIDS[@]}" --mode "$MODE")
[ "$USE_REDIS" -eq 1 ] && GEN_ARGS+=(--cluster-id "$CLUSTER_ID" --redis-endpoint "127.0.0.1:$REDIS_PORT")
[ -s "$WORK/redis-benchmark.txt" ] && GEN_ARGS+=(--redis-benchmark-file "$WORK/redis-benchmark.txt")
[ "$HISTORY" -eq 1 ] && GEN_ARGS+=(--postgres "$POSTGRES" --hot-days "$HISTORY_HOT_DAYS")
[ -n "${CI:-}" ] && GEN_ARGS+=(--no-progress)
GEN_ARGS+=("${PASS[@]}")

ORIGINAL="bash bench/run.sh"
if [ "$CLUSTER_MASTERS" -gt 0 ]; then ORIGINAL+=" --redis-cluster $CLUSTER_MASTERS --replicas $CLUSTER_REPLICAS"; elif [ "$USE_REDIS" -eq 1 ]; then ORIGINAL+=" --redis"; fi
[ "$SMOKE" -eq 1 ] && ORIGINAL+=" --smoke"
[ "$NO_PERSONALISATION" -eq 1 ] && ORIGINAL+=" --no-personalisation"
[ "$NODES" -gt 1 ] && ORIGINAL+=" --nodes $NODES"
[ -n "$NODE_DLL" ] && ORIGINAL+=" --node-dll $NODE_DLL"
[ ${#NODE_ENV[@]} -gt 0 ] && ORIGINAL+=" --node-env ${NODE_ENV[*]}"
[ ${#OTHERS[@]} -gt 0 ] && ORIGINAL+=" --node-first"
[ ${#PASS[@]} -gt 0 ] && ORIGINAL+=" ${PASS[*]}"
log "running the generator"
# The history scenario reports Redis's memory itself: its moves take touchpoints out of the Redis the cost table counts.
COST_TABLE=$([ "$USE_REDIS" -eq 1 ] && [ "$HISTORY" -eq 0 ] && echo 1 || echo 0)
set +e
[ "$COST_TABLE" -eq 1 ] && redis_snapshot before
PROFILES_BENCH_COMMAND="$ORIGINAL" "${OTHERS[@]}" dotnet "$ROOT/bench/Profiles.Bench/bin/Release/net10.0/Profiles.Bench.dll" "${GEN_ARGS[@]}"
RC=$?
if [ "$COST_TABLE" -eq 1 ]; then
  # Profile snapshots are written at most every 30 s: wait for the last ones, then count what the run cost.
  sleep 32
  redis_snapshot after
  redis_cost_table | tee bench/results/redis-cost.md
fi
set -e
for i in "${!NODE_PIDS_ONLY[@]}"; do
  if ! kill -0 "${NODE_PIDS_ONLY[$i]}" 2>/dev/null; then
    log "NODE $((i + 1)) (pid ${NODE_PIDS_ONLY[$i]}) DIED during the run; last lines of bench/results/node$((i + 1)).log:"
    tail -30 "$LOGS/node$((i + 1)).log" >&2 || true
    [ "$RC" -eq 0 ] && RC=4
  fi
done
if [ "$RC" -ne 0 ]; then
  log "generator exited with $RC; node logs in bench/results/node*.log"
fi
exit "$RC"
