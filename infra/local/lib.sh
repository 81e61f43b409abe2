# Shared by the infra/local scripts; sourced, never run.
# Every setting can be overridden from the environment so that CI or a second
# checkout on the same machine can move ports and folders without editing files.

set -euo pipefail

LRE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LRE_CACHE="${LRE_CACHE:-$LRE_ROOT/.cache}"
LRE_NODE="$LRE_ROOT/node_modules/.bin/node"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
KAFKA_HOME="${KAFKA_HOME:-$LRE_CACHE/kafka}"
# 1: one combined broker+controller. 3: a three-node KRaft cluster, each node broker and controller,
# on ports KAFKA_PORT + 10·(n-1) and KAFKA_CONTROLLER_PORT + 10·(n-1). Unset: as many as the cluster
# in KAFKA_HOME was formatted with (so that stop and status find every node), else 1.
KAFKA_NODES="${KAFKA_NODES:-$(cat "$KAFKA_HOME/nodes" 2>/dev/null || echo 1)}"
# A second cluster on the same machine (the broker-loss test) reuses the jars of the first.
KAFKA_LIBS="${KAFKA_LIBS:-$KAFKA_HOME/libs}"
# Node 1's folders; nodes 2 and 3 live under $KAFKA_HOME/node-<n> (kafka.sh node_home).
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_LOGS="$KAFKA_HOME/logs"
KAFKA_PID_FILE="$KAFKA_HOME/kafka.pid"

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-15432}"
PG_VERSION="${PG_VERSION:-15}"
PG_DATABASE="${PG_DATABASE:-liability}"
PG_HOME="$LRE_CACHE/postgres"
PG_DATA="$PG_HOME/data"
PG_LOG="$PG_HOME/postgres.log"
PG_SOCKET_DIR="$PG_HOME/run"
# Local-only defaults; a shared or production database gets these from its secret store.
LRE_PG_ADMIN_USER="${LRE_PG_ADMIN_USER:-lre_admin}"
LRE_PG_ADMIN_PASSWORD="${LRE_PG_ADMIN_PASSWORD:-lre_admin}"

log() { printf '[infra %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[infra %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# True when something accepts TCP connections on host:port.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# True when the pid in file $1 is a live (not zombie) process whose command line contains $2.
# The marker guards against a recycled pid after a crash.
pid_alive() {
  local f="$1" marker="${2:-}" pid state
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ -r "/proc/$pid/stat" ]] || return 1
  state="$(sed -E 's/^[0-9]+ \(.*\) ([A-Z]).*/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ "$state" != "Z" && "$state" != "X" ]] || return 1
  [[ -z "$marker" ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$marker"
}

# apt-get is slow and holds a lock, so it runs only for what is really missing.
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found; install $* by hand"
  local stamp="$LRE_CACHE/.apt-updated"
  mkdir -p "$LRE_CACHE"
  if [[ ! -f "$stamp" || -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LRE_CACHE/apt.log" 2>&1 || die "apt-get update failed, see $LRE_CACHE/apt.log"
    touch "$stamp"
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$LRE_CACHE/apt.log" 2>&1 \
    || die "apt-get install $* failed, see $LRE_CACHE/apt.log"
}
