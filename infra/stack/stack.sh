#!/usr/bin/env bash
# The local stack, without Docker: PostgreSQL (when DATABASE_URL does not answer), Apache Kafka in
# KRaft mode and Apicurio Registry, from Maven Central's artifacts.
#   stack.sh up       start what is not running, wait until each part answers
#   stack.sh down     stop docstream (npm start) and every part that `up` started
#   stack.sh status   each part's state; exit 0 only when all answer
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
data=$(realpath -m "${DOCSTREAM_DATA_DIR:-$repo/.data}")
dist=$data/dist
logs=$data/logs
run=$data/run

KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
SCHEMA_REGISTRY_URL=${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/docstream}
REGISTRY_DATABASE=${REGISTRY_DATABASE:-docstream_registry}
STACK_TIMEOUT=${STACK_TIMEOUT:-120}

kafka_host=${KAFKA_BROKERS%%,*}; kafka_port=${kafka_host##*:}; kafka_host=${kafka_host%:*}
registry_hostport=${SCHEMA_REGISTRY_URL#*://}; registry_hostport=${registry_hostport%%/*}
registry_host=${registry_hostport%:*}; registry_port=${registry_hostport##*:}
registry_mgmt_port=${REGISTRY_MANAGEMENT_PORT:-$((registry_port + 10))}
read -r pg_host pg_port pg_db pg_user < <(node -e '
  const u = new URL(process.argv[1]);
  console.log(u.hostname, u.port || 5432, u.pathname.slice(1) || "docstream", u.username || "postgres");
' "$DATABASE_URL")

say() { printf '%s %s\n' "[stack]" "$*"; }
die() { say "error: $*" >&2; exit 1; }
since() { echo "$(($(date +%s) - $1))s"; }

# Polls a command until it succeeds; on timeout shows the log that explains why.
wait_for() {
  local what=$1 log=$2 deadline=$(($(date +%s) + STACK_TIMEOUT)); shift 2
  until "$@" >/dev/null 2>&1; do
    if (($(date +%s) > deadline)); then
      say "$what did not become ready in ${STACK_TIMEOUT}s; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# SIGTERM, then SIGKILL if it has not gone within 30 s.
stop_pid() {
  local name=$1 pidfile=$2
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then say "$name ignored SIGTERM, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
  say "$name stopped"
}

# Detached from the caller's terminal and pipes, so nothing waits on its output.
spawn() {
  local pidfile=$1 log=$2; shift 2
  setsid "$@" </dev/null >>"$log" 2>&1 &
  echo $! >"$pidfile"
}

# ---------- PostgreSQL ----------
pg_cluster=$data/postgres
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_postgres() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_ready() { pg_isready -q -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres; }
admin_psql() { psql -v ON_ERROR_STOP=1 -qtA -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres "$@"; }

ensure_database() {
  [[ $(admin_psql -c "SELECT 1 FROM pg_database WHERE datname = '$1'") == 1 ]] ||
    admin_psql -c "CREATE DATABASE \"$1\"" && say "database $1 ready"
}

postgres_up() {
  if pg_ready; then
    say "PostgreSQL answers at $pg_host:$pg_port"
  else
    local bin; bin=$(pg_bin); [[ -n $bin ]] || die "no PostgreSQL at $pg_host:$pg_port and no PostgreSQL binaries to start one"
    local t=$(date +%s)
    mkdir -p "$pg_cluster" "$run/postgres"
    ((EUID == 0)) && chown postgres "$pg_cluster" "$run/postgres"
    if [[ ! -f $pg_cluster/PG_VERSION ]]; then
      as_postgres "$bin/initdb" -D "$pg_cluster" -U "$pg_user" -A trust -E UTF8 >>"$logs/postgres.log" 2>&1
    fi
    ((EUID == 0)) && touch "$logs/postgres.log" && chown postgres "$logs/postgres.log"
    as_postgres "$bin/pg_ctl" -D "$pg_cluster" -l "$logs/postgres.log" -w -t "$STACK_TIMEOUT" \
      -o "-p $pg_port -k $run/postgres -c listen_addresses=$pg_host" start >/dev/null
    wait_for PostgreSQL "$logs/postgres.log" pg_ready
    say "PostgreSQL started from $bin in $(since "$t")"
  fi
  ensure_database "$pg_db"
  ensure_database "$REGISTRY_DATABASE"
}

postgres_down() {
  [[ -f $pg_cluster/postmaster.pid ]] || return 0
  as_postgres "$(pg_bin)/pg_ctl" -D "$pg_cluster" -m fast -w stop >/dev/null && say "PostgreSQL stopped"
}

# ---------- downloads (cached: again only when pom.xml changes) ----------
install_dist() {
  local stamp=$dist/.installed sum; sum=$(sha256sum "$here/pom.xml" | cut -d' ' -f1)
  [[ -f $stamp && $(cat "$stamp") == "$sum" ]] && return 0
  local t=$(date +%s)
  say "fetching Kafka and Apicurio Registry from Maven Central"
  rm -rf "$dist"; mkdir -p "$dist"
  mvn -B -f "$here/pom.xml" -Ddist.dir="$dist" dependency:copy-dependencies@kafka dependency:copy@apicurio \
    >"$logs/maven.log" 2>&1 || { tail -n 30 "$logs/maven.log" >&2; die "Maven could not fetch the stack"; }
  mkdir -p "$dist/apicurio/app" && tar -xzf "$dist"/apicurio/*.tar.gz -C "$dist/apicurio/app"
  rm -f "$dist"/apicurio/*.tar.gz
  echo "$sum" >"$stamp"
  say "fetched in $(since "$t")"
}

# Apicurio Registry 3.3 is built for Java 21: use JAVA_HOME or the newest JDK found that is 21+.
registry_java() {
  local candidate version
  for candidate in ${REGISTRY_JAVA_HOME:+$REGISTRY_JAVA_HOME/bin/java} ${JAVA_HOME:+$JAVA_HOME/bin/java} \
    $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV) "$(command -v java)"; do
    [[ -x $candidate ]] || continue
    version=$("$candidate" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
    if ((${version%%.*} >= 21)); then echo "$candidate"; return 0; fi
  done
  die "Apicurio Registry needs Java 21 or newer: install one or set REGISTRY_JAVA_HOME"
}

# ---------- Kafka ----------
kafka_dir=$data/kafka
kafka_ready() { node "$here/kafka-ready.mjs" "$KAFKA_BROKERS" "${1:-0}"; }

kafka_up() {
  if alive "$run/kafka.pid" || kafka_ready; then
    kafka_ready "$STACK_TIMEOUT" || die "Kafka at $KAFKA_BROKERS does not answer"
    say "Kafka answers at $KAFKA_BROKERS"; return 0
  fi
  local t=$(date +%s) classpath="$dist/kafka/libs/*"
  mkdir -p "$kafka_dir"
  sed -e "s#@HOST@#$kafka_host#g" -e "s#@PORT@#$kafka_port#g" -e "s#@CONTROLLER_PORT@#$((kafka_port + 1))#g" \
    -e "s#@LOG_DIR@#$kafka_dir/log#g" "$here/server.properties" >"$kafka_dir/server.properties"
  if [[ ! -f $kafka_dir/log/meta.properties ]]; then
    java -cp "$classpath" -Dlog4j2.configurationFile="$here/log4j2.properties" kafka.tools.StorageTool format \
      --standalone -t "$(java -cp "$classpath" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)" \
      -c "$kafka_dir/server.properties" >>"$logs/kafka.log" 2>&1
    # The read models hold offsets of the old log: a new cluster starts them afresh.
    admin_psql -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)"
    ensure_database "$pg_db"
    say "new Kafka cluster: database $pg_db emptied for its read models"
  fi
  spawn "$run/kafka.pid" "$logs/kafka.log" java -Xms256m -Xmx768m -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$classpath" kafka.Kafka "$kafka_dir/server.properties"
  wait_for Kafka "$logs/kafka.log" kafka_ready "$STACK_TIMEOUT"
  say "Kafka started at $KAFKA_BROKERS in $(since "$t")"
}

# ---------- Apicurio Registry ----------
registry_ready() {
  curl -sf "http://$registry_host:$registry_mgmt_port/health/ready" >/dev/null &&
    curl -sf "$SCHEMA_REGISTRY_URL/apis/ccompat/v7/subjects" >/dev/null
}

registry_up() {
  if ! alive "$run/registry.pid" && curl -sf "$SCHEMA_REGISTRY_URL/apis/ccompat/v7/subjects" >/dev/null; then
    say "schema registry answers at $SCHEMA_REGISTRY_URL"; return 0
  fi
  if ! alive "$run/registry.pid"; then
    local java; java=$(registry_java)
    APICURIO_STORAGE_KIND=sql \
    APICURIO_STORAGE_SQL_KIND=postgresql \
    APICURIO_DATASOURCE_URL="jdbc:postgresql://$pg_host:$pg_port/$REGISTRY_DATABASE" \
    APICURIO_DATASOURCE_USERNAME="$pg_user" \
    APICURIO_DATASOURCE_PASSWORD="${PGPASSWORD:-unused}" \
    APICURIO_DATASOURCE_JDBC_INITIAL_SIZE=2 APICURIO_DATASOURCE_JDBC_MIN_SIZE=2 APICURIO_DATASOURCE_JDBC_MAX_SIZE=20 \
    QUARKUS_HTTP_HOST="$registry_host" QUARKUS_HTTP_PORT="$registry_port" \
    QUARKUS_MANAGEMENT_HOST="$registry_host" QUARKUS_MANAGEMENT_PORT="$registry_mgmt_port" \
    QUARKUS_HTTP_ACCESS_LOG_ENABLED=false QUARKUS_LOG_CATEGORY__IO_APICURIO_REGISTRY_LOGGING_AUDIT__LEVEL=WARN \
      spawn "$run/registry.pid" "$logs/registry.log" "$java" -Xms128m -Xmx512m -jar "$dist/apicurio/app/quarkus-run.jar"
  fi
  local t=$(date +%s)
  wait_for "schema registry" "$logs/registry.log" registry_ready
  say "schema registry answers at $SCHEMA_REGISTRY_URL ($(since "$t"))"
}

# ---------- commands ----------
up() {
  local t=$(date +%s)
  mkdir -p "$logs" "$run"
  install_dist
  postgres_up
  kafka_up
  registry_up
  say "stack ready in $(since "$t")"
}

down() {
  local t=$(date +%s)
  stop_pid docstream "$data/docstream.pid"
  stop_pid "schema registry" "$run/registry.pid"
  stop_pid Kafka "$run/kafka.pid"
  postgres_down
  say "stack down in $(since "$t")"
}

status() {
  local ok=0
  if pg_ready; then say "PostgreSQL: up ($pg_host:$pg_port)"; else say "PostgreSQL: down"; ok=1; fi
  if kafka_ready; then say "Kafka: up ($KAFKA_BROKERS)"; else say "Kafka: down"; ok=1; fi
  if registry_ready; then say "schema registry: up ($SCHEMA_REGISTRY_URL)"; else say "schema registry: down"; ok=1; fi
  if alive "$data/docstream.pid"; then say "docstream: up (pid $(cat "$data/docstream.pid"))"; else say "docstream: not running"; fi
  return $ok
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
