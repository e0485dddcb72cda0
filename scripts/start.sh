#!/usr/bin/env bash
# `npm start`: the whole system on this machine. Starts a Kafka broker unless KAFKA_BROKERS is given,
# an embedded PostgreSQL when no DATABASE_URL is given and none answers at the default URL, builds,
# migrates, starts every app, prints the URLs, and stops all it started on Ctrl-C / SIGTERM.
# API_REPLICAS / PROJECTOR_REPLICAS > 1 (what `npm run start:cluster` sets): that many of each, the api
# replicas behind nginx on PORT (scripts/proxy/nginx.sh), the limits shared in Redis (REDIS_URL, else
# scripts/redis/redis.sh). One api without REDIS_URL keeps its limits in memory.
set -euo pipefail
cd "$(dirname "$0")/.."

started_kafka=0
started_redis=0
started_proxy=0
embedded_pg=""
pids=()
stop_all() {
  trap - INT TERM EXIT
  if [ "$started_proxy" = 1 ]; then bash scripts/proxy/nginx.sh down || true; fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$started_kafka" = 1 ]; then bash scripts/kafka/kafka.sh down || true; fi
  if [ "$started_redis" = 1 ]; then bash scripts/redis/redis.sh down || true; fi
  if [ -n "$embedded_pg" ]; then kill -TERM "$embedded_pg" 2>/dev/null || true; wait "$embedded_pg" 2>/dev/null || true; fi
}
trap stop_all INT TERM EXIT

if [ -z "${KAFKA_BROKERS:-}" ]; then
  if ! bash scripts/kafka/kafka.sh status >/dev/null 2>&1; then
    bash scripts/kafka/kafka.sh up
    started_kafka=1
  fi
fi

api_replicas=${API_REPLICAS:-1}
projector_replicas=${PROJECTOR_REPLICAS:-1}

# Limits (ADR 0010): an explicit REDIS_URL is used as given. Several api replicas without one share the
# Redis on 127.0.0.1:REDIS_PORT (6379), started by scripts/redis/redis.sh (in memory only) when none
# answers there. One api without REDIS_URL counts in its own memory.
if [ -z "${REDIS_URL:-}" ] && [ "$api_replicas" -gt 1 ]; then
  if ! bash scripts/redis/redis.sh status >/dev/null 2>&1; then
    bash scripts/redis/redis.sh up
    started_redis=1
  fi
  export REDIS_URL="redis://127.0.0.1:${REDIS_PORT:-6379}"
fi

# PostgreSQL: an explicit DATABASE_URL is used as given and never replaced (unreachable: stop, saying so).
# Without one, the local server at the default URL (port PGPORT, 5432 by default); when none answers
# there, an embedded PostgreSQL (scripts/embedded-postgres.mjs, port EMBEDDED_PGPORT, data in EMBEDDED_PGDATA,
# .data/postgres by default).
mkdir -p .data/logs
if [ -n "${DATABASE_URL:-}" ]; then
  if ! reason=$(node scripts/database.js ping "$DATABASE_URL" 2>&1); then
    echo "start: DATABASE_URL is set, but PostgreSQL does not answer there ($reason)." >&2
    echo "start: an explicit DATABASE_URL is never replaced by the embedded server; unset it to use the default." >&2
    exit 1
  fi
else
  default_url="postgres://postgres@127.0.0.1:${PGPORT:-5432}/refresh_tokens"
  if node scripts/database.js ping "$default_url" 2>/dev/null; then
    export DATABASE_URL=$default_url
  else
    embedded_port=${EMBEDDED_PGPORT:-54329}
    export EMBEDDED_PGDATA=${EMBEDDED_PGDATA:-.data/postgres}
    echo "start: no PostgreSQL answers at $default_url; starting an embedded PostgreSQL on 127.0.0.1:$embedded_port (data in $EMBEDDED_PGDATA)"
    node scripts/embedded-postgres.mjs > .data/logs/postgres.log 2>&1 &
    embedded_pg=$!
    for _ in $(seq 1 120); do
      if grep -q 'ready on' .data/logs/postgres.log; then break; fi
      if ! kill -0 "$embedded_pg" 2>/dev/null; then
        embedded_pg=""
        echo "start: the embedded PostgreSQL did not start:" >&2
        tail -20 .data/logs/postgres.log >&2
        exit 1
      fi
      sleep 0.5
    done
    export DATABASE_URL="postgres://postgres:${EMBEDDED_PGPASSWORD:-embedded-development-only}@127.0.0.1:$embedded_port/refresh_tokens"
  fi
