#!/usr/bin/env bash
# Run a real single-node Apache Kafka broker (KRaft, broker+controller combined)
# from its Maven Central jars. No Docker, no tarball download: Maven resolves
# org.apache.kafka:kafka_2.13 (scripts/kafka/pom.xml) into a cache outside git.
#
#   scripts/kafka/kafka.sh up       start (idempotent) and wait until usable
#   scripts/kafka/kafka.sh down     stop the broker this script started
#   scripts/kafka/kafka.sh status   exit 0 if the broker answers, 1 if not
#   scripts/kafka/kafka.sh reset    down + delete the data folder
#   scripts/kafka/kafka.sh fetch    only fetch the jars into the cache
#   scripts/kafka/kafka.sh logs     tail the broker log
#
# Environment (all optional): KAFKA_VERSION, KAFKA_HOST, KAFKA_PORT,
# KAFKA_CONTROLLER_PORT, KAFKA_DATA_DIR, KAFKA_CACHE_DIR, KAFKA_HEAP_OPTS,
# KAFKA_START_TIMEOUT, KAFKA_STOP_TIMEOUT, KAFKA_SCRAM_USERS. See scripts/kafka/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

# Pinned version: see README.md for why (kafkajs 2.2.4 compatibility).
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.data/kafka}"
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rts-kafka}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
# "user:password,user2:password2": the client port becomes SASL_PLAINTEXT with SCRAM-SHA-256 and
# SCRAM-SHA-512, these users created at format time (KIP-900). Empty: PLAINTEXT, no authentication.
KAFKA_SCRAM_USERS="${KAFKA_SCRAM_USERS:-}"

POM="$SCRIPT_DIR/pom.xml"
VERSION_DIR="$KAFKA_CACHE_DIR/$KAFKA_VERSION"
LIBS="$VERSION_DIR/libs"
STAMP="$VERSION_DIR/.fetched"
PROPS="$KAFKA_DATA_DIR/server.properties"
LOG_DIRS="$KAFKA_DATA_DIR/logs"
PID_FILE="$KAFKA_DATA_DIR/broker.pid"
BROKER_LOG="$KAFKA_DATA_DIR/broker.log"
LOG4J1_CONF="$KAFKA_DATA_DIR/log4j.properties"
LOG4J2_CONF="$KAFKA_DATA_DIR/log4j2.properties"
STARTED_RE='Kafka ?Server started'

say() { echo "kafka: $*"; }
die() { echo "kafka: $*" >&2; exit 1; }

# ---------------------------------------------------------------- helpers ---

port_open() { # host port
  # shellcheck disable=SC2016  # $1/$2 expand in the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

# True if a Kafka broker answers on host:port: sends an ApiVersions v0 request
# (correlation id 42; every broker version accepts it) and checks the reply's
# correlation id. A plain TCP listener that is not Kafka does not pass.
kafka_answers() { # host port
  local reply
  # shellcheck disable=SC2016  # $1/$2 expand in the inner bash
  reply="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x2a\x00\x02rt" >&3
    head -c 8 <&3 | od -An -tx1' _ "$1" "$2" 2>/dev/null | tr -d ' \n')" || true
  [[ "$reply" == ????????0000002a ]]
}

# Pid from the pid file, only if that process is alive AND is the broker this
# script started for this data folder (guards against pid reuse).
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *kafka.Kafka*"$PROPS"* ]] || return 1
  echo "$pid"
}

log_tail() {
  if [[ -f "$BROKER_LOG" ]]; then
    echo "---- last 40 lines of $BROKER_LOG ----" >&2
    tail -n 40 "$BROKER_LOG" >&2 || true
    echo "----" >&2
  fi
}

maven_profile() {
  case "$KAFKA_VERSION" in
    3.*) echo kafka3 ;;
    *) echo kafka4 ;;
  esac
}

