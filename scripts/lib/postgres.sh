# shellcheck shell=bash
# A private PostgreSQL 15 cluster in DIR/pg, for scripts/services.sh.
# Needs lib/common.sh. Files: DIR/pg/{data,sock,port,postgres.log,initdb.log}.

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly PG_PORTS=(15432 15999)
readonly PG_TIMEOUT=30

# PostgreSQL refuses to run as root; as root we run its tools as `postgres`.
as_pg() {
  if [[ "${EUID}" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Creates the cluster once; a DIR whose earlier init failed is started over.
pg_init() {
  local pg="$1/pg" sock="$1/pg/sock"
  [[ -f "${pg}/initialized" ]] && return 0

  rm -rf "${pg}"
  mkdir -p "${pg}/data" "${sock}"
  if [[ "${EUID}" -eq 0 ]]; then chown -R postgres:postgres "${pg}"; fi
  as_pg test -w "${pg}/data" ||
    die "user postgres cannot write ${pg}; choose a DIR whose parent directories it can enter"
  as_pg "${PG_BIN}/initdb" -D "${pg}/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"${pg}/initdb.log" 2>&1 || { tail_log "${pg}/initdb.log"; die "initdb failed"; }

  # A unix socket path must fit in 107 bytes; without one, clients use TCP.
  if ((${#sock} > 90)); then sock=""; fi
  # Throwaway data: durability is traded for test speed.
  as_pg tee -a "${pg}/data/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '${sock}'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' |
    as_pg tee "${pg}/data/pg_hba.conf" >/dev/null
  touch "${pg}/initialized"
}

# Starts the cluster on a free port and writes it to DIR/pg/port. The caller
# holds the cross-checkout lock, so only a foreign program can steal the port;
# then we try the next one.
pg_start() {
  local pg="$1/pg" port attempt
  for attempt in 1 2 3; do
    port="$(free_port "${PG_PORTS[@]}")"
    if as_pg "${PG_BIN}/pg_ctl" -D "${pg}/data" -l "${pg}/postgres.log" -o "-p ${port}" \
      -w -t "${PG_TIMEOUT}" start >/dev/null &&
      wait_for PostgreSQL "${PG_TIMEOUT}" "${PG_BIN}/pg_isready" -q -h 127.0.0.1 -p "${port}"; then
      printf '%s\n' "${port}" >"${pg}/port"
      return 0
    fi
    log "PostgreSQL did not start on port ${port} (attempt ${attempt})"
    tail_log "${pg}/postgres.log"
    pg_stop "$1"
  done
  die "PostgreSQL failed to start"
}

# pg_create_db PORT: role and database `ticketd` (password `ticketd`), unless
# they exist. Not a superuser, as on RDS; it owns its database and may
# create others (for tests that want a database of their own).
pg_create_db() {
  local psql=("${PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres)
  if [[ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'ticketd'")" ]]; then
    "${psql[@]}" -c "CREATE ROLE ticketd LOGIN CREATEDB PASSWORD 'ticketd'"
  fi
  if [[ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'ticketd'")" ]]; then
    "${psql[@]}" -c "CREATE DATABASE ticketd OWNER ticketd"
  fi
}

pg_stop() {
  local data="$1/pg/data"
  [[ -f "${data}/postmaster.pid" ]] || return 0
  as_pg "${PG_BIN}/pg_ctl" -D "${data}" -m fast -w -t "${PG_TIMEOUT}" stop >/dev/null 2>&1 ||
    log "warning: pg_ctl stop failed for ${data} (server already gone?)"
}
