#!/usr/bin/env bash
# What `make fuzz` does: builds the libFuzzer targets of fuzz/ with clang,
# ASan and UBSan (the `fuzz` preset), replays fuzz/regressions/, then runs
# each target for FUZZ_SECONDS (60) on a copy of its corpus and merges what
# it found back into fuzz/corpus/<target>/, minimised and capped. Crash
# inputs go to build/fuzz/artifacts/<target>/. Exits non-zero when any
# target crashed, or when a requested target is unknown or was not built.
# FUZZ_TARGETS (space-separated) picks a subset.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

readonly BUILD_DIR="${ROOT}/build/fuzz"
readonly ALL_TARGETS=(http_request_fuzzer ticket_json_fuzzer json_body_fuzzer provider_response_fuzzer
  token_fuzzer)
readonly MAX_CORPUS_FILES=200  # per target, hand-written seeds included
readonly PACKAGES=(clang libclang-rt-14-dev)
WORK_DIR=""

cleanup() {
  [[ -z "${WORK_DIR}" ]] || rm -rf "${WORK_DIR}"
}

# The longest input libFuzzer may generate for target $1.
max_len() {
  case "$1" in
    token_fuzzer) printf '4096\n' ;;
    *) printf '65536\n' ;;
  esac
}

# Dies unless every name in "$@" is one of ALL_TARGETS, so that a typo in
# FUZZ_TARGETS does not pass as a clean run of nothing.
check_known() {
  local target
  for target in "$@"; do
    [[ " ${ALL_TARGETS[*]} " == *" ${target} "* ]] ||
      die "unknown fuzz target '${target}'; the targets are: ${ALL_TARGETS[*]}"
  done
}

# Dies when a target of "$@" is not in this build: CMake skips some
# (token_fuzzer without src/domain/jwt.hpp), and a skipped target must not
# look like one that ran without crashing. Asking Ninja, not the file
# system, keeps an executable left by an earlier configuration from counting.
check_built() {
  local target
  local -a missing=()
  for target in "$@"; do
    ninja -C "${BUILD_DIR}" -t query "${target}" >/dev/null 2>&1 &&
      [[ -x "${BUILD_DIR}/bin/${target}" ]] || missing+=("${target}")
  done
  if [[ "${#missing[@]}" -gt 0 ]]; then
    die "not built: ${missing[*]} (see the configure messages of \`cmake --preset fuzz\`)"
  fi
}

# Runs the committed crash reproducers of target $1 once each.
replay_regressions() {
  local target="$1"
  local dir="${ROOT}/fuzz/regressions/${target}"
  local -a inputs=()
  if [[ -d "${dir}" ]]; then
    mapfile -t inputs < <(find "${dir}" -type f -not -name '*.md' | sort)
  fi
  [[ "${#inputs[@]}" -gt 0 ]] || return 0

  log "${target}: replaying ${#inputs[@]} regression input(s)"
  "${BUILD_DIR}/bin/${target}" -artifact_prefix="${BUILD_DIR}/artifacts/${target}/" "${inputs[@]}" \
    >"${BUILD_DIR}/logs/${target}.regressions.log" 2>&1 ||
    { tail_log "${BUILD_DIR}/logs/${target}.regressions.log"; return 1; }
}

# Merges the working corpus $2 of target $1 into fuzz/corpus/$1: the seeds
# (seed-*) stay, everything else is replaced by a small set of inputs that
# covers the edges beyond them (set cover on edges, not hit counts, keeps it
# near 200 files), the largest dropped first when over MAX_CORPUS_FILES.
merge_corpus() {
  local target="$1" work="$2"
  local corpus="${ROOT}/fuzz/corpus/${target}"
  local merged="${WORK_DIR}/${target}.merged"

  mkdir -p "${merged}"
  find "${corpus}" -maxdepth 1 -type f -name 'seed-*' -exec cp -t "${merged}" {} +
  # Inputs that crash are skipped by the merge, which writes them as artifacts too.
  "${BUILD_DIR}/bin/${target}" -set_cover_merge=1 -use_counters=0 -max_len="$(max_len "${target}")" \
    -artifact_prefix="${BUILD_DIR}/artifacts/${target}/" "${merged}" "${work}" \
    >"${BUILD_DIR}/logs/${target}.merge.log" 2>&1 ||
    { tail_log "${BUILD_DIR}/logs/${target}.merge.log"; return 1; }

  local excess=$(($(find "${merged}" -type f | wc -l) - MAX_CORPUS_FILES))
  if ((excess > 0)); then
    log "${target}: dropping the ${excess} largest inputs to keep ${MAX_CORPUS_FILES} files"
    find "${merged}" -type f -not -name 'seed-*' -printf '%s %p\n' | sort -rn | head -n "${excess}" |
      cut -d' ' -f2- | xargs -r -d '\n' rm --
  fi

  find "${corpus}" -maxdepth 1 -type f -not -name 'seed-*' -delete
  find "${merged}" -type f -not -name 'seed-*' -exec cp -t "${corpus}" {} +
}

# Fuzzes target $1 for $2 seconds; returns non-zero when it found a crash.
fuzz_target() {
  local target="$1" seconds="$2"
  local corpus="${ROOT}/fuzz/corpus/${target}"
  local artifacts="${BUILD_DIR}/artifacts/${target}"
  local log_file="${BUILD_DIR}/logs/${target}.log"
  local work="${WORK_DIR}/${target}"
  local status=0

  mkdir -p "${corpus}" "${work}"
  cp -r "${corpus}/." "${work}/"
  log "${target}: fuzzing for ${seconds}s (log: ${log_file})"
  "${BUILD_DIR}/bin/${target}" -max_total_time="${seconds}" -max_len="$(max_len "${target}")" \
    -dict="${ROOT}/fuzz/${target}.dict" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="${artifacts}/" "${work}" >"${log_file}" 2>&1 || status=$?

  grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "${log_file}" | tail -n 1 >&2 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "${log_file}" >&2 || true
  merge_corpus "${target}" "${work}"
  log "${target}: corpus fuzz/corpus/${target} has $(find "${corpus}" -type f | wc -l) files"

  if ((status != 0)); then
    tail_log "${log_file}"
    grep -o 'Test unit written to .*' "${log_file}" | sed "s/^/${target}: /" >&2 || true
    log "${target}: FAILED (exit ${status}); reproduce with ${BUILD_DIR}/bin/${target} <artifact>"
    return 1
  fi
}

main() {
  local seconds="${FUZZ_SECONDS:-60}"
  [[ "${seconds}" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_SECONDS must be a positive integer"
  local -a targets
  read -r -a targets <<<"${FUZZ_TARGETS:-${ALL_TARGETS[*]}}"

  check_known "${targets[@]}"

  install_missing_packages "${PACKAGES[@]}"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
  check_built "${targets[@]}"

  # Sanitizer settings given by the caller win.
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:dedup_token_length=3}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ticketd-fuzz.XXXXXX")"
  trap cleanup EXIT
  mkdir -p "${BUILD_DIR}/logs"

  local target
  local -a failed=()
  for target in "${targets[@]}"; do
    mkdir -p "${BUILD_DIR}/artifacts/${target}"
    replay_regressions "${target}" || failed+=("${target} (regression)")
    fuzz_target "${target}" "${seconds}" || failed+=("${target}")
  done

  if [[ "${#failed[@]}" -gt 0 ]]; then
    die "crashes in: ${failed[*]}"
  fi
  log "no crashes in ${targets[*]}"
}

main "$@"
