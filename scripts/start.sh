#!/usr/bin/env bash
# `npm start`: the whole system on this machine. Starts a Kafka broker unless KAFKA_BROKERS is given,
# an embedded PostgreSQL when no DATABASE_URL is given and none answers at the default URL, builds,
# migrates, starts every app, prints the URLs, and stops all it started on Ctrl-C / SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

started_kafka=0
embedded_pg=""
pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$started_kafka" = 1 ]; then bash scripts/kafka/kafka.sh down || true; fi
  if [ -n "$embedded_pg" ]; then kill -TERM "$embedded_pg" 2>/dev/null || true; wait "$embedded_pg" 2>/dev/null || true; fi
}
trap stop_all INT TERM EXIT

if [ -z "${KAFKA_BROKERS:-}" ]; then
  if ! bash scripts/kafka/kafka.sh status >/dev/null 2>&1; then
    bash scripts/kafka/kafka.sh up
    started_kafka=1
  fi
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

mkdir -p .data/logs
node dist/apps/api/apps/api/src/main.js > .data/logs/api.log 2>&1 &
pids+=($!)
node dist/apps/projector/apps/projector/src/main.js > .data/logs/projector.log 2>&1 &
pids+=($!)

public_url=${PUBLIC_URL:-http://127.0.0.1:${PORT:-3000}}
projector_url=http://${HOST:-127.0.0.1}:${PROJECTOR_PORT:-3001}
for _ in $(seq 1 60); do
  if curl -fsS "$public_url/health/ready" >/dev/null 2>&1 && curl -fsS "$projector_url/health" >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done

cat <<INFO

  Refresh-token service is up.
    Public origin (API)   $public_url
    Readiness             $public_url/health/ready
    Projector health      $projector_url/health/ready
    Metrics (Prometheus)  http://${HOST:-127.0.0.1}:${METRICS_PORT:-9464}/metrics, http://${HOST:-127.0.0.1}:${PROJECTOR_METRICS_PORT:-9465}/metrics
    PostgreSQL            $(if [ -n "$embedded_pg" ]; then echo "embedded PostgreSQL on 127.0.0.1:$embedded_port (data in $EMBEDDED_PGDATA, log .data/logs/postgres.log)"; else echo "${DATABASE_URL%%\?*}" | sed -E 's#//([^:/@]+):[^@]*@#//\1:[redacted]@#'; fi)
    Kafka brokers         ${KAFKA_BROKERS:-127.0.0.1:9092}
    Logs                  .data/logs/api.log, .data/logs/projector.log

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
