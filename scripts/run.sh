#!/usr/bin/env bash
# What `make run` does: builds the release binary, starts private PostgreSQL
# and Redis in .run/, migrates, creates a local admin and a local user with
# fresh random passwords (printed, and kept in .run/credentials), serves the
# API on 127.0.0.1:PORT (8000), signs the user in and files one example
# ticket with its token. Ctrl-C stops everything it started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

readonly RUN_DIR="${ROOT}/.run"
readonly BIN="${ROOT}/build/release/ticketd"
readonly ADMIN_EMAIL="admin@ticketd.local" USER_EMAIL="user@ticketd.local"
API_PID=""
SERVICES_UP=0

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "${API_PID}" ]]; then
    log "stopping ticketd api (pid ${API_PID})"
    stop_pid "${API_PID}" 15
  fi
  if ((SERVICES_UP)); then
    "${ROOT}/scripts/services.sh" stop "${RUN_DIR}" || log "warning: services stop failed"
  fi
  exit "${status}"
}

check_port() {
  if port_busy "$1"; then
    die "port $1 is in use; stop what listens there (ss -ltnp 'sport = :$1') or run PORT=<free port below 32768> make run"
  fi
}

api_live() {
  pid_alive "${API_PID}" || die "ticketd api exited during startup; see its output above"
  curl -fsS -o /dev/null --max-time 2 "$1/health/live" 2>/dev/null
}

print_urls() {
  local base="$1"
  cat <<EOF

ticketd is serving on ${base}
  API            ${base}/api/v1/tickets
  Swagger UI     ${base}/docs
  ReDoc          ${base}/redoc
  OpenAPI        ${base}/openapi.json
  Health         ${base}/health
  Metrics        ${base}/metrics
  PostgreSQL and Redis: source .run/env (DATABASE_URL, REDIS_URL)

EOF
}

# A random password that passes the password policy (24 characters).
new_password() {
  openssl rand -base64 18 | tr '+/' '-_'
}

# Creates the account, or resets it when it exists from an earlier run.
create_account() {
  local email="$1" name="$2" role="$3" password="$4"
  printf '%s\n' "${password}" |
    "${BIN}" user create --email "${email}" --name "${name}" --role "${role}" --update >/dev/null
}

# Signs in; prints the access token.
sign_in() {
  local base="$1" email="$2" password="$3" body
  body="$(jq -cn --arg email "${email}" --arg password "${password}" \
    '{email: $email, password: $password}')"
  curl -fsS --max-time 10 -X POST -H 'Content-Type: application/json' --data "${body}" \
    "${base}/api/v1/auth/login" | jq -er .access_token
}

# Writes the articles of config/knowledge_base_seed.json as the admin, when
# the knowledge base is empty (so repeated runs add nothing).
seed_knowledge_base() {
  local base="$1" token="$2" url="$1/api/v1/knowledge-base/articles" total count=0 article
  total="$(curl -fsS --max-time 10 -H "Authorization: Bearer ${token}" "${url}?size=1" | jq -er .total)" ||
    { log "warning: cannot read the knowledge base; not seeding it"; return 0; }
  if ((total > 0)); then
    log "knowledge base has ${total} articles; not seeding"
    return 0
  fi
  while IFS= read -r article; do
    if curl -fsS --max-time 10 -X POST -H 'Content-Type: application/json' \
      -H "Authorization: Bearer ${token}" --data "${article}" "${url}" >/dev/null; then
      count=$((count + 1))
    else
      log "warning: an article of the seed was refused"
    fi
  done < <(jq -c '.[]' "${ROOT}/config/knowledge_base_seed.json")
  log "knowledge base seeded with ${count} articles"
}

