#!/usr/bin/env bash
# Apache Kafka (KRaft, each node a combined broker+controller) for local development and tests:
# one node by default, three with KAFKA_NODES=3.
# Usage: infra/local/kafka.sh install|start|stop|status|kill <node>|brokers|topics
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_POM="$LRE_ROOT/infra/local/kafka/pom.xml"
KAFKA_LOG4J="$LRE_ROOT/infra/local/kafka/log4j2.properties"
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

[[ "$KAFKA_NODES" == 1 || "$KAFKA_NODES" == 3 ]] || die "KAFKA_NODES must be 1 or 3, not '$KAFKA_NODES'"

# Node 1 keeps the folders of the one-node stack, so that switching the flag never moves its data.
node_home() { if (( $1 == 1 )); then echo "$KAFKA_HOME"; else echo "$KAFKA_HOME/node-$1"; fi; }
node_port() { echo $((KAFKA_PORT + 10 * ($1 - 1))); }
node_controller_port() { echo $((KAFKA_CONTROLLER_PORT + 10 * ($1 - 1))); }
node_pid_file() { echo "$(node_home "$1")/kafka.pid"; }
nodes() { seq 1 "$KAFKA_NODES"; }
min() { echo $(($1 < $2 ? $1 : $2)); }
# Copies of each partition, and copies in sync before a write counts: production's 3 and 2 where
# there are three nodes, 1 and 1 on one. Internal and application topics alike.
replication_factor() { min "$KAFKA_NODES" 3; }
min_insync_replicas() { min "$KAFKA_NODES" 2; }

# Every node's broker address, comma-separated: what clients of this cluster put in KAFKA_BROKERS.
bootstrap() {
  local n list=()
  for n in $(nodes); do list+=("$KAFKA_HOST:$(node_port "$n")"); done
  (IFS=,; echo "${list[*]}")
}

write_config() {
  local n="$1" home voters="" v
  home="$(node_home "$n")"
  for v in $(nodes); do voters+="${voters:+,}$v@$KAFKA_HOST:$(node_controller_port "$v")"; done
  mkdir -p "$home/data" "$home/logs"
  local rf min_isr
  rf="$(replication_factor)"
  min_isr="$(min_insync_replicas)"
  # Regenerated on every start so that a port change in the environment takes effect.
  cat >"$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://$KAFKA_HOST:$(node_port "$n"),CONTROLLER://$KAFKA_HOST:$(node_controller_port "$n")
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$(node_port "$n")
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$home/data
# Topics are created explicitly (infra/local/topics.ts, test harness) so that a typo in a
# topic name fails loudly instead of creating a stray one-partition topic.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=$rf
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
# Tests create and join many consumer groups; waiting 3 s for more members only slows them.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=72
log.segment.bytes=104857600
delete.topic.enable=true
PROPS
}

# A cluster's nodes are formatted together with one cluster id and one voter set; a folder
# formatted for another number of nodes cannot join, so that is refused rather than half-started.
format_storage() {
  local n="$1" home cluster_id_file="$KAFKA_HOME/cluster.id" nodes_file="$KAFKA_HOME/nodes"
  home="$(node_home "$n")"
  local formatted=""
  # A stack formatted before the flag existed has no nodes file: it is one node.
  if [[ -f "$nodes_file" ]]; then formatted="$(cat "$nodes_file")"; elif [[ -f "$KAFKA_DATA/meta.properties" ]]; then formatted=1; fi
  if [[ -n "$formatted" && "$formatted" != "$KAFKA_NODES" ]]; then
    die "$KAFKA_HOME holds a $formatted-node cluster; stop it and run 'infra/local/down.sh --purge' before starting $KAFKA_NODES nodes"
  fi
  [[ -f "$home/data/meta.properties" ]] && return 0
  if [[ ! -s "$cluster_id_file" ]]; then
    # Same format as `StorageTool random-uuid` (16 random bytes, URL-safe base64, not starting
    # with "-", which Kafka's tools would read as an option) without a second JVM start.
    "$LRE_NODE" -e '
      const { randomBytes } = require("node:crypto");
      let id;
      do id = randomBytes(16).toString("base64url"); while (id.startsWith("-"));
      process.stdout.write(id);' >"$cluster_id_file"
  fi
  echo "$KAFKA_NODES" >"$nodes_file"
  log "formatting KRaft storage of node $n in $home/data"
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$home/logs" \
    kafka.tools.StorageTool format -t "$(cat "$cluster_id_file")" -c "$home/server.properties" --ignore-formatted \
    >>"$home/logs/storage-tool.log" 2>&1 || die "storage format failed, see $home/logs/storage-tool.log"
}

