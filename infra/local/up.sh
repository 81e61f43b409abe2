#!/usr/bin/env bash
# Brings the local stack up: installs what is missing, starts Kafka and PostgreSQL, waits until
# both answer, creates the topics and applies the migrations. Safe to run again at any time; after
# a crash (or kill -9) of either service it restarts what is down.
# Usage: infra/local/up.sh [--kafka-nodes 1|3]   (3: a three-node KRaft cluster, topics with
# replication factor 3 and min.insync.replicas 2, as in production; stays 3 until down.sh --purge)
case "${1:-}" in
  --kafka-nodes) export KAFKA_NODES="${2:?--kafka-nodes needs 1 or 3}" ;;
  "") ;;
  *) echo "usage: $0 [--kafka-nodes 1|3]" >&2; exit 2 ;;
esac
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -x "$LRE_NODE" ]] || die "node_modules is missing; run 'npm ci' in $LRE_ROOT first"
mkdir -p "$LRE_CACHE"
# Two scripts racing to install or start the same services would trip over each other
# (the test harness and a developer may both call up); the second waits for the first.
exec 9>"$LRE_CACHE/.up.lock"
flock 9
# The services must not inherit the lock descriptor, or they would hold the lock for their lifetime.

started=$SECONDS
log "bringing up the local stack (logs under $LRE_CACHE)"
"$LRE_ROOT/infra/local/postgres.sh" start 9>&-
"$LRE_ROOT/infra/local/kafka.sh" start 9>&-
"$LRE_ROOT/infra/local/kafka.sh" topics 9>&-

admin_url="${DATABASE_ADMIN_URL:-$("$LRE_NODE" -e '
  const [user, pw, host, port, db] = process.argv.slice(1);
  console.log(`postgres://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@${host}:${port}/${db}`);
' "$LRE_PG_ADMIN_USER" "$LRE_PG_ADMIN_PASSWORD" "$PG_HOST" "$PG_PORT" "$PG_DATABASE")}"
log "applying migrations"
DATABASE_ADMIN_URL="$admin_url" \
LRE_PG_READER_ROLE="${LRE_PG_READER_ROLE:-lre_reader_local}" \
LRE_PG_READER_PASSWORD="${LRE_PG_READER_PASSWORD:-lre_reader_local}" \
LRE_PG_READER_TENANT="${LRE_PG_READER_TENANT:-tenant-local}" \
  "$LRE_NODE" "$LRE_ROOT/infra/db/src/cli.ts" migrate

log "stack up in $((SECONDS - started)) s"
"$LRE_ROOT/infra/local/status.sh"
