#!/usr/bin/env bash
# The production image built and proven without a Docker engine.
#   image.sh build   (make image)       builds Dockerfile.prod with buildah into
#                                       IMAGE (ticketd:local)
#   image.sh test    (make image-test)  builds, then runs the image with podman
#                                       on the host network against private
#                                       PostgreSQL and Redis: every role, /health/ready,
#                                       a ticket created and read, a non-root
#                                       process, the health check, a clean stop,
#                                       and the image size (at most 150 MB)
# The Debian bases the Dockerfile names (debian:bookworm, debian:bookworm-slim)
# are made here with debootstrap, cached in build/image/, and imported into the
# local container storage once per cached tarball. Installs buildah, podman,
# runc and debootstrap from apt when they are missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
# shellcheck source=scripts/lib/common.sh
source "${ROOT}/scripts/lib/common.sh"

readonly WORK_DIR="${ROOT}/build/image"
readonly BASE_DIR="${WORK_DIR}/base"
readonly IMAGE="${IMAGE:-ticketd:local}"
readonly MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
readonly SUITE=bookworm
readonly PACKAGES=(buildah podman runc debootstrap curl jq)
readonly MAX_IMAGE_BYTES=150000000 # 150 MB, as podman counts
readonly BASE_LABEL=org.ticketd.base-sha256
readonly HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
# Roles of the binary and how each is proven; later issues add theirs here.
readonly ROLES=(api migrate)
readonly PATH_DEFAULT=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

CONTAINER=""
SERVICES_DIR=""

# Podman's engine settings for this machine: runc on cgroupfs, events and
# logs in files (no systemd journal), and the default ulimits a laptop's
# Docker gives, so the image is tried under the limits it will meet.
write_containers_conf() {
  mkdir -p "${WORK_DIR}"
  cat >"${WORK_DIR}/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  export CONTAINERS_CONF="${WORK_DIR}/containers.conf"
}

# Writes the apt sources an official Debian image has (release, updates,
# security) into rootfs $1.
write_sources() {
  rm -f "$1/etc/apt/sources.list"
  cat >"$1/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: ${MIRROR}
Suites: ${SUITE} ${SUITE}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${SECURITY_MIRROR}
Suites: ${SUITE}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
}

# The slim variant drops what Debian's -slim images drop: documentation,
# manual pages and translations, now and for every later apt-get install.
slim_rootfs() {
  local rootfs="$1"
  rm -rf "${rootfs}"/usr/share/doc/* "${rootfs}"/usr/share/man/* "${rootfs}"/usr/share/info/* \
    "${rootfs}"/usr/share/locale/* "${rootfs}"/usr/share/groff/* "${rootfs}"/usr/share/lintian/*
  cat >"${rootfs}/etc/dpkg/dpkg.cfg.d/slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
DPKG
}

# Makes build/image/base/bookworm.tar and bookworm-slim.tar once; a second
# run finds them and does nothing.
make_base_tarballs() {
  local full="${BASE_DIR}/${SUITE}.tar" slim="${BASE_DIR}/${SUITE}-slim.tar"
  if [[ -f "${full}" && -f "${slim}" ]]; then
    log "base: cached in ${BASE_DIR}"
    return 0
  fi
  local rootfs="${BASE_DIR}/rootfs"
  rm -rf "${rootfs}"
  mkdir -p "${BASE_DIR}"
  log "base: debootstrap --variant=minbase ${SUITE} (a few minutes, once)"
  debootstrap --variant=minbase "${SUITE}" "${rootfs}" "${MIRROR}" >"${BASE_DIR}/debootstrap.log" 2>&1 ||
    {
      tail_log "${BASE_DIR}/debootstrap.log"
      die "debootstrap failed"
    }
  write_sources "${rootfs}"
  rm -rf "${rootfs}"/var/lib/apt/lists/* "${rootfs}"/var/cache/apt/*.bin \
    "${rootfs}"/var/cache/apt/archives/*.deb "${rootfs}"/var/log/*.log "${rootfs}/debootstrap"
  tar --numeric-owner -C "${rootfs}" -cf "${full}.tmp" .
  slim_rootfs "${rootfs}"
  tar --numeric-owner -C "${rootfs}" -cf "${slim}.tmp" .
  rm -rf "${rootfs}"
  mv "${full}.tmp" "${full}"
  mv "${slim}.tmp" "${slim}"
}

# import_base TARBALL NAME: imports unless NAME already holds that tarball,
# so the layers built on it stay cached.
import_base() {
  local tarball="$1" name="$2" sha have
  sha="$(sha256sum "${tarball}" | cut -d' ' -f1)"
  have="$(podman image inspect --format "{{index .Labels \"${BASE_LABEL}\"}}" "${name}" 2>/dev/null)" ||
    have=""
  if [[ "${have}" == "${sha}" ]]; then
    log "base: ${name} is current"
    return 0
  fi
  log "base: importing ${tarball##*/} as ${name}"
  podman import --quiet --change "LABEL ${BASE_LABEL}=${sha}" --change "ENV PATH=${PATH_DEFAULT}" \
    --change 'CMD ["bash"]' "${tarball}" "${name}" >/dev/null
}

