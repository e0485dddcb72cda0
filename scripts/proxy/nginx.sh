#!/usr/bin/env bash
# The reverse proxy in front of several api replicas: Debian's nginx, run as a process of its own (never
# the system service) with a config generated into PROXY_DIR. When nginx is not installed, the Debian
# package is unpacked into a cache outside git (scripts/lib/service.sh: apt-get download + dpkg -x, no
# root needed).
#
#   scripts/proxy/nginx.sh up       write the config, start nginx (a running one reloads it), wait until it runs
#   scripts/proxy/nginx.sh down     stop the nginx this script started for PROXY_DIR
#   scripts/proxy/nginx.sh status   exit 0 if it runs and answers
#
# Environment: PROXY_UPSTREAMS (required for up: comma-separated host:port of the api replicas),
# PROXY_HOST (127.0.0.1), PROXY_PORT (3000), PROXY_DIR (.data/proxy), DEBIAN_CACHE_DIR.
# Every answer carries X-Upstream: the replica that served it (a development aid). The apps must believe
# the proxy's X-Forwarded-For: run them with TRUST_PROXY=loopback (or the proxy's address).
set -euo pipefail
SERVICE=proxy
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/service.sh
source "$ROOT/scripts/lib/service.sh"

PROXY_HOST="${PROXY_HOST:-127.0.0.1}"
PROXY_PORT="${PROXY_PORT:-3000}"
PROXY_DIR="$(service_dir "${PROXY_DIR:-$ROOT/.data/proxy}")"
CONF="$PROXY_DIR/nginx.conf"
PID_FILE="$PROXY_DIR/nginx.pid"

our_pid() { pid_from "$PID_FILE" "*nginx*$CONF*"; }

answers() { curl -s -o /dev/null --max-time 2 "http://$PROXY_HOST:$PROXY_PORT/health"; }

write_config() {
  [[ -n "${PROXY_UPSTREAMS:-}" ]] || die "PROXY_UPSTREAMS is not set (comma-separated host:port of the api replicas)"
  mkdir -p "$PROXY_DIR/tmp"
  chmod 1777 "$PROXY_DIR/tmp" # workers started by root run as nobody and buffer large bodies there
  local servers="" upstream
  IFS=',' read -ra upstreams <<<"$PROXY_UPSTREAMS"
  for upstream in "${upstreams[@]}"; do servers+="    server $upstream max_fails=1 fail_timeout=5s;"$'\n'; done
  cat >"$CONF" <<CONF
# Written by scripts/proxy/nginx.sh on every 'up'; edits are overwritten.
worker_processes 1;
daemon on;
pid $PID_FILE;
error_log $PROXY_DIR/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $PROXY_DIR/tmp/body;
  proxy_temp_path $PROXY_DIR/tmp/proxy;
  fastcgi_temp_path $PROXY_DIR/tmp/fastcgi;
  uwsgi_temp_path $PROXY_DIR/tmp/uwsgi;
  scgi_temp_path $PROXY_DIR/tmp/scgi;
  upstream api {
$servers    keepalive 64;
  }
  server {
    listen $PROXY_HOST:$PROXY_PORT;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      # A replica that refuses connections is skipped (POSTs too: nothing reached it).
      proxy_next_upstream error;
      proxy_connect_timeout 2s;
      add_header X-Upstream \$upstream_addr always;
    }
  }
}
CONF
}

cmd_up() {
  local nginx pid
  nginx="$(debian_program nginx nginx)" || die "nginx is not available"
  write_config
  debian_run "$nginx" -t -q -e "$PROXY_DIR/error.log" -c "$CONF" -p "$PROXY_DIR" || die "invalid config $CONF"
  if pid="$(our_pid)"; then
    kill -HUP "$pid"
    say "already up on $PROXY_HOST:$PROXY_PORT (pid $pid); config reloaded -> $PROXY_UPSTREAMS"
    return 0
  fi
  debian_run "$nginx" -e "$PROXY_DIR/error.log" -c "$CONF" -p "$PROXY_DIR"
  for _ in $(seq 1 50); do
    if pid="$(our_pid)"; then
      say "up on http://$PROXY_HOST:$PROXY_PORT (pid $pid) -> $PROXY_UPSTREAMS"
      return 0
    fi
    sleep 0.1
  done
  tail -20 "$PROXY_DIR/error.log" >&2 || true
  die "nginx did not start"
}

cmd_down() {
  local pid
  if pid="$(our_pid)"; then
    stop_pid "$pid" QUIT
    rm -f "$PID_FILE"
    say "down"
  else
    say "not running (for $PROXY_DIR)"
  fi
}

cmd_status() {
  local pid
  if pid="$(our_pid)" && answers; then
    say "up on http://$PROXY_HOST:$PROXY_PORT (pid $pid)"
    return 0
  fi
  say "down"
  return 1
}

service_main "${1:-}"