# Files the example ticket through ai-create (the offline analyzer decides
# every field) and prints what came back.
create_example_ticket() {
  local url="$1/api/v1/tickets/ai-create" token="$2" response code body
  body="$(jq -cn --arg text "Since about 9:30 this morning the VPN drops every five minutes for the whole sales team in Lisbon. Each time Outlook and Teams freeze for a minute and calls are cut off. The VPN client shows 'Error 809: the network connection between your computer and the VPN server could not be established'. We are on Windows 11 with GlobalProtect 6.1. Yesterday everything worked. Customers are waiting for quotes, so this is urgent." \
    '{user_input: $text}')"
  printf 'Example: POST %s (as %s)\n' "${url}" "${USER_EMAIL}"
  if ! response="$(curl -sS --max-time 30 -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer ${token}" --data "${body}" -w '\n%{http_code}' "${url}")"; then
    log "warning: the example request failed"
    return 0
  fi
  code="${response##*$'\n'}"
  response="${response%$'\n'*}"
  printf 'HTTP %s\n' "${code}"
  if jq -e .ticket >/dev/null 2>&1 <<<"${response}"; then
    jq . <<<"${response}"
    jq -r '"\nThe analyzer (\(.ai_analysis.model)) filed: \(.ticket.title)",
      "  category \(.ticket.category), priority \(.ticket.priority), urgency \(.ticket.urgency), department \(.ticket.department // "none")",
      "  confidence \(.confidence_score); articles: \([.ai_analysis.knowledge_base_matches[].title] | join("; "))"' \
      <<<"${response}"
  else
    printf '%s\n' "${response}"
  fi
  [[ "${code}" == 201 ]] || log "warning: expected HTTP 201 for the example ticket"
}

print_credentials() {
  local base="$1" admin_password="$2" user_password="$3" token="$4"
  cat <<EOF

Local accounts (this machine only; new passwords on every make run, also in .run/credentials):
  admin  ${ADMIN_EMAIL}  ${admin_password}
  user   ${USER_EMAIL}   ${user_password}

Signed in as ${USER_EMAIL}; this access token is valid for 30 minutes:
  TOKEN='${token}'
  curl -H "Authorization: Bearer \${TOKEN}" '${base}/api/v1/tickets'
A new token:
  curl -X POST -H 'Content-Type: application/json' \\
    -d '{"email": "${USER_EMAIL}", "password": "${user_password}"}' ${base}/api/v1/auth/login

EOF
}

main() {
  local port="${PORT:-8000}" base jwt_secret admin_password user_password token
  base="http://127.0.0.1:${port}"
  cd "${ROOT}"
  if [[ ! "${port}" =~ ^[0-9]+$ ]] || ((port < 1 || port > 32767)); then
    die "PORT must be a number from 1 to 32767 (ports above are the kernel's ephemeral range), got '${port}'"
  fi
  check_port "${port}"

  "${ROOT}/scripts/deps.sh"
  cmake --preset release
  cmake --build --preset release

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  SERVICES_UP=1
  "${ROOT}/scripts/services.sh" start "${RUN_DIR}"
  # shellcheck source=/dev/null
  source "${RUN_DIR}/env"
  export ENVIRONMENT="${ENVIRONMENT:-development}" LOG_LEVEL="${LOG_LEVEL:-info}"
  "${BIN}" migrate up

  admin_password="$(new_password)"
  user_password="$(new_password)"
  create_account "${ADMIN_EMAIL}" "Local Admin" admin "${admin_password}"
  create_account "${USER_EMAIL}" "Local User" user "${user_password}"
  (
    umask 077
    printf 'admin %s %s\nuser %s %s\n' "${ADMIN_EMAIL}" "${admin_password}" \
      "${USER_EMAIL}" "${user_password}" >"${RUN_DIR}/credentials"
  )

  check_port "${port}"
  jwt_secret="${JWT_SECRET_KEY:-$(openssl rand -hex 32)}"
  # Loopback by default: the local accounts' passwords are printed below.
  HOST="${HOST:-127.0.0.1}" PORT="${port}" DOCS_ASSETS_DIR="${ROOT}/web/node_modules" \
    JWT_SECRET_KEY="${jwt_secret}" "${BIN}" api &
  API_PID=$!
  wait_for "ticketd api" 60 api_live "${base}" || die "ticketd api did not become live"

  print_urls "${base}"
  token="$(sign_in "${base}" "${ADMIN_EMAIL}" "${admin_password}")" ||
    die "signing in as ${ADMIN_EMAIL} failed"
  seed_knowledge_base "${base}" "${token}"
  token="$(sign_in "${base}" "${USER_EMAIL}" "${user_password}")" ||
    die "signing in as ${USER_EMAIL} failed"
  create_example_ticket "${base}" "${token}"
  print_credentials "${base}" "${admin_password}" "${user_password}" "${token}"
  printf '\nPress Ctrl-C to stop ticketd, PostgreSQL and Redis.\n'

  # Ctrl-C is the normal way out: exit 0, and the EXIT trap cleans up.
  trap 'exit 0' INT TERM
  local status=0
  wait "${API_PID}" || status=$?
  API_PID=""
  log "ticketd api exited with status ${status}"
  return "${status}"
}

main "$@"
