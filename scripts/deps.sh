#!/usr/bin/env bash
# Installs what building, running, testing and benchmarking ticketd need:
# Debian packages (only those missing) and the Node packages of web/ (docs
# assets, test tools) and tools/ (the pipeline checks of scripts/checks.sh),
# each only when its node_modules is missing or older than its lockfile. A second run with
# everything present does no network I/O and finishes in about a second.
set -euo pipefail

readonly PACKAGES=(
  g++ cmake ninja-build pkg-config make
  libboost-dev libboost-system-dev libpqxx-dev libhiredis-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev
  prometheus-cpp-dev libyaml-cpp-dev libsodium-dev libssl-dev libcurl4-openssl-dev
  postgresql-15 postgresql-client-15 redis-server redis-tools
  wrk curl jq openssl iproute2 util-linux clang-format shellcheck yamllint git
)

log() { printf 'deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [[ "${EUID}" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -- "$@"
  else
    die "not root and sudo is missing; cannot run: $*"
  fi
}

is_installed() {
  local status
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" || return 1
  [[ "${status}" == ii* ]]
}

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    is_installed "${pkg}" || printf '%s\n' "${pkg}"
  done
  # Node.js comes from wherever the machine got it (often NodeSource, whose
  # nodejs bundles npm); Debian's packages are only a fallback.
  if ! command -v node >/dev/null 2>&1; then
    printf '%s\n' nodejs npm
  elif ! command -v npm >/dev/null 2>&1; then
    printf '%s\n' npm
  fi
}

install_packages() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  if [[ "${#missing[@]}" -eq 0 ]]; then
    log "Debian packages: all present"
    return 0
  fi

  log "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_node_modules() {
  local dir="$1"
  local name="${dir##*/}"
  local lock="${dir}/package-lock.json"
  # npm ci writes this file last, so its age is the age of the install.
  local marker="${dir}/node_modules/.package-lock.json"

  [[ -f "${lock}" ]] || die "missing ${lock}"
  if [[ -f "${marker}" && ! "${lock}" -nt "${marker}" ]]; then
    log "${name}/node_modules: up to date"
    return 0
  fi

  log "running npm ci in ${name}/"
  (cd "${dir}" && npm ci --no-audit --no-fund) || die "npm ci failed in ${dir}"
}

main() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script expects Debian 12"
  install_packages
  install_node_modules "${root}/web"
  install_node_modules "${root}/tools"
}

main "$@"