build_image() {
  install_missing_packages "${PACKAGES[@]}"
  write_containers_conf
  make_base_tarballs
  import_base "${BASE_DIR}/${SUITE}.tar" "docker.io/library/debian:${SUITE}"
  import_base "${BASE_DIR}/${SUITE}-slim.tar" "docker.io/library/debian:${SUITE}-slim"

  local commit
  commit="$(git -C "${ROOT}" rev-parse --short=12 HEAD 2>/dev/null)" || commit=unknown
  log "building ${IMAGE} from Dockerfile.prod (commit ${commit}; log: ${WORK_DIR}/build.log)"
  # The npm step trusts what this machine trusts (a proxy's CA, say), as a
  # build secret that no layer keeps.
  local -a secret=()
  if [[ -s "${HOST_CA_BUNDLE}" ]]; then secret=(--secret "id=build_ca,src=${HOST_CA_BUNDLE}"); fi
  local started="${SECONDS}"
  if ! buildah bud --isolation chroot --format docker --layers --pull-never "${secret[@]}" \
    --build-arg "TICKETD_COMMIT=${commit}" --build-arg "JOBS=${JOBS:-2}" \
    -f "${ROOT}/Dockerfile.prod" -t "${IMAGE}" "${ROOT}" >"${WORK_DIR}/build.log" 2>&1; then
    tail_log "${WORK_DIR}/build.log"
    die "buildah bud failed"
  fi
  log "built ${IMAGE} in $((SECONDS - started))s"
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "${CONTAINER}" ]]; then
    podman rm -f "${CONTAINER}" >/dev/null 2>&1 || true
  fi
  if [[ -n "${SERVICES_DIR}" ]]; then
    "${ROOT}/scripts/services.sh" stop "${SERVICES_DIR}" || log "warning: services stop failed"
    rm -rf "${SERVICES_DIR}"
  fi
  exit "${status}"
}

# Runs the image once with the test environment; arguments go to ticketd.
run_role() {
  podman run --rm --network host --health-interval disable --env DATABASE_URL --env REDIS_URL \
    --env ENVIRONMENT=testing \
    "${IMAGE}" "$@"
}

check() {
  local what="$1"
  shift
  if "$@"; then
    log "ok: ${what}"
  else
    die "FAILED: ${what}"
  fi
}

http_status() {
  curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$@" 2>/dev/null || true
}

ready() {
  [[ "$(podman inspect --format '{{.State.Running}}' "${CONTAINER}" 2>/dev/null)" == true ]] ||
    die "the api container exited; its log: $(podman logs "${CONTAINER}" 2>&1 | tail -n 20)"
  [[ "$(http_status "$1/health/ready")" == 200 ]]
}

# The uid the container's main process runs as, read on the host.
container_uid() {
  local pid
  pid="$(podman inspect --format '{{.State.Pid}}' "${CONTAINER}")"
  awk '/^Uid:/ { print $2 }' "/proc/${pid}/status"
}

# The help is read whole before it is searched: `grep -q` stops at the first
# match, and with pipefail podman's write into the closed pipe would fail.
has_role() {
  local help
  help="$(podman run --rm --health-interval disable "${IMAGE}" --help)" || return 1
  grep -qE "^  $1( |\$)" <<<"${help}"
}

no_pending_migration() {
  local status
  status="$(run_role migrate status)" || return 1
  printf '%s\n' "${status}" >&2
  ! grep -q pending <<<"${status}"
}

docs_served() {
  local path
  for path in /openapi.json /docs/assets/swagger-ui-bundle.js /redoc/assets/redoc.standalone.js; do
    [[ "$(http_status "$1${path}")" == 200 ]] || { log "GET ${path} did not answer 200"; return 1; }
  done
}

exec_uid_not_root() {
  [[ "$(podman exec "${CONTAINER}" id -u)" != 0 ]]
}

healthcheck_fails() {
  ! podman run --rm --network host --health-interval disable --env "PORT=$1" --env ENVIRONMENT=testing \
    "${IMAGE}" healthcheck
}

