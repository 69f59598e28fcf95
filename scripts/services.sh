#!/usr/bin/env bash
# Private PostgreSQL 15 and Redis 7 for development, tests and benchmarks.
#   services.sh start DIR   starts both and writes DIR/env, to be sourced:
#                           export DATABASE_URL=... and export REDIS_URL=...
#                           (and TEST_REDISS_URL=... for the TLS tests)
#   services.sh stop DIR    stops both; safe to repeat and after a failed start
# A start in a DIR that still runs services stops them first; the database
# files in DIR/pg survive a stop and are reused by the next start.
set -euo pipefail

SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPTS
# shellcheck source=scripts/lib/common.sh
source "${SCRIPTS}/lib/common.sh"
# shellcheck source=scripts/lib/postgres.sh
source "${SCRIPTS}/lib/postgres.sh"
# shellcheck source=scripts/lib/redis.sh
source "${SCRIPTS}/lib/redis.sh"

# Every checkout on the machine takes this lock from port choice until the
# servers listen, so two of them never pick the same port.
readonly LOCK_FILE="${TMPDIR:-/tmp}/ticketd-services.lock"
START_DIR=""

cmd_stop() {
  [[ -d "$1" ]] || return 0
  redis_stop "$1"
  pg_stop "$1"
}

# A start that fails halfway stops what it had started.
on_start_exit() {
  if [[ -n "${START_DIR}" ]]; then cmd_stop "${START_DIR}"; fi
}

cmd_start() {
  local dir="$1" lock_fd pg_port redis_port
  [[ -x "${PG_BIN}/pg_ctl" ]] || die "PostgreSQL 15 not found in ${PG_BIN}; run scripts/deps.sh"
  command -v redis-server >/dev/null || die "redis-server not found; run scripts/deps.sh"

  cmd_stop "${dir}"
  START_DIR="${dir}"
  trap on_start_exit EXIT
  rm -f "${dir}/env"
  # mktemp makes 0700 directories; postgres must be able to enter DIR.
  if [[ "${EUID}" -eq 0 ]]; then chmod o+x "${dir}"; fi

  exec {lock_fd}>>"${LOCK_FILE}"
  flock -w 300 "${lock_fd}" || die "timed out waiting for ${LOCK_FILE}"
  pg_init "${dir}"
  pg_start "${dir}"
  redis_start "${dir}"
  flock -u "${lock_fd}"

  pg_port="$(<"${dir}/pg/port")"
  redis_port="$(<"${dir}/redis/port")"
  pg_create_db "${pg_port}"
  # TEST_REDISS_URL and TEST_REDIS_TLS_CA_FILE are for the TLS tests only.
  printf "export DATABASE_URL='%s'\nexport REDIS_URL='%s'\n" \
    "postgresql://ticketd:ticketd@127.0.0.1:${pg_port}/ticketd" \
    "redis://127.0.0.1:${redis_port}/0" >"${dir}/env.tmp"
  printf "export TEST_REDISS_URL='%s'\nexport TEST_REDIS_TLS_CA_FILE='%s'\n" \
    "rediss://127.0.0.1:$(<"${dir}/redis/tls-port")/0" "${dir}/redis/tls/ca.crt" >>"${dir}/env.tmp"
  mv "${dir}/env.tmp" "${dir}/env"

  START_DIR=""
  log "PostgreSQL on 127.0.0.1:${pg_port}, Redis on 127.0.0.1:${redis_port}; env in ${dir}/env"
}

main() {
  if [[ $# -ne 2 || ("$1" != start && "$1" != stop) ]]; then
    die "usage: $0 start|stop DIR"
  fi
  local dir
  if [[ "$1" == start ]]; then mkdir -p "$2"; fi
  if ! dir="$(cd "$2" 2>/dev/null && pwd)"; then
    [[ "$1" == stop ]] && return 0
    die "cannot enter $2"
  fi
  "cmd_$1" "${dir}"
}

main "$@"
