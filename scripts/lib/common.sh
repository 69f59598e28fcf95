# shellcheck shell=bash
# Helpers shared by scripts/*.sh and bench/run.sh. Source it; it defines
# functions only and changes no shell options. Messages go to stderr,
# prefixed with $LOG_NAME when set, else with the script's file name.

log() { printf '%s: %s\n' "${LOG_NAME:-${0##*/}}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

tail_log() {
  log "last lines of $1:"
  tail -n 20 "$1" >&2 2>/dev/null || true
}

# True when something listens on TCP port $1 (any address).
port_busy() {
  [[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]] || (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints the first port in [$1, $2] that nothing listens on. Keep ranges
# below 32768: from there up, the kernel picks ports for outgoing connections.
free_port() {
  local port
  for ((port = $1; port <= $2; port++)); do
    if ! port_busy "${port}"; then
      printf '%s\n' "${port}"
      return 0
    fi
  done
  die "no free port in $1-$2"
}

# wait_for NAME TIMEOUT CMD...: runs CMD every 0.2 s until it succeeds;
# fails after TIMEOUT seconds.
wait_for() {
  local name="$1" timeout="$2"
  local deadline=$((SECONDS + timeout))
  shift 2
  until "$@"; do
    if ((SECONDS >= deadline)); then
      log "${name} not ready after ${timeout}s"
      return 1
    fi
    sleep 0.2
  done
}

# True while process $1 runs (a zombie, exited but not reaped, does not).
pid_alive() {
  local state
  state="$(sed -n 's/^.*) \(.\).*$/\1/p' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "${state}" && "${state}" != Z ]]
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL once SECONDS (10) pass;
# reaps PID when it is a child of this shell.
stop_pid() {
  local pid="$1" limit=$((${2:-10} * 10)) i
  if pid_alive "${pid}"; then
    kill -TERM "${pid}" 2>/dev/null || true
    for ((i = 0; i < limit; i++)); do
      pid_alive "${pid}" || break
      sleep 0.1
    done
    if pid_alive "${pid}"; then
      log "warning: process ${pid} ignored SIGTERM for ${2:-10}s; killing it"
      kill -KILL "${pid}" 2>/dev/null || true
    fi
  fi
  wait "${pid}" 2>/dev/null || true
}

# Installs the Debian packages named as arguments that are not installed yet
# (one apt-get run for all of them; sudo when not root).
install_missing_packages() {
  local pkg status
  local -a missing=()
  for pkg in "$@"; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "${pkg}" 2>/dev/null)" || status=""
    [[ "${status}" == ii* ]] || missing+=("${pkg}")
  done
  [[ "${#missing[@]}" -gt 0 ]] || return 0

  log "installing: ${missing[*]}"
  local -a sudo=()
  [[ "${EUID}" -eq 0 ]] || sudo=(sudo --)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}
