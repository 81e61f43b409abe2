#!/usr/bin/env bash
# PostgreSQL from the Debian packages, run from a project-owned data directory without systemd.
# Usage: infra/local/postgres.sh install|start|stop|status|psql [args]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
# postgres refuses to run as root; as root we run it as the postgres OS user that the Debian
# package creates, otherwise as whoever runs the script.
if [[ $EUID -eq 0 ]]; then PG_OS_USER=postgres; else PG_OS_USER="$(id -un)"; fi
PG_SUPERUSER="$PG_OS_USER"

as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

install_postgres() {
  if [[ ! -x "$PG_BIN/pg_ctl" ]]; then
    [[ $EUID -eq 0 ]] || die "PostgreSQL $PG_VERSION is missing and installing it needs root"
    # The package would also create and try to start a default cluster on 5432; we neither need
    # nor use it, so it is dropped right after installation when nothing else owns it.
    local had_main=0
    [[ -d "/etc/postgresql/$PG_VERSION/main" ]] && had_main=1
    apt_install "postgresql-$PG_VERSION"
    if [[ $had_main -eq 0 && -d "/etc/postgresql/$PG_VERSION/main" ]] && command -v pg_dropcluster >/dev/null; then
      pg_dropcluster --stop "$PG_VERSION" main >>"$LRE_CACHE/apt.log" 2>&1 || true
    fi
  fi
  [[ -x "$PG_BIN/pg_ctl" ]] || die "pg_ctl for PostgreSQL $PG_VERSION not found in $PG_BIN"
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "initialising PostgreSQL $PG_VERSION cluster in $PG_DATA"
    mkdir -p "$PG_HOME"
    # The postgres user must be able to reach the data directory through the checkout's path.
    as_pg test -x "$LRE_CACHE" 2>/dev/null || chmod o+x "$LRE_CACHE"
    as_pg test -x "$LRE_CACHE" 2>/dev/null \
      || die "the $PG_OS_USER user cannot reach $LRE_CACHE; make its parent folders traversable (chmod o+x) or set LRE_CACHE to a folder it can reach"
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA" "$PG_SOCKET_DIR"
    [[ $EUID -eq 0 ]] && chown -R "$PG_OS_USER": "$PG_HOME"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" -E UTF8 --locale=C \
      --auth-local=peer --auth-host=scram-sha-256 >"$PG_HOME/initdb.log" 2>&1 \
      || die "initdb failed, see $PG_HOME/initdb.log"
    echo "include_if_exists = 'lre.conf'" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
  fi
}

write_config() {
  # PG_DURABLE=1 runs with production's durability settings (a crash test needs them).
  local durability=off
  [[ "${PG_DURABLE:-0}" == 1 ]] && durability=on
  mkdir -p "$PG_SOCKET_DIR"
  [[ $EUID -eq 0 ]] && chown "$PG_OS_USER": "$PG_SOCKET_DIR"
  # Regenerated on every start so that a port change in the environment takes effect.
  as_pg tee "$PG_DATA/lre.conf" >/dev/null <<CONF
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 200
shared_buffers = 128MB
# A development and test database: unless PG_DURABLE=1, durability against an operating-system
# crash is traded for speed (a killed server still recovers: the data is in the OS page cache).
# Production runs with all three on (docs/reliability.md).
fsync = $durability
synchronous_commit = $durability
full_page_writes = $durability
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
# Statement parameters are customer data (the worker's rows travel as one JSON parameter): never in
# this log, neither for a slow statement nor for a failing one.
log_parameter_max_length = 0
log_parameter_max_length_on_error = 0
# A constraint violation's DETAIL repeats the failing row; the log keeps the error and its constraint.
log_error_verbosity = terse
timezone = 'UTC'
CONF
  # Settings a test needs on top (one per line, e.g. a server that commits asynchronously).
  if [[ -n "${PG_EXTRA_CONF:-}" ]]; then printf '%s\n' "$PG_EXTRA_CONF" | as_pg tee -a "$PG_DATA/lre.conf" >/dev/null; fi
}

