#!/usr/bin/env bash
# A Redis for the shared limits (REDIS_URL, ADR 0010): Debian's redis-server, run as a process of its own
# on REDIS_PORT, in memory only (--save "" --appendonly no: limit counts are worth nothing after a
# restart). When redis-server is not installed, the Debian packages are unpacked into a cache outside git
# (scripts/lib/service.sh, no root needed). Never stops a Redis it did not start.
#
#   scripts/redis/redis.sh up       start (idempotent: a Redis already answering on the port is used)
#   scripts/redis/redis.sh down     stop the redis-server this script started for REDIS_DIR
#   scripts/redis/redis.sh status   exit 0 if a Redis answers on REDIS_HOST:REDIS_PORT
#
# Environment: REDIS_HOST (127.0.0.1), REDIS_PORT (6379), REDIS_DIR (.data/redis), DEBIAN_CACHE_DIR.
set -euo pipefail
SERVICE=redis
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/service.sh
source "$ROOT/scripts/lib/service.sh"

REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_DIR="$(service_dir "${REDIS_DIR:-$ROOT/.data/redis}")"
PID_FILE="$REDIS_DIR/redis.pid"

# PING in RESP over /dev/tcp: no redis-cli needed to ask.
answers() {
  local reply
  # shellcheck disable=SC2016  # $1/$2 expand in the inner bash
  reply="$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "PING\r\n" >&3 && head -c 5 <&3' _ "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null)" || true
  [[ "$reply" == "+PONG" ]]
}

our_pid() { pid_from "$PID_FILE" "*redis-server*:$REDIS_PORT*"; }

cmd_up() {
  local pid
  if answers; then
    if pid="$(our_pid)"; then
      say "already up on $REDIS_HOST:$REDIS_PORT (pid $pid)"
    else
      say "a Redis already answers on $REDIS_HOST:$REDIS_PORT (not started by this script; using it)"
    fi
    return 0
  fi
  local server
  server="$(debian_program redis-server redis-server redis-tools)" || die "redis-server is not available"
  rm -f "$PID_FILE"
  debian_run "$server" --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no --daemonize yes \
    --dir "$REDIS_DIR" --pidfile "$PID_FILE" --logfile "$REDIS_DIR/redis.log" --protected-mode yes
  for _ in $(seq 1 50); do
    if answers; then
      say "up on $REDIS_HOST:$REDIS_PORT (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'), in memory only)"
      return 0
    fi
    sleep 0.1
  done
  tail -20 "$REDIS_DIR/redis.log" >&2 || true
  die "redis-server did not answer on $REDIS_HOST:$REDIS_PORT"
}

cmd_down() {
  local pid
  if pid="$(our_pid)"; then
    stop_pid "$pid" TERM
    rm -f "$PID_FILE"
    say "down"
  elif answers; then
    say "not started by this script (a Redis answers on $REDIS_HOST:$REDIS_PORT); leaving it alone"
  else
    say "not running"
  fi
}

cmd_status() {
  if answers; then
    say "up on $REDIS_HOST:$REDIS_PORT"
    return 0
  fi
  say "down"
  return 1
}

service_main "${1:-}"
