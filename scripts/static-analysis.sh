#!/usr/bin/env bash
# Static analysis of src/ (CI's lint job; `make static-analysis` here):
# cppcheck and clang-tidy (the checks in .clang-tidy, warnings as errors)
# over the compile commands of build/debug, configured when missing.
# Installs clang-tidy and cppcheck from apt when they are missing. Exits
# non-zero on any finding.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

readonly BUILD_DIR="${ROOT}/build/debug"
readonly PACKAGES=(clang-tidy cppcheck)
# Boost 1.74 does not detect clang's coroutines by itself (see the fuzz preset).
readonly CLANG_EXTRA=(-extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1 -extra-arg=-DBOOST_ASIO_HAS_STD_COROUTINE=1)

# cppcheck 2.10 takes a coroutine's co_await for a missing return
# (missingReturn); g++ -Wreturn-type checks returns for every build.
run_cppcheck() {
  cppcheck --project="${BUILD_DIR}/compile_commands.json" --file-filter="src/*" \
    --enable=warning,performance,portability --inline-suppr --suppress=missingIncludeSystem \
    --suppress=missingReturn --suppress=unmatchedSuppression --error-exitcode=1 --quiet -j "${JOBS:-2}"
}

run_clang_tidy() {
  local -a files
  mapfile -t files < <(find "${ROOT}/src" -name '*.cpp' | sort)
  log "clang-tidy: ${#files[@]} files"
  printf '%s\0' "${files[@]}" |
    xargs -0 -P "${JOBS:-2}" -n 4 clang-tidy -p "${BUILD_DIR}" --quiet "${CLANG_EXTRA[@]}"
}

main() {
  local cppcheck_status=0 tidy_status=0
  cd "${ROOT}"
  install_missing_packages "${PACKAGES[@]}"
  if [[ ! -f "${BUILD_DIR}/compile_commands.json" ]]; then
    cmake --preset debug >/dev/null
  fi
  run_cppcheck || cppcheck_status=$?
  run_clang_tidy || tidy_status=$?
  printf 'static-analysis.sh: cppcheck %s, clang-tidy %s\n' \
    "$( ((cppcheck_status == 0)) && echo PASS || echo FAIL)" \
    "$( ((tidy_status == 0)) && echo PASS || echo FAIL)"
  ((cppcheck_status == 0 && tidy_status == 0))
}

main "$@"