fi
# Least privilege: the api and the projector connect as roles of their own, which migrate creates and grants.
DATABASE_API_URL=${DATABASE_API_URL:-$(node scripts/database.js as "$DATABASE_URL" rts_api)}
DATABASE_PROJECTOR_URL=${DATABASE_PROJECTOR_URL:-$(node scripts/database.js as "$DATABASE_URL" rts_projector)}
export DATABASE_API_URL DATABASE_PROJECTOR_URL

# Rebuild only when a source is newer than the build (a warm restart skips the compile).
if [ ! -f dist/apps/api/apps/api/src/main.js ] || [ ! -f dist/apps/projector/apps/projector/src/main.js ] \
  || [ -n "$(find apps libs -name '*.ts' -newer dist/apps/api/apps/api/src/main.js -print -quit)" ]; then
  echo "start: building"
  npm run --silent build
fi
echo "start: migrating"
node dist/apps/api/apps/api/src/migrate.js

# Every port this run listens on must be free before an app starts. One of this project's apps still
# shutting down (a restart right after Ctrl-C) gets a few seconds; anything else holding it is named and
# the start stops, before any app has been started.
port_taken() { timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" >/dev/null 2>&1; }
port_holder() { # "name (pid N)" of the process listening on the port, when ss can tell
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -oE 'users:\(\("[^"]+",pid=[0-9]+' | head -1 |
    sed -E 's/users:\(\("([^"]+)",pid=([0-9]+)/\1 (pid \2)/'
}
require_free_port() { # port, the variable that sets it
  port_taken "$1" || return 0
  local holder pid
  holder=$(port_holder "$1")
  pid=$(echo "$holder" | sed -nE 's/.*\(pid ([0-9]+)\)$/\1/p')
  if [ -z "$pid" ] || tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'dist/apps/'; then
    echo "start: port $1 ($2) is still held by ${holder:-a process} (a previous run shutting down?); waiting up to 20 s"
    for _ in $(seq 1 40); do
      sleep 0.5
      port_taken "$1" || return 0
    done
  fi
  echo "start: port $1 ($2) is in use by ${holder:-another process}; stop it or choose another port with $2." >&2
  exit 1
}

mkdir -p .data/logs
public_port=${PORT:-3000}
public_url=${PUBLIC_URL:-http://127.0.0.1:$public_port}
api_logs=.data/logs/api.log
# V8 flags of every app (APP_NODE_FLAGS in libs/testing/src/app-process.ts, ADR 0011).
node_flags=(--max-semi-space-size=32)
metrics_urls=http://${HOST:-127.0.0.1}:${METRICS_PORT:-9464}/metrics
require_free_port "$public_port" PORT
if [ "$api_replicas" -gt 1 ]; then
  for i in $(seq 1 "$api_replicas"); do
    require_free_port $((public_port + 10 + i)) PORT
    require_free_port $((${METRICS_PORT:-9464} + 10 + i)) METRICS_PORT
  done
else
  require_free_port "${METRICS_PORT:-9464}" METRICS_PORT
fi
for i in $(seq 1 "$projector_replicas"); do
  offset=$([ "$i" = 1 ] && echo 0 || echo $((20 + i)))
  require_free_port $((${PROJECTOR_PORT:-3001} + offset)) PROJECTOR_PORT
  require_free_port $((${PROJECTOR_METRICS_PORT:-9465} + offset)) PROJECTOR_METRICS_PORT
done
if [ "$api_replicas" -gt 1 ]; then
  # The replicas listen on PORT+11, PORT+12, … (metrics on METRICS_PORT+11, …) behind nginx on PORT, and
  # believe its X-Forwarded-For. The first one starts alone: it creates the topic and seeds the tenant.
  export PUBLIC_URL=$public_url TRUST_PROXY=${TRUST_PROXY:-loopback}
  upstreams=""
  api_logs=""
  metrics_urls=""
  for i in $(seq 1 "$api_replicas"); do
    port=$((public_port + 10 + i))
    metrics_port=$((${METRICS_PORT:-9464} + 10 + i))
    PORT=$port METRICS_PORT=$metrics_port node "${node_flags[@]}" dist/apps/api/apps/api/src/main.js > ".data/logs/api-$i.log" 2>&1 &
    pids+=($!)
    upstreams+="${upstreams:+,}127.0.0.1:$port"
    api_logs+="${api_logs:+, }.data/logs/api-$i.log"
    metrics_urls+="${metrics_urls:+, }http://${HOST:-127.0.0.1}:$metrics_port/metrics"
    if [ "$i" = 1 ]; then
      for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done
    fi
  done
  PROXY_PORT=$public_port PROXY_UPSTREAMS=$upstreams bash scripts/proxy/nginx.sh up
  started_proxy=1
else
  node "${node_flags[@]}" dist/apps/api/apps/api/src/main.js > .data/logs/api.log 2>&1 &
  pids+=($!)
fi
# Projectors: one consumer group; the first on PROJECTOR_PORT, the others on PROJECTOR_PORT+22, +23, …
projector_logs=""
for i in $(seq 1 "$projector_replicas"); do
  offset=$([ "$i" = 1 ] && echo 0 || echo $((20 + i)))
  log=.data/logs/projector.log
  [ "$projector_replicas" -gt 1 ] && log=.data/logs/projector-$i.log
  PROJECTOR_PORT=$((${PROJECTOR_PORT:-3001} + offset)) PROJECTOR_METRICS_PORT=$((${PROJECTOR_METRICS_PORT:-9465} + offset)) \
    node "${node_flags[@]}" dist/apps/projector/apps/projector/src/main.js > "$log" 2>&1 &
  pids+=($!)
  projector_logs+="${projector_logs:+, }$log"
  metrics_urls+=", http://${HOST:-127.0.0.1}:$((${PROJECTOR_METRICS_PORT:-9465} + offset))/metrics"
done

# "Up" is said only once the api is ready and every projector answers; an app that exits first, or a
# system not ready within START_TIMEOUT seconds (60), stops the start with the logs' last lines.
projector_health_urls=()
for i in $(seq 1 "$projector_replicas"); do
  offset=$([ "$i" = 1 ] && echo 0 || echo $((20 + i)))
  projector_health_urls+=("http://${HOST:-127.0.0.1}:$((${PROJECTOR_PORT:-3001} + offset))/health")
done
projector_url=http://${HOST:-127.0.0.1}:${PROJECTOR_PORT:-3001}
all_ready() {
  curl -fsS "$public_url/health/ready" >/dev/null 2>&1 || return 1
  local url
  for url in "${projector_health_urls[@]}"; do curl -fsS "$url" >/dev/null 2>&1 || return 1; done
}
show_logs() { for log in .data/logs/api*.log .data/logs/projector*.log; do [ -f "$log" ] && { echo "--- $log"; tail -15 "$log"; }; done >&2; }
deadline=$(( $(date +%s) + ${START_TIMEOUT:-60} ))
until all_ready; do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "start: an app exited before the system was ready (pid $pid); stopping the others" >&2
      show_logs
      exit 1
    fi
  done
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "start: the system is not ready after ${START_TIMEOUT:-60} s; stopping it" >&2
    show_logs
    exit 1
  fi
  sleep 0.5
done

cat <<INFO

  Refresh-token service is up.
    Public origin (API)   $public_url
    Readiness             $public_url/health/ready
    Projector health      $projector_url/health/ready
    Metrics (Prometheus)  $metrics_urls
    PostgreSQL            $(if [ -n "$embedded_pg" ]; then echo "embedded PostgreSQL on 127.0.0.1:$embedded_port (data in $EMBEDDED_PGDATA, log .data/logs/postgres.log)"; else echo "${DATABASE_URL%%\?*}" | sed -E 's#//([^:/@]+):[^@]*@#//\1:[redacted]@#'; fi)
    Kafka brokers         ${KAFKA_BROKERS:-127.0.0.1:9092}
    Limits                $(if [ -n "${REDIS_URL:-}" ]; then echo "shared in Redis at $(echo "$REDIS_URL" | sed -E 's#//[^@/]*@#//[redacted]@#')"; else echo "in the api's memory (set REDIS_URL to share them)"; fi)
    Processes             api × $api_replicas$([ "$api_replicas" -gt 1 ] && echo " behind nginx (upstreams $upstreams)"), projector × $projector_replicas
    Logs                  $api_logs, $projector_logs

$(if [ -z "${MANAGEMENT_CLIENT_SECRET:-}" ]; then cat <<DEV
  Development defaults (set the variables to change them; refused when NODE_ENV=production):
    Management API client  MANAGEMENT_CLIENT_ID=management-bootstrap
                           MANAGEMENT_CLIENT_SECRET=development-only-management-secret
    Dashboard              $public_url/dashboard
                           DASHBOARD_ADMIN_EMAIL=admin@example.com
                           DASHBOARD_ADMIN_PASSWORD=development-only-dashboard-password
    Get a Management API token:
      curl -s $public_url/oauth/token -d grant_type=client_credentials \\
        -d client_id=management-bootstrap -d client_secret=development-only-management-secret \\
        -d audience=$public_url/api/v2/
DEV
fi)

  Ctrl-C stops everything this command started.

INFO

wait -n "${pids[@]}"
echo "start: a process exited; stopping the others" >&2
exit 1
