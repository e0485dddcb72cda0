#!/usr/bin/env bash
# `npm start`: the whole system on this machine. Starts a Kafka broker unless KAFKA_BROKERS is given,
# builds, migrates, starts every app, prints the URLs, and stops all it started on Ctrl-C / SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

started_kafka=0
pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$started_kafka" = 1 ]; then bash scripts/kafka/kafka.sh down || true; fi
}
trap stop_all INT TERM EXIT

if [ -z "${KAFKA_BROKERS:-}" ]; then
  if ! bash scripts/kafka/kafka.sh status >/dev/null 2>&1; then
    bash scripts/kafka/kafka.sh up
    started_kafka=1
  fi
fi

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
