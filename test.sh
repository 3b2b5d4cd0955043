#!/usr/bin/env bash
# Runs every test of Profiles on a Debian machine that has only the .NET SDK:
#
#   sudo ./test.sh                     # or ./test.sh as root
#   sudo ./test.sh --filter Partition  # anything after the script name goes to `dotnet test`
#
# First it installs with apt-get what the tests need and the machine lacks, then it runs `dotnet test
# Profiles.sln` and closes with one line, `tests: N passed, N failed`, summed over every test assembly.
# It needs root (or sudo): apt-get installs the packages, and the partition tests create a system user and
# drop its packets with iptables.
#
# What it installs, and which tests need it:
#   redis-server, redis-tools  the durability, cluster and client tests start real redis-servers (one server,
#                              and a three-master Redis Cluster joined by `redis-cli --cluster create`)
#   iptables                   the partition tests cut a node off from Redis or from the other nodes
#   chromium, fonts-dejavu-core  the browser tests drive Debian's headless Chromium through Playwright,
#                              which never downloads a browser of its own
#   postgresql                 the history tier's tests start real PostgreSQL servers (initdb into a temporary
#                              folder, as the postgres system user)
#   nodejs, npm                the Segment tests send through the real analytics libraries, which npm installs
#                              from tests/Profiles.Segment.Tests/node's lock file when node_modules is missing
set -euo pipefail
cd "$(dirname "$0")"

# Everything below runs as root: under sudo, the script starts again as root with the caller's PATH (dotnet).
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo env "PATH=$PATH" "HOME=$HOME" ${DOTNET_ROOT:+"DOTNET_ROOT=$DOTNET_ROOT"} ${PROFILES_TEST_NODE_LOG:+"PROFILES_TEST_NODE_LOG=$PROFILES_TEST_NODE_LOG"} bash "$0" "$@"
  fi
  echo "test.sh: run it as root or with sudo: apt-get installs packages and the partition tests use iptables" >&2
  exit 2
fi

# iptables lives in /usr/sbin, which a non-login root shell may not have on its PATH.
export PATH="$PATH:/usr/sbin:/sbin"

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

libraries=tests/Profiles.Segment.Tests/node
if [ ! -d "$libraries/node_modules" ]; then
  echo "test.sh: installing the analytics libraries into $libraries" >&2
  (cd "$libraries" && npm ci --no-audit --no-fund --loglevel=error)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Profiles.sln "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line over every test assembly.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: $passed passed, $failed failed"
exit "$status"
