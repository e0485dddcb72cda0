#!/usr/bin/env bash
# `npm run start:cluster`: `npm start` with API_REPLICAS (2) api processes behind nginx on PORT (3000,
# scripts/proxy/nginx.sh, TRUST_PROXY=loopback) and PROJECTOR_REPLICAS (2) projectors in one consumer
# group, the limits shared in Redis (REDIS_URL, else scripts/redis/redis.sh). See docs/operations.md,
# "Replicas".
set -euo pipefail
cd "$(dirname "$0")/.."
export API_REPLICAS=${API_REPLICAS:-2} PROJECTOR_REPLICAS=${PROJECTOR_REPLICAS:-2}
exec bash scripts/start.sh
