#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) for local development and tests.
# Usage: infra/local/kafka.sh install|start|stop|status|topics
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_POM="$LRE_ROOT/infra/local/kafka/pom.xml"
KAFKA_LOG4J="$LRE_ROOT/infra/local/kafka/log4j2.properties"
KAFKA_PROPS="$KAFKA_HOME/server.properties"
# Jars are re-resolved whenever the pom or the requested version changes.
libs_stamp() { printf '%s %s' "$KAFKA_VERSION" "$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)"; }

install_kafka() {
  if ! command -v java >/dev/null || ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
    apt_install openjdk-17-jre-headless
  fi
  command -v mvn >/dev/null || apt_install maven
  if [[ -f "$KAFKA_LIBS/.stamp" && "$(cat "$KAFKA_LIBS/.stamp")" == "$(libs_stamp)" ]]; then
    return 0
  fi
  log "resolving Kafka $KAFKA_VERSION jars with Maven (first run downloads ~45 MB)"
  mkdir -p "$KAFKA_HOME" "$LRE_CACHE/m2"
  rm -rf "$KAFKA_LIBS"
  mvn -B -q -f "$KAFKA_POM" -Dmaven.repo.local="$LRE_CACHE/m2" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" \
    >"$KAFKA_HOME/maven.log" 2>&1 || die "Maven could not resolve Kafka jars, see $KAFKA_HOME/maven.log"
  libs_stamp >"$KAFKA_LIBS/.stamp"
  log "Kafka jars in $KAFKA_LIBS"
}

java_run() {
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$KAFKA_LOGS" "$@"
}

write_config() {
  mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS"
  # Regenerated on every start so that a port change in the environment takes effect.
  cat >"$KAFKA_PROPS" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA
# Topics are created explicitly (infra/local/topics.ts, test harness) so that a typo in a
# topic name fails loudly instead of creating a stray one-partition topic.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests create and join many consumer groups; waiting 3 s for more members only slows them.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=72
log.segment.bytes=104857600
delete.topic.enable=true
PROPS
}

format_storage() {
  [[ -f "$KAFKA_DATA/meta.properties" ]] && return 0
  local cluster_id_file="$KAFKA_HOME/cluster.id"
  if [[ ! -s "$cluster_id_file" ]]; then
    # Same format as `StorageTool random-uuid` (16 random bytes, URL-safe base64, not starting
    # with "-", which Kafka's tools would read as an option) without a second JVM start.
    "$LRE_NODE" -e '
      const { randomBytes } = require("node:crypto");
      let id;
      do id = randomBytes(16).toString("base64url"); while (id.startsWith("-"));
      process.stdout.write(id);' >"$cluster_id_file"
  fi
  log "formatting KRaft storage in $KAFKA_DATA"
  java_run kafka.tools.StorageTool format -t "$(cat "$cluster_id_file")" -c "$KAFKA_PROPS" --ignore-formatted \
    >>"$KAFKA_LOGS/storage-tool.log" 2>&1 || die "storage format failed, see $KAFKA_LOGS/storage-tool.log"
}

start_kafka() {
  if pid_alive "$KAFKA_PID_FILE" kafka.Kafka; then
    log "Kafka already running (pid $(cat "$KAFKA_PID_FILE")) on $KAFKA_HOST:$KAFKA_PORT"
    return 0
  fi
  if port_open "$KAFKA_HOST" "$KAFKA_PORT" || port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"; then
    die "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT is taken by a process this script did not start"
  fi
  install_kafka
  write_config
  format_storage
  log "starting Kafka $KAFKA_VERSION on $KAFKA_HOST:$KAFKA_PORT (logs: $KAFKA_LOGS)"
  # setsid detaches the broker from this shell so that it outlives the script and its terminal.
  # shellcheck disable=SC2086
  setsid nohup java $KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$KAFKA_LOGS" \
    kafka.Kafka "$KAFKA_PROPS" >>"$KAFKA_LOGS/kafka.out" 2>&1 </dev/null &
  echo $! >"$KAFKA_PID_FILE"
  wait_kafka
}

wait_kafka() {
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-120}))
  until port_open "$KAFKA_HOST" "$KAFKA_PORT"; do
    pid_alive "$KAFKA_PID_FILE" kafka.Kafka || die "Kafka exited during start-up, see $KAFKA_LOGS/kafka.out and server.log"
    (( SECONDS < deadline )) || die "Kafka did not open $KAFKA_HOST:$KAFKA_PORT in time, see $KAFKA_LOGS/server.log"
    sleep 1
  done
  # An open port is not yet a broker that serves metadata; the admin client retries until it does.
  KAFKA_BROKERS="$KAFKA_HOST:$KAFKA_PORT" "$LRE_NODE" --disable-warning=TimeoutNegativeWarning "$LRE_ROOT/infra/local/topics.ts" wait \
    || die "Kafka is listening but not answering metadata requests, see $KAFKA_LOGS/server.log"
  log "Kafka ready (pid $(cat "$KAFKA_PID_FILE"))"
}

stop_kafka() {
  if ! pid_alive "$KAFKA_PID_FILE" kafka.Kafka; then
    log "Kafka not running"
    rm -f "$KAFKA_PID_FILE"
    return 0
  fi
  local pid
  pid="$(cat "$KAFKA_PID_FILE")"
  log "stopping Kafka (pid $pid)"
  kill -TERM "$pid"
  # A controlled shutdown takes a few seconds; after 30 s the broker is killed, which KRaft recovers from.
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$KAFKA_PID_FILE"; log "Kafka stopped"; return 0; }
    sleep 1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$KAFKA_PID_FILE"
  log "Kafka killed after 30 s"
}

status_kafka() {
  if pid_alive "$KAFKA_PID_FILE" kafka.Kafka && port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    echo "kafka:    running  pid $(cat "$KAFKA_PID_FILE")  $KAFKA_HOST:$KAFKA_PORT  version $KAFKA_VERSION  logs $KAFKA_LOGS"
  elif pid_alive "$KAFKA_PID_FILE" kafka.Kafka; then
    echo "kafka:    starting pid $(cat "$KAFKA_PID_FILE")  (port $KAFKA_PORT not open yet)"
    return 1
  else
    echo "kafka:    stopped"
    return 1
  fi
}

case "${1:-}" in
  install) install_kafka ;;
  start) start_kafka ;;
  stop) stop_kafka ;;
  status) status_kafka ;;
  topics) KAFKA_BROKERS="$KAFKA_HOST:$KAFKA_PORT" "$LRE_NODE" --disable-warning=TimeoutNegativeWarning "$LRE_ROOT/infra/local/topics.ts" create ;;
  *) echo "usage: $0 install|start|stop|status|topics" >&2; exit 2 ;;
esac