pg_running() {
  as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

psql_super() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_SUPERUSER" "$@"
}

start_postgres() {
  install_postgres
  if pg_running && port_open "$PG_HOST" "$PG_PORT"; then
    log "PostgreSQL already running on $PG_HOST:$PG_PORT"
  else
    if port_open "$PG_HOST" "$PG_PORT" && ! pg_running; then
      die "port $PG_PORT is taken by a process this script did not start"
    fi
    write_config
    log "starting PostgreSQL $PG_VERSION on $PG_HOST:$PG_PORT (log: $PG_LOG)"
    touch "$PG_LOG" && { [[ $EUID -ne 0 ]] || chown "$PG_OS_USER": "$PG_LOG"; }
    # After a kill -9 the old backends need a moment to notice that their postmaster is gone
    # before a new one can take the shared memory; retry rather than fail.
    local tries=0
    until as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 >>"$PG_HOME/pg_ctl.log" 2>&1; do
      tries=$((tries + 1))
      (( tries < 5 )) || die "PostgreSQL did not start, see $PG_LOG"
      sleep 2
    done
  fi
  bootstrap
  log "PostgreSQL ready"
}

# Database and the migration (admin) role. Idempotent; the password is re-applied every time so
# that changing LRE_PG_ADMIN_PASSWORD takes effect on the next up.
bootstrap() {
  # The password travels through the environment, never a command line, and only its SCRAM
  # verifier reaches the server, so neither `ps` nor the server log can show it.
  local verifier
  verifier="$(SCRAM_PASSWORD="$LRE_PG_ADMIN_PASSWORD" "$LRE_NODE" "$LRE_ROOT/infra/db/src/scram.ts")" \
    || die "could not derive the admin password verifier"
  LRE_PG_ADMIN_VERIFIER="$verifier" psql_super -d postgres <<SQL
\getenv admin_pw LRE_PG_ADMIN_VERIFIER
SELECT format('CREATE ROLE %I LOGIN CREATEROLE', '$LRE_PG_ADMIN_USER')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$LRE_PG_ADMIN_USER') \gexec
ALTER ROLE "$LRE_PG_ADMIN_USER" WITH LOGIN CREATEROLE PASSWORD :'admin_pw';
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DATABASE', '$LRE_PG_ADMIN_USER')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE') \gexec
SQL
  # The admin owns the public schema of its database so that migrations can create objects there.
  psql_super -d "$PG_DATABASE" -c "ALTER SCHEMA public OWNER TO \"$LRE_PG_ADMIN_USER\"" >/dev/null
}

stop_postgres() {
  if [[ ! -f "$PG_DATA/PG_VERSION" ]] || ! pg_running; then
    log "PostgreSQL not running"
    return 0
  fi
  log "stopping PostgreSQL"
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >>"$PG_HOME/pg_ctl.log" 2>&1 \
    || as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w >>"$PG_HOME/pg_ctl.log" 2>&1 || true
  log "PostgreSQL stopped"
}

status_postgres() {
  if [[ -f "$PG_DATA/PG_VERSION" ]] && pg_running && port_open "$PG_HOST" "$PG_PORT"; then
    echo "postgres: running  pid $(as_pg head -1 "$PG_DATA/postmaster.pid")  $PG_HOST:$PG_PORT  version $PG_VERSION  db $PG_DATABASE  log $PG_LOG"
  else
    echo "postgres: stopped"
    return 1
  fi
}

case "${1:-}" in
  install) install_postgres ;;
  start) start_postgres ;;
  stop) stop_postgres ;;
  status) status_postgres ;;
  psql) shift; psql_super -d "$PG_DATABASE" "$@" ;;
  *) echo "usage: $0 install|start|stop|status|psql [args]" >&2; exit 2 ;;
esac
