# shellcheck shell=bash
# A private Redis 7 in DIR/redis, for scripts/services.sh. Needs lib/common.sh.
# No persistence. Files: DIR/redis/{redis.pid,port,redis.log}.

readonly REDIS_PORTS=(16379 16999)
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

# Starts Redis on a free port and writes it to DIR/redis/port; see pg_start
# for why it may take a second attempt.
redis_start() {
  local rd="$1/redis" port attempt
  mkdir -p "${rd}"
  for attempt in 1 2 3; do
    port="$(free_port "${REDIS_PORTS[@]}")"
    rm -f "${rd}/redis.pid" "${rd}/redis.log"
    if redis-server --port "${port}" --bind 127.0.0.1 --protected-mode yes --save '' \
      --appendonly no --dir "${rd}" --daemonize yes --pidfile "${rd}/redis.pid" \
      --logfile "${rd}/redis.log" && redis_wait "${rd}" "${port}"; then
      printf '%s\n' "${port}" >"${rd}/port"
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