fetch() {
  # The stamp records version + pom checksum; a missing/different stamp (e.g. a
  # download interrupted half-way, or an edited pom) means: fetch again.
  local want
  want="$KAFKA_VERSION $(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" && -d "$LIBS" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch the Kafka jars)"
  say "fetching Kafka $KAFKA_VERSION jars into $LIBS (one-time) ..."
  mkdir -p "$VERSION_DIR"
  rm -f "$STAMP"
  rm -rf "$LIBS.tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$POM" -P "$(maven_profile)" \
    -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies \
    -DincludeScope=runtime \
    -DoutputDirectory="$LIBS.tmp" >"$VERSION_DIR/fetch.log" 2>&1; then
    tail -n 30 "$VERSION_DIR/fetch.log" >&2
    die "maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (log: $VERSION_DIR/fetch.log)"
  fi
  [[ -f "$LIBS.tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] \
    || die "fetch finished but kafka_2.13-$KAFKA_VERSION.jar is missing in $LIBS.tmp"
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
  echo "$want" >"$STAMP"
}

# The broker's own SCRAM user (inter-broker listener), derived from the data folder's path.
scram_broker_password() { echo "broker-$(echo "$KAFKA_DATA_DIR" | sha256sum | cut -c1-24)"; }

# Each "user:password" of KAFKA_SCRAM_USERS, validated (no characters JAAS or --add-scram would
# misread), then the broker's own.
scram_users() {
  local entry entries
  IFS=',' read -ra entries <<<"$KAFKA_SCRAM_USERS"
  for entry in "${entries[@]}"; do
    [[ "$entry" =~ ^[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$ ]] \
      || die "KAFKA_SCRAM_USERS: an entry is not user:password (letters, digits, _ and -)"
    echo "$entry"
  done
  echo "broker:$(scram_broker_password)"
}

write_config() {
  mkdir -p "$KAFKA_DATA_DIR" "$LOG_DIRS"
  local protocol=PLAINTEXT
  [[ -n "$KAFKA_SCRAM_USERS" ]] && protocol=SASL_PLAINTEXT
  cat >"$PROPS" <<EOF
# Written by scripts/kafka/kafka.sh on every 'up'; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=$protocol://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=$protocol://$KAFKA_HOST:$KAFKA_PORT
listener.security.protocol.map=$protocol:$protocol,CONTROLLER:PLAINTEXT
inter.broker.listener.name=$protocol
controller.listener.names=CONTROLLER
log.dirs=$LOG_DIRS

# single node: every internal topic has replication factor 1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.partitions=3
# event log: keep everything forever
log.retention.hours=-1
EOF
  if [[ -n "$KAFKA_SCRAM_USERS" ]]; then
    local login
    login="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"$(scram_broker_password)\";"
    cat >>"$PROPS" <<EOF

# SASL/SCRAM on the client port (KAFKA_SCRAM_USERS); the broker authenticates to itself as "broker".
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=$login
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$login
EOF
  fi
  # Kafka 3.x logs through log4j 1 (reload4j), 4.x through log4j2. Both go to
  # stdout, which is redirected to broker.log.
  cat >"$LOG4J1_CONF" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.org.apache.kafka.controller=INFO
log4j.logger.state.change.logger=WARN
EOF
  cat >"$LOG4J2_CONF" <<'EOF'
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
EOF
}

# Fills JAVA_ARGV with the java command line for: main-class args...
java_argv() {
  # shellcheck disable=SC2206  # KAFKA_HEAP_OPTS is a list of JVM flags
  JAVA_ARGV=(java $KAFKA_HEAP_OPTS
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$LOG4J1_CONF"
    "-Dlog4j2.configurationFile=$LOG4J2_CONF"
    "-Dkafka.logs.dir=$KAFKA_DATA_DIR"
    -cp "$LIBS/*" "$@")
}

java_cmd() { java_argv "$@"; "${JAVA_ARGV[@]}"; }

format_storage() {
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then
    return 0
  fi
  local cluster_id
  cluster_id="$(KAFKA_HEAP_OPTS='-Xmx128m' java_cmd kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  [[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "could not generate a cluster id (got '$cluster_id')"
  say "formatting KRaft storage in $LOG_DIRS (cluster id $cluster_id)"
  local scram=() entry
  if [[ -n "$KAFKA_SCRAM_USERS" ]]; then
    while read -r entry; do
      scram+=(--add-scram "SCRAM-SHA-256=[name=${entry%%:*},password=${entry#*:}]")
      scram+=(--add-scram "SCRAM-SHA-512=[name=${entry%%:*},password=${entry#*:}]")
    done < <(scram_users)
  fi
  KAFKA_HEAP_OPTS='-Xmx256m' java_cmd kafka.tools.StorageTool format \
    -t "$cluster_id" -c "$PROPS" --ignore-formatted "${scram[@]}" >>"$KAFKA_DATA_DIR/format.log" 2>&1 \
    || { cat "$KAFKA_DATA_DIR/format.log" >&2; die "storage format failed"; }
  echo "$cluster_id" >"$KAFKA_DATA_DIR/cluster.id"
}

wait_ready() { # pid
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka: broker process $pid exited during startup" >&2
      rm -f "$PID_FILE"
      log_tail
      return 1
    fi
    if grep -Eq "$STARTED_RE" "$BROKER_LOG" 2>/dev/null && kafka_answers "$KAFKA_HOST" "$KAFKA_PORT"; then
      return 0
    fi
    sleep 0.5
  done
  echo "kafka: broker (pid $pid) not ready after ${KAFKA_START_TIMEOUT}s; stopping it" >&2
  log_tail
  stop_pid "$pid"
  return 1
}

stop_pid() { # pid
  local pid="$1" deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
}

# Serialise concurrent up/down/reset on the same data folder.
take_lock() {
  mkdir -p "$KAFKA_DATA_DIR"
  if command -v flock >/dev/null; then
    exec 9>"$KAFKA_DATA_DIR/.lock"
    flock -w 120 9 || die "could not lock $KAFKA_DATA_DIR/.lock"
  fi
}

# --------------------------------------------------------------- commands ---

cmd_up() {
  local pid
  if kafka_answers "$KAFKA_HOST" "$KAFKA_PORT"; then
    if pid="$(our_pid)"; then
      say "already up on $KAFKA_HOST:$KAFKA_PORT (pid $pid)"
    else
      say "already up on $KAFKA_HOST:$KAFKA_PORT (a Kafka broker this script did not start; leaving it alone)"
    fi
    return 0
  fi
  command -v java >/dev/null || die "java not found (Kafka needs Java 17+)"
  take_lock
  if pid="$(our_pid)"; then
    # Started by an earlier/concurrent 'up' but not answering yet: just wait.
    say "broker (pid $pid) is starting, waiting ..."
  else
    if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      die "$KAFKA_HOST:$KAFKA_PORT is taken by a process that is not a Kafka broker (set KAFKA_PORT)"
    fi
    if port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"; then
      die "controller port $KAFKA_HOST:$KAFKA_CONTROLLER_PORT is taken by another process (set KAFKA_CONTROLLER_PORT)"
    fi
    rm -f "$PID_FILE"
    fetch
    write_config
    format_storage
    [[ -f "$BROKER_LOG" ]] && mv -f "$BROKER_LOG" "$BROKER_LOG.1"
    # setsid + nohup: the broker survives the shell/npm script that started it.
    # (setsid execs in place here, so $! is the java pid.)
    java_argv kafka.Kafka "$PROPS"
    # 9>&-: the broker must not inherit (and hold forever) the lock fd.
    setsid nohup "${JAVA_ARGV[@]}" </dev/null >>"$BROKER_LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
  fi
  if wait_ready "$pid"; then
    pid="$(our_pid || echo "$pid")"
    say "up on $KAFKA_HOST:$KAFKA_PORT (pid $pid)"
  else
    return 1
  fi
}

cmd_down() {
  take_lock
  local pid
  if pid="$(our_pid)"; then
    say "stopping broker (pid $pid) ..."
    stop_pid "$pid"
    say "down"
  else
    rm -f "$PID_FILE"
    if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      say "not started by this script (another process listens on $KAFKA_HOST:$KAFKA_PORT); leaving it alone"
    else
      say "not running"
    fi
  fi
}

cmd_status() {
  local pid
  if kafka_answers "$KAFKA_HOST" "$KAFKA_PORT"; then
    if pid="$(our_pid)"; then
      say "up on $KAFKA_HOST:$KAFKA_PORT (pid $pid, Kafka $KAFKA_VERSION, data $KAFKA_DATA_DIR)"
    else
      say "up on $KAFKA_HOST:$KAFKA_PORT (not started by this script)"
    fi
    return 0
  fi
  if pid="$(our_pid)"; then
    say "starting (pid $pid), not answering on $KAFKA_HOST:$KAFKA_PORT yet"
  else
    say "down"
  fi
  return 1
}

cmd_reset() {
  cmd_down
  case "$KAFKA_DATA_DIR" in
    "" | / | "$HOME" | "$REPO_ROOT") die "refusing to delete '$KAFKA_DATA_DIR'" ;;
  esac
  rm -rf "$KAFKA_DATA_DIR"
  say "deleted $KAFKA_DATA_DIR"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  fetch) fetch && say "jars cached in $LIBS" ;;
  logs) tail -n "${2:-100}" -F "$BROKER_LOG" ;;
  *)
    echo "usage: $0 {up|down|status|reset|fetch|logs [N]}" >&2
    exit 2
    ;;
esac