start_node() {
  local n="$1" home port cport
  home="$(node_home "$n")"
  port="$(node_port "$n")"
  cport="$(node_controller_port "$n")"
  if pid_alive "$(node_pid_file "$n")" kafka.Kafka; then
    log "Kafka node $n already running (pid $(cat "$(node_pid_file "$n")")) on $KAFKA_HOST:$port"
    return 0
  fi
  if port_open "$KAFKA_HOST" "$port" || port_open "$KAFKA_HOST" "$cport"; then
    die "port $port or $cport is taken by a process this script did not start"
  fi
  write_config "$n"
  format_storage "$n"
  log "starting Kafka $KAFKA_VERSION node $n of $KAFKA_NODES on $KAFKA_HOST:$port (logs: $home/logs)"
  # setsid detaches the broker from this shell so that it outlives the script and its terminal.
  # shellcheck disable=SC2086
  setsid nohup java $KAFKA_HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$home/logs" \
    kafka.Kafka "$home/server.properties" >>"$home/logs/kafka.out" 2>&1 </dev/null &
  echo $! >"$(node_pid_file "$n")"
}

start_kafka() {
  install_kafka
  local n
  # All nodes start before any is waited for: a node of a three-node quorum cannot elect a
  # controller, and so cannot serve, until a second one is up.
  for n in $(nodes); do start_node "$n"; done
  wait_kafka
}

wait_kafka() {
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-120})) n port
  for n in $(nodes); do
    port="$(node_port "$n")"
    until port_open "$KAFKA_HOST" "$port"; do
      pid_alive "$(node_pid_file "$n")" kafka.Kafka || die "Kafka node $n exited during start-up, see $(node_home "$n")/logs/kafka.out and server.log"
      (( SECONDS < deadline )) || die "Kafka node $n did not open $KAFKA_HOST:$port in time, see $(node_home "$n")/logs/server.log"
      sleep 1
    done
  done
  # An open port is not yet a broker that serves metadata; the admin client retries until it does.
  KAFKA_BROKERS="$(bootstrap)" "$LRE_NODE" --disable-warning=TimeoutNegativeWarning "$LRE_ROOT/infra/local/topics.ts" wait \
    || die "Kafka is listening but not answering metadata requests, see $KAFKA_LOGS/server.log"
  log "Kafka ready: $KAFKA_NODES node(s), KAFKA_BROKERS=$(bootstrap)"
}

stop_node() {
  local n="$1" pid pid_file
  pid_file="$(node_pid_file "$n")"
  if ! pid_alive "$pid_file" kafka.Kafka; then
    rm -f "$pid_file"
    return 0
  fi
  pid="$(cat "$pid_file")"
  log "stopping Kafka node $n (pid $pid)"
  kill -TERM "$pid"
  # A controlled shutdown takes a few seconds; after 30 s the broker is killed, which KRaft recovers from.
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; log "Kafka node $n stopped"; return 0; }
    sleep 1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pid_file"
  log "Kafka node $n killed after 30 s"
}

stop_kafka() {
  local n pids=()
  # The nodes stop in parallel: the last controller standing would otherwise wait for a quorum
  # that is already gone until its 30 s are up.
  for n in $(nodes); do stop_node "$n" & pids+=($!); done
  wait "${pids[@]}"
}

# SIGKILL to one node: a crashed broker, for fault tests and drills. `start` brings it back.
kill_node() {
  local n="${1:-}" pid_file
  [[ "$n" =~ ^[1-9]$ ]] && (( n <= KAFKA_NODES )) || die "usage: kafka.sh kill <node 1..$KAFKA_NODES>"
  pid_file="$(node_pid_file "$n")"
  pid_alive "$pid_file" kafka.Kafka || die "Kafka node $n is not running"
  kill -KILL "$(cat "$pid_file")"
  rm -f "$pid_file"
  log "Kafka node $n killed (SIGKILL)"
}

status_kafka() {
  local n rc=0 port pid_file
  for n in $(nodes); do
    port="$(node_port "$n")"
    pid_file="$(node_pid_file "$n")"
    if pid_alive "$pid_file" kafka.Kafka && port_open "$KAFKA_HOST" "$port"; then
      echo "kafka:    running  node $n/$KAFKA_NODES  pid $(cat "$pid_file")  $KAFKA_HOST:$port  version $KAFKA_VERSION  logs $(node_home "$n")/logs"
    elif pid_alive "$pid_file" kafka.Kafka; then
      echo "kafka:    starting node $n/$KAFKA_NODES  pid $(cat "$pid_file")  (port $port not open yet)"
      rc=1
    else
      echo "kafka:    stopped  node $n/$KAFKA_NODES"
      rc=1
    fi
  done
  return $rc
}

# Application topics get the cluster's durability unless told otherwise.
create_topics() {
  KAFKA_BROKERS="$(bootstrap)" \
  KAFKA_TOPIC_REPLICATION_FACTOR="${KAFKA_TOPIC_REPLICATION_FACTOR:-$(replication_factor)}" \
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS="${KAFKA_TOPIC_MIN_INSYNC_REPLICAS:-$(min_insync_replicas)}" \
    "$LRE_NODE" --disable-warning=TimeoutNegativeWarning "$LRE_ROOT/infra/local/topics.ts" create
}

case "${1:-}" in
  install) install_kafka ;;
  start) start_kafka ;;
  stop) stop_kafka ;;
  status) status_kafka ;;
  kill) kill_node "${2:-}" ;;
  brokers) bootstrap ;;
  topics) create_topics ;;
  *) echo "usage: $0 install|start|stop|status|kill <node>|brokers|topics" >&2; exit 2 ;;
esac
