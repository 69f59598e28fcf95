#!/usr/bin/env bash
# `make bench`: wrk against the release build of ticketd, backed by private
# PostgreSQL and Redis holding at least 10,000 tickets. Prints requests/s,
# p50 and p99 per scenario and the API's peak RSS; raw wrk output is kept
# in build/bench/. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
LOG_NAME=bench
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

readonly BIN="${ROOT}/build/release/ticketd"
readonly OUT_DIR="${ROOT}/build/bench"
readonly POST_SCRIPT="${ROOT}/bench/post_ticket.lua"
readonly AI_SCRIPT="${ROOT}/bench/ai_create.lua"
readonly SEED_TARGET="${BENCH_SEED_TICKETS:-10000}"
readonly DURATION="${BENCH_DURATION:-15s}"
readonly CONNECTIONS=64 THREADS=2
BASE=""
AUTH_HEADER=""
API_PID=""
SERVICES_DIR=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "${API_PID}" ]]; then stop_pid "${API_PID}" 15; fi
  if [[ -n "${SERVICES_DIR}" ]]; then
    "${ROOT}/scripts/services.sh" stop "${SERVICES_DIR}" || log "warning: services stop failed"
    rm -rf "${SERVICES_DIR}"
  fi
  exit "${status}"
}

api_live() {
  pid_alive "${API_PID}" || die "ticketd api exited during startup; see ${OUT_DIR}/api.log"
  curl -fsS -o /dev/null --max-time 2 "${BASE}/health/live" 2>/dev/null
}

start_api() {
  local port
  port="$(free_port 18000 18999)"
  BASE="http://127.0.0.1:${port}"
  # One client sends hundreds of thousands of requests: the limits are raised
  # here, through configuration, and the limiter still runs on every request.
  ENVIRONMENT=development LOG_LEVEL="${LOG_LEVEL:-warning}" PORT="${port}" \
    DOCS_ASSETS_DIR="${ROOT}/web/node_modules" JWT_SECRET_KEY="$(openssl rand -hex 32)" \
    RATE_LIMIT_GENERAL="${RATE_LIMIT_GENERAL:-1000000/1}" RATE_LIMIT_AI="${RATE_LIMIT_AI:-1000000/1}" \
    "${BIN}" api >"${OUT_DIR}/api.log" 2>&1 &
  API_PID=$!
  wait_for "ticketd api" 60 api_live || die "ticketd api did not become live"
}

# An agent account for the run (agents read and write every ticket); its
# access token (30 minutes) authenticates every measured request.
sign_in() {
  local email="bench-agent@ticketd.local" password body
  password="$(openssl rand -hex 16)"
  printf '%s\n' "${password}" |
    "${BIN}" user create --email "${email}" --role agent --update >/dev/null
  body="$(jq -cn --arg email "${email}" --arg password "${password}" \
    '{email: $email, password: $password}')"
  AUTH_HEADER="Authorization: Bearer $(curl -fsS --max-time 10 -X POST \
    -H 'Content-Type: application/json' --data "${body}" "${BASE}/api/v1/auth/login" |
    jq -er .access_token)" || die "signing in the bench account failed"
}

# Prints the `total` of the ticket list; the list must answer 200.
ticket_total() {
  curl -fsS --max-time 10 -H "${AUTH_HEADER}" "${BASE}/api/v1/tickets?size=1" | jq -er '.total'
}

# wrk has no request count, so POST in short rounds until the list's total
# reaches the target. A round that adds nothing ends the run.
seed_tickets() {
  local total before deadline=$((SECONDS + 600))
  total="$(ticket_total)" || die "GET /api/v1/tickets failed"
  while ((total < SEED_TARGET)); do
    ((SECONDS < deadline)) || die "seeding too slow: ${total} tickets after 600s"
    log "seeding: ${total}/${SEED_TARGET} tickets"
    wrk -t "${THREADS}" -c 16 -d 3s -H "${AUTH_HEADER}" -s "${POST_SCRIPT}" "${BASE}/api/v1/tickets" \
      >"${OUT_DIR}/seed.txt"
    before="${total}"
    total="$(ticket_total)" || die "GET /api/v1/tickets failed"
    if ((total <= before)); then
      cat "${OUT_DIR}/seed.txt" >&2
      die "POST /api/v1/tickets created no tickets (see the wrk output above)"
    fi
  done
  log "seeded: ${total} tickets"
}

# measure FILE NAME URL [wrk args...]: one wrk run, its output kept in
# build/bench/FILE.txt; appends a row to the summary.
measure() {
  local out="${OUT_DIR}/$1.txt" name="$2" url="$3"
  shift 3
  log "measuring ${name} for ${DURATION}"
  wrk -t "${THREADS}" -c "${CONNECTIONS}" -d "${DURATION}" --latency "$@" "${url}" >"${out}"
  awk -v name="${name}" '
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { sub(/^ *Socket errors: */, ""); errors = $0 }
    END {
      printf "%-24s %12s %10s %10s %8s  %s\n", name, rps, p50, p99, bad + 0, \
        (errors == "" ? "none" : errors)
    }' "${out}" >>"${OUT_DIR}/summary.txt"
}

main() {
  local ticket_id
  cd "${ROOT}"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  "${ROOT}/scripts/deps.sh"
  cmake --preset release
  cmake --build --preset release
  mkdir -p "${OUT_DIR}"

  SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ticketd-bench.XXXXXX")"
  "${ROOT}/scripts/services.sh" start "${SERVICES_DIR}"
  # shellcheck source=/dev/null
  source "${SERVICES_DIR}/env"
  ENVIRONMENT=development "${BIN}" migrate up
  start_api
  sign_in
  seed_tickets
  ticket_id="$(curl -fsS -H "${AUTH_HEADER}" "${BASE}/api/v1/tickets?size=1" |
    jq -er '.items[0].id')"

  printf '%-24s %12s %10s %10s %8s  %s\n' scenario 'requests/s' p50 p99 non-2xx \
    'socket errors' >"${OUT_DIR}/summary.txt"
  measure health "GET /health" "${BASE}/health"
  measure get_ticket "GET /api/v1/tickets/{id}" "${BASE}/api/v1/tickets/${ticket_id}" \
    -H "${AUTH_HEADER}"
  measure post_ticket "POST /api/v1/tickets" "${BASE}/api/v1/tickets" -H "${AUTH_HEADER}" \
    -s "${POST_SCRIPT}"
  measure ai_create "POST /api/v1/tickets/ai-create" "${BASE}/api/v1/tickets/ai-create" \
    -H "${AUTH_HEADER}" -s "${AI_SCRIPT}"

  awk '/^VmHWM:/ { printf "\npeak RSS of ticketd api: %.1f MiB (VmHWM)\n", $2 / 1024 }' \
    "/proc/${API_PID}/status" >>"${OUT_DIR}/summary.txt"
  printf '\n%s connections, %s threads, %s per scenario; raw output in %s\n\n' \
    "${CONNECTIONS}" "${THREADS}" "${DURATION}" "${OUT_DIR}"
  cat "${OUT_DIR}/summary.txt"
}

main "$@"
