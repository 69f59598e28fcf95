# shellcheck shell=bash
# A private Redis 7 in DIR/redis, for scripts/services.sh. Needs lib/common.sh.
# No persistence. It listens in plain text and, for the rediss:// tests, over
# TLS with a certificate for 127.0.0.1 from a throwaway CA.
# Files: DIR/redis/{redis.pid,port,tls-port,redis.log} and DIR/redis/tls/.

readonly REDIS_PORTS=(16379 16999)
readonly REDIS_TLS_PORTS=(17000 17999)
readonly REDIS_TIMEOUT=30

# Ready means PONG from the server whose pid is in our pidfile, not from
# another Redis that took the port first.
redis_ours() {
  local pid
  pid="$(cat "$1/redis.pid" 2>/dev/null)" || return 1
  redis-cli -p "$2" info server 2>/dev/null | tr -d '\r' | grep -qx "process_id:${pid}"
}

# redis_wait RD PORT: gives up at once when the log says Redis aborted.
redis_wait() {
  local deadline=$((SECONDS + REDIS_TIMEOUT))
  until redis_ours "$1" "$2"; do
    if grep -qE 'Failed listening|Could not create server|Fatal' "$1/redis.log" 2>/dev/null; then
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "Redis not ready after ${REDIS_TIMEOUT}s"
      return 1
    fi
    sleep 0.2
  done
}

# redis_tls_files TLS_DIR: a CA (ca.crt) and a server certificate for
# 127.0.0.1 (server.crt, server.key) that it signed, valid for two days.
redis_tls_files() {
  local dir="$1"
  local curve=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  mkdir -p "${dir}"
  printf 'subjectAltName=IP:127.0.0.1\n' >"${dir}/server.ext"
  if ! openssl req -x509 "${curve[@]}" -days 2 -subj "/CN=ticketd test CA" \
    -keyout "${dir}/ca.key" -out "${dir}/ca.crt" 2>/dev/null; then
    die "openssl could not make the test CA for Redis"
  fi
  if ! openssl req "${curve[@]}" -subj "/CN=127.0.0.1" -keyout "${dir}/server.key" \
    -out "${dir}/server.csr" 2>/dev/null ||
    ! openssl x509 -req -in "${dir}/server.csr" -CA "${dir}/ca.crt" -CAkey "${dir}/ca.key" \
      -CAcreateserial -days 2 -extfile "${dir}/server.ext" -out "${dir}/server.crt" 2>/dev/null; then
    die "openssl could not make the test server certificate for Redis"
  fi
}

# Starts Redis on a free port and writes it to DIR/redis/port; see pg_start
# for why it may take a second attempt.
redis_start() {
  local rd="$1/redis" port tls_port attempt
  mkdir -p "${rd}"
  redis_tls_files "${rd}/tls"
  for attempt in 1 2 3; do
    port="$(free_port "${REDIS_PORTS[@]}")"
    tls_port="$(free_port "${REDIS_TLS_PORTS[@]}")"
    rm -f "${rd}/redis.pid" "${rd}/redis.log"
    if redis-server --port "${port}" --bind 127.0.0.1 --protected-mode yes --save '' \
      --appendonly no --dir "${rd}" --daemonize yes --pidfile "${rd}/redis.pid" \
      --logfile "${rd}/redis.log" --tls-port "${tls_port}" \
      --tls-cert-file "${rd}/tls/server.crt" --tls-key-file "${rd}/tls/server.key" \
      --tls-ca-cert-file "${rd}/tls/ca.crt" --tls-auth-clients no &&
      redis_wait "${rd}" "${port}"; then
      printf '%s\n' "${port}" >"${rd}/port"
      printf '%s\n' "${tls_port}" >"${rd}/tls-port"
      return 0
    fi
    log "Redis did not start on port ${port} (attempt ${attempt})"
    tail_log "${rd}/redis.log"
    redis_stop "$1"
  done
  die "Redis failed to start"
}

redis_stop() {
  local pidfile="$1/redis/redis.pid" pid
  pid="$(cat "${pidfile}" 2>/dev/null)" || return 0
  if [[ "${pid}" =~ ^[0-9]+$ && "$(cat "/proc/${pid}/comm" 2>/dev/null)" == redis-server* ]]; then
    stop_pid "${pid}" 10
  fi
  rm -f "${pidfile}"
}
