#!/usr/bin/env bash
# Starts the review console (services/review) in the background against the local stack, with
# one local reviewer for the demo's tenant, and prints its address and login. Run again, it
# replaces the console it started before. `bash scripts/review-console.sh stop` stops it.
# Local only: the password is a development default and the session secret lives for one start.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.cache/review
mkdir -p "$dir"
pidfile="$dir/console.pid"

stop_previous() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}
stop_previous
[ "${1:-}" = "stop" ] && { echo "review console stopped"; exit 0; }

node=node_modules/.bin/node
host="${REVIEW_HOST:-127.0.0.1}"
port="${REVIEW_PORT:-8090}"
user="${REVIEW_DEMO_USER:-reviewer}"
password="${REVIEW_DEMO_PASSWORD:-demo-reviewer}"
tenant="${REVIEW_DEMO_TENANT:-tenant-demo}"
hash="$(printf '%s' "$password" | "$node" services/review/src/hash-password.ts)"
REVIEW_HOST="$host" REVIEW_PORT="$port" \
REVIEW_LOCAL_USERS="[{\"username\":\"$user\",\"tenant\":\"$tenant\",\"password_hash\":\"$hash\"}]" \
  nohup "$node" services/review/src/main.ts >"$dir/console.log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 1 100); do
  if "$node" -e "fetch('http://$host:$port/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
    echo "review console   http://$host:$port/   sign in as $user / $password (tenant $tenant)"
    echo "                 log $dir/console.log; stop it with: bash scripts/review-console.sh stop"
    exit 0
  fi
  kill -0 "$(cat "$pidfile")" 2>/dev/null || break
  sleep 0.2
done
echo "the review console did not start; see $dir/console.log" >&2
tail -5 "$dir/console.log" >&2
exit 1
