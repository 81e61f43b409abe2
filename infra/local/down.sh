#!/usr/bin/env bash
# Stops Kafka and PostgreSQL. Data stays in .cache/; pass --purge to delete it as well.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mkdir -p "$LRE_CACHE"
exec 9>"$LRE_CACHE/.up.lock"
flock 9
# The services must not inherit the lock descriptor, or they would hold the lock for their lifetime.

"$LRE_ROOT/infra/local/kafka.sh" stop 9>&-
"$LRE_ROOT/infra/local/postgres.sh" stop 9>&-
if [[ "${1:-}" == "--purge" ]]; then
  log "deleting Kafka and PostgreSQL data (jars and packages stay)"
  rm -rf "$KAFKA_DATA" "$KAFKA_HOME"/node-* "$KAFKA_HOME/cluster.id" "$KAFKA_HOME/nodes" "$PG_DATA"
fi
