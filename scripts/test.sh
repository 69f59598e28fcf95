#!/usr/bin/env bash
# What `make test` (and so CI) does: builds with ASan and UBSan, runs the
# CTest suite and the Node contract and end-to-end tests against real
# PostgreSQL and Redis, then the pipeline checks of scripts/checks.sh
# (workflows, YAML, shell scripts, secrets). Uses DATABASE_URL and REDIS_URL
# when both are set, else starts throwaway instances. Exits non-zero when
# anything failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

readonly BUILD_DIR="${ROOT}/build/asan"
readonly NODE_TEST_DIRS=(tests/contract tests/e2e)
SERVICES_DIR=""

stop_services() {
  [[ -n "${SERVICES_DIR}" ]] || return 0
  "${ROOT}/scripts/services.sh" stop "${SERVICES_DIR}" || log "warning: services stop failed"
  rm -rf "${SERVICES_DIR}"
  SERVICES_DIR=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_services
  exit "${status}"
}

use_services() {
  if [[ -n "${DATABASE_URL:-}" && -n "${REDIS_URL:-}" ]]; then
    log "using DATABASE_URL and REDIS_URL from the environment"
    export DATABASE_URL REDIS_URL
    return 0
  fi
  SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ticketd-test.XXXXXX")"
  "${ROOT}/scripts/services.sh" start "${SERVICES_DIR}"
  # shellcheck source=/dev/null
  source "${SERVICES_DIR}/env"
}

# Sanitizer reports fail the run; settings given by the caller win.
set_sanitizer_options() {
  export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
  export LSAN_OPTIONS="${LSAN_OPTIONS:-print_suppressions=0}"
}

run_ctest() {
  ctest --test-dir "${BUILD_DIR}" --output-on-failure --no-tests=error --timeout 900
}

run_node_tests() {
  local dir
  local -a dirs=()
  for dir in "${NODE_TEST_DIRS[@]}"; do
    if [[ ! -d "${ROOT}/${dir}" ]]; then
      log "${dir}/ is missing"
      return 1
    fi
    dirs+=("${dir}/")
  done
  TICKETD_BIN="${BUILD_DIR}/ticketd" DOCS_ASSETS_DIR="${ROOT}/web/node_modules" \
    node --test "${dirs[@]}"
}

build() {
  "${ROOT}/scripts/deps.sh" && cmake --preset asan && cmake --build --preset asan -j2
}

verdict() { if [[ "$1" -eq 0 ]]; then printf 'PASS'; else printf 'FAIL'; fi; }

main() {
  local ctest_status=0 node_status=0 checks_status=0 started="${SECONDS}"
  cd "${ROOT}"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if ! build; then
    printf 'test.sh: FAILED (dependencies or build) in %ss\n' "$((SECONDS - started))"
    return 1
  fi

  use_services
  set_sanitizer_options
  run_ctest || ctest_status=$?
  run_node_tests || node_status=$?
  stop_services
  "${ROOT}/scripts/checks.sh" || checks_status=$?

  local result=PASSED
  if ((ctest_status != 0 || node_status != 0 || checks_status != 0)); then result=FAILED; fi
  printf 'test.sh: %s (ctest %s, node %s, checks %s) in %ss\n' "${result}" \
    "$(verdict "${ctest_status}")" "$(verdict "${node_status}")" "$(verdict "${checks_status}")" \
    "$((SECONDS - started))"
  [[ "${result}" == PASSED ]]
}

main "$@"