# Registers a new account through the container and prints its access token.
new_account_token() {
  local base="$1" email
  email="image-test-$(date +%s)-${RANDOM}@example.com"
  curl -fsS --max-time 10 -X POST "${base}/api/v1/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"${email}\",\"full_name\":\"Image Test\",\"password\":\"image test passphrase 42\"}" \
    >/dev/null || return 1
  curl -fsS --max-time 10 -X POST "${base}/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"${email}\",\"password\":\"image test passphrase 42\"}" | jq -er .access_token
}

# Creates a ticket and reads it back.
check_ticket_round_trip() {
  local base="$1" token id title
  title="Image test ticket ${RANDOM}"
  token="$(new_account_token "${base}")" || return 1
  id="$(curl -fsS --max-time 10 -X POST "${base}/api/v1/tickets" -H "Authorization: Bearer ${token}" \
    -H 'Content-Type: application/json' \
    -d "{\"title\":\"${title}\",\"description\":\"Created through the container by image.sh\",\"priority\":\"low\",\"category\":\"general\"}" |
    jq -er .id)" || return 1
  [[ "$(curl -fsS --max-time 10 -H "Authorization: Bearer ${token}" \
    "${base}/api/v1/tickets/${id}" | jq -er .title)" == "${title}" ]]
}

# Files a ticket from a problem description through ai-create: the offline
# analyzer and the AI defaults in the image (AI_CONFIG_PATH) are in place.
check_ai_create() {
  local base="$1" token body
  token="$(new_account_token "${base}")" || return 1
  body="$(curl -fsS --max-time 30 -X POST "${base}/api/v1/tickets/ai-create" \
    -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \
    -d '{"user_input":"The checkout page crashes with error 500 since this morning; no customer can pay."}')" ||
    return 1
  [[ "$(jq -er .ai_analysis.model <<<"${body}")" == offline ]] &&
    jq -e '.ticket.priority == "high" or .ticket.priority == "critical"' <<<"${body}" >/dev/null
}

test_image() {
  build_image
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  SERVICES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/ticketd-image.XXXXXX")"
  "${ROOT}/scripts/services.sh" start "${SERVICES_DIR}"
  # shellcheck source=/dev/null
  source "${SERVICES_DIR}/env"
  export DATABASE_URL REDIS_URL

  local role
  for role in "${ROLES[@]}"; do
    check "the binary has the role '${role}'" has_role "${role}"
  done
  check "role migrate: migrate up" run_role migrate up
  check "role migrate: migrate status lists no pending migration" no_pending_migration

  local port base
  port="$(free_port 18000 18999)"
  base="http://127.0.0.1:${port}"
  CONTAINER="ticketd-image-test-$$"
  # The health check runs on demand here (podman healthcheck run): no
  # systemd timers on this machine.
  podman run -d --name "${CONTAINER}" --network host --health-interval disable \
    --env DATABASE_URL --env REDIS_URL --env ENVIRONMENT=testing --env HOST=127.0.0.1 \
    --env "PORT=${port}" "${IMAGE}" >/dev/null
  check "role api: /health/ready answers 200" wait_for "ticketd api" 60 ready "${base}"
  check "the image's HEALTHCHECK (ticketd healthcheck) passes" podman healthcheck run "${CONTAINER}"
  check "a ticket is created and read back through the container" check_ticket_round_trip "${base}"
  check "ai-create files a ticket with the offline analyzer" check_ai_create "${base}"
  check "/openapi.json, Swagger UI and ReDoc assets are served" docs_served "${base}"
  local uid
  uid="$(container_uid)"
  check "the api process runs as a non-root user (uid ${uid})" test "${uid}" -ne 0
  check "id -u inside the container is not 0" exec_uid_not_root
  podman stop --time 25 "${CONTAINER}" >/dev/null
  check "SIGTERM stops the api with exit code 0" test \
    "$(podman inspect --format '{{.State.ExitCode}}' "${CONTAINER}")" -eq 0
  check "ticketd healthcheck fails once the api is gone" healthcheck_fails "${port}"

  local bytes
  bytes="$(podman image inspect --format '{{.Size}}' "${IMAGE}")"
  printf 'image %s: %s bytes (%s MB; limit %s MB)\n' "${IMAGE}" "${bytes}" \
    "$((bytes / 1000000))" "$((MAX_IMAGE_BYTES / 1000000))"
  podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' "${IMAGE}"
  check "the image is at most 150 MB" test "${bytes}" -le "${MAX_IMAGE_BYTES}"
  printf 'image-test: PASSED\n'
}

main() {
  case "${1:-}" in
    build) build_image ;;
    test) test_image ;;
    base)
      install_missing_packages "${PACKAGES[@]}"
      make_base_tarballs
      ;;
    *) die "usage: $0 build|test" ;;
  esac
}

main "$@"
