#!/usr/bin/env bash
# The local stack, without Docker: PostgreSQL (when DATABASE_URL does not answer), Apache Kafka in
# KRaft mode, Apicurio Registry and Keycloak (STACK_KEYCLOAK=0 leaves it out), from Maven Central's
# artifacts. With Keycloak, the registry takes writes only with a credential of its realm.
#   stack.sh up       start what is not running, wait until each part answers
#   stack.sh down     stop docstream (npm start) and every part that `up` started
#   stack.sh status   each part's state; exit 0 only when all answer
# --brokers N (up, down, status): N Kafka nodes, each broker and KRaft controller, on consecutive
# ports from KAFKA_BROKERS' first (9092, 9093, 9094), topics replicated as infra/config.ts says;
# without it, a cluster that runs is kept. A second stack beside the first: its own
# DOCSTREAM_DATA_DIR, KAFKA_BROKERS port and database (DATABASE_URL); see README.md.
set -euo pipefail

command=${1:-}; (($#)) && shift
brokers_given=0
while (($#)); do
  case $1 in
    --brokers) KAFKA_NODES=${2:-}; brokers_given=1; shift; (($#)) && shift ;;
    --brokers=*) KAFKA_NODES=${1#*=}; brokers_given=1; shift ;;
    *) echo "usage: $0 up|down|status [--brokers N]" >&2; exit 2 ;;
  esac
done
KAFKA_NODES=${KAFKA_NODES:-1}
[[ $KAFKA_NODES =~ ^[1-9]$ ]] || { echo "--brokers takes 1 to 9" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
data=$(realpath -m "${DOCSTREAM_DATA_DIR:-$repo/.data}")
# Kafka, the registry and Keycloak as fetched: a second stack's data directory may share them.
dist=$(realpath -m "${STACK_DIST_DIR:-$data/dist}")
logs=$data/logs
run=$data/run

KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
SCHEMA_REGISTRY_URL=${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/docstream}
REGISTRY_DATABASE=${REGISTRY_DATABASE:-docstream_registry}
STACK_TIMEOUT=${STACK_TIMEOUT:-120}
STACK_KEYCLOAK=${STACK_KEYCLOAK:-1}
KEYCLOAK_URL=${KEYCLOAK_URL:-http://127.0.0.1:8180}; KEYCLOAK_URL=${KEYCLOAK_URL%/}
KEYCLOAK_DATABASE=${KEYCLOAK_DATABASE:-docstream_keycloak}
KEYCLOAK_AOT=${KEYCLOAK_AOT:-1}
# The master realm's first administrator, created with its database: for this machine only.
KEYCLOAK_ADMIN=${KEYCLOAK_ADMIN:-admin}
KEYCLOAK_ADMIN_PASSWORD=${KEYCLOAK_ADMIN_PASSWORD:-admin}

kafka_host=${KAFKA_BROKERS%%,*}; kafka_port=${kafka_host##*:}; kafka_host=${kafka_host%:*}
# A cluster started earlier (its nodes' pid files) is what `up`, `down` and `status` mean by default.
if ((!brokers_given)); then
  running_nodes=0
  [ -d "$run" ] && running_nodes=$(find "$run" -maxdepth 1 -name 'kafka-[0-9]*.pid' | wc -l)
  ((running_nodes <= 1)) || KAFKA_NODES=$running_nodes
fi
if ((KAFKA_NODES > 1)); then
  KAFKA_BROKERS=$(for ((i = 0; i < KAFKA_NODES; i++)); do printf '%s:%s,' "$kafka_host" $((kafka_port + i)); done)
  KAFKA_BROKERS=${KAFKA_BROKERS%,}
fi
registry_hostport=${SCHEMA_REGISTRY_URL#*://}; registry_hostport=${registry_hostport%%/*}
registry_host=${registry_hostport%:*}; registry_port=${registry_hostport##*:}
registry_mgmt_port=${REGISTRY_MANAGEMENT_PORT:-$((registry_port + 10))}
keycloak_hostport=${KEYCLOAK_URL#*://}; keycloak_hostport=${keycloak_hostport%%/*}
keycloak_host=${keycloak_hostport%:*}; keycloak_port=${keycloak_hostport##*:}
keycloak_mgmt_port=${KEYCLOAK_MANAGEMENT_PORT:-$((keycloak_port + 10))}
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
  local name=$1 pidfile=$2 grace=${3:-30}
  alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 2))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name ignored SIGTERM, killing"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
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
  say "fetching Kafka, Apicurio Registry and Keycloak from Maven Central"
  rm -rf "$dist"; mkdir -p "$dist"
  mvn -B -f "$here/pom.xml" -Ddist.dir="$dist" dependency:copy-dependencies@kafka dependency:copy@apicurio \
    dependency:copy@keycloak \
    >"$logs/maven.log" 2>&1 || { tail -n 30 "$logs/maven.log" >&2; die "Maven could not fetch the stack"; }
  mkdir -p "$dist/apicurio/app" && tar -xzf "$dist"/apicurio/*.tar.gz -C "$dist/apicurio/app"
  rm -f "$dist"/apicurio/*.tar.gz
  command -v unzip >/dev/null || die "unzip is needed to unpack Keycloak"
  unzip -q "$dist"/keycloak/*.zip -d "$dist/keycloak/unpacked"
  mv "$dist"/keycloak/unpacked/keycloak-* "$keycloak_home" && rmdir "$dist/keycloak/unpacked"
  rm -f "$dist"/keycloak/*.zip
  echo "$sum" >"$stamp"
  say "fetched in $(since "$t")"
}

# java_property JAVA NAME: one of that JVM's system properties.
java_property() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F' = ' -v name="$2" '{ sub(/^ +/, "", $1) } $1 == name { print $2 }'
}

# Apicurio Registry 3.3 and Keycloak 26 are built for Java 21: use STACK_JAVA_HOME (or the older
# REGISTRY_JAVA_HOME), JAVA_HOME, or the newest JDK found that is 21+.
stack_java() {
  local candidate version
  for candidate in ${STACK_JAVA_HOME:+$STACK_JAVA_HOME/bin/java} ${REGISTRY_JAVA_HOME:+$REGISTRY_JAVA_HOME/bin/java} \
    ${JAVA_HOME:+$JAVA_HOME/bin/java} $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -rV) "$(command -v java)"; do
    [[ -x $candidate ]] || continue
    version=$(java_property "$candidate" java.specification.version)
    if ((${version%%.*} >= 21)); then echo "$candidate"; return 0; fi
  done
  die "$1 needs Java 21 or newer: install one or set STACK_JAVA_HOME"
}

# ---------- Kafka ----------
# One node lives in kafka/ (pid kafka.pid); a cluster's node i in kafka-cluster/node-i (kafka-i.pid,
# logs/kafka-i.log), its controller on port base + 9 + i: 9102, 9103, 9104 from 9092.
if ((KAFKA_NODES == 1)); then kafka_dir=$data/kafka; else kafka_dir=$data/kafka-cluster; fi
node_port() { echo $((kafka_port + $1 - 1)); }
node_controller_port() { if ((KAFKA_NODES == 1)); then echo $((kafka_port + 1)); else echo $((kafka_port + 9 + $1)); fi; }
node_dir() { if ((KAFKA_NODES == 1)); then echo "$kafka_dir"; else echo "$kafka_dir/node-$1"; fi; }
node_pid() { if ((KAFKA_NODES == 1)); then echo "$run/kafka.pid"; else echo "$run/kafka-$1.pid"; fi; }
node_log() { if ((KAFKA_NODES == 1)); then echo "$logs/kafka.log"; else echo "$logs/kafka-$1.log"; fi; }
# Clients authenticate with SCRAM-SHA-512 as one of three principals: docstream (the service, with
# KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD as infra/config.ts reads them), downstream (read-only
# consumers) and the admin, which only this script uses. The default passwords are for this
# machine's stack only.
KAFKA_SASL_USERNAME=${KAFKA_SASL_USERNAME:-docstream}
KAFKA_SASL_PASSWORD=${KAFKA_SASL_PASSWORD:-docstream-local-only}
KAFKA_DOWNSTREAM_USERNAME=${KAFKA_DOWNSTREAM_USERNAME:-downstream}
KAFKA_DOWNSTREAM_PASSWORD=${KAFKA_DOWNSTREAM_PASSWORD:-downstream-local-only}
KAFKA_ADMIN_USERNAME=${KAFKA_ADMIN_USERNAME:-kafka-admin}
KAFKA_ADMIN_PASSWORD=${KAFKA_ADMIN_PASSWORD:-kafka-admin-local-only}
# What downstream may read: the topics, and use: the consumer groups, whose names start with these.
KAFKA_DOWNSTREAM_TOPIC_PREFIX=${KAFKA_DOWNSTREAM_TOPIC_PREFIX:-${TOPIC_PREFIX:-docstream}.}
KAFKA_DOWNSTREAM_GROUP_PREFIX=${KAFKA_DOWNSTREAM_GROUP_PREFIX:-downstream.}

# Kafka's command-line tools: short-lived, so the quickest JVM start over peak speed.
kafka_java() {
  java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$dist/kafka/libs/*" \
    -Dlog4j2.configurationFile="$here/log4j2.properties" "$@"
}

# Waits for the tools started in the background; `what` failed if any of them did.
wait_all() {
  local what=$1 pid failed=0; shift
  for pid; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "could not $what; see $logs/kafka.log"
}

# As docstream; `none` as the mechanism asks whether the broker takes clients without credentials.
kafka_ready() { kafka_probe scram-sha-512 "$KAFKA_SASL_USERNAME" "$KAFKA_SASL_PASSWORD" "${1:-0}"; }
kafka_takes_anyone() { kafka_probe none "" "" 0; }
# PLAIN: the admin's credential in server.properties, which works before any SCRAM credential exists.
kafka_admin_ready() { kafka_probe plain "$KAFKA_ADMIN_USERNAME" "$KAFKA_ADMIN_PASSWORD" "${1:-0}"; }
kafka_probe() {
  KAFKA_SASL_MECHANISM=$1 KAFKA_SASL_USERNAME=$2 KAFKA_SASL_PASSWORD=$3 \
    node "$here/kafka-ready.mjs" "$KAFKA_BROKERS" "$4" "$KAFKA_NODES"
}

# name password, one principal a line.
kafka_principals() {
  printf '%s %s\n' "$KAFKA_ADMIN_USERNAME" "$KAFKA_ADMIN_PASSWORD" "$KAFKA_SASL_USERNAME" "$KAFKA_SASL_PASSWORD" \
    "$KAFKA_DOWNSTREAM_USERNAME" "$KAFKA_DOWNSTREAM_PASSWORD"
}

# They end up in JAAS strings, properties files and the tools' arguments: no quoting needed there.
check_kafka_principals() {
  local name password
  while read -r name password; do
    [[ $name =~ ^[A-Za-z0-9._-]+$ && $password =~ ^[A-Za-z0-9._~-]+$ ]] ||
      die "Kafka user '$name': names and passwords may hold only letters, digits and . _ ~ - (e.g. openssl rand -hex 24)"
  done < <(kafka_principals)
  [[ $KAFKA_DOWNSTREAM_TOPIC_PREFIX =~ ^[A-Za-z0-9._-]+$ && $KAFKA_DOWNSTREAM_GROUP_PREFIX =~ ^[A-Za-z0-9._-]+$ ]] ||
    die "KAFKA_DOWNSTREAM_TOPIC_PREFIX and KAFKA_DOWNSTREAM_GROUP_PREFIX may hold only letters, digits and . _ -"
}

# The admin's client settings for the tools: PLAIN always works, SCRAM once the credentials are in
# the cluster.
render_kafka_config() {
  (
    umask 077
    admin_client_properties PLAIN plain.PlainLoginModule >"$kafka_dir/admin-plain.properties"
    admin_client_properties SCRAM-SHA-512 scram.ScramLoginModule >"$kafka_dir/admin-scram.properties"
  )
}

# Node i's configuration. One node bootstraps its own quorum; a cluster's voters are fixed, and its
# internal topics keep three replicas with two in sync, so one node may be down.
render_node_config() {
  local node=$1 dir quorum replicas=1 min_isr=1 voters=() i
  dir=$(node_dir "$node")
  if ((KAFKA_NODES == 1)); then
    quorum="controller.quorum.bootstrap.servers=$kafka_host:$(node_controller_port 1)"
  else
    for ((i = 1; i <= KAFKA_NODES; i++)); do voters+=("$i@$kafka_host:$(node_controller_port "$i")"); done
    quorum="controller.quorum.voters=$(IFS=,; echo "${voters[*]}")"
    replicas=$((KAFKA_NODES < 3 ? KAFKA_NODES : 3)); min_isr=$((replicas - 1))
  fi
  (
    umask 077
    mkdir -p "$dir"
    sed -e "s#@HOST@#$kafka_host#g" -e "s#@PORT@#$(node_port "$node")#g" \
      -e "s#@CONTROLLER_PORT@#$(node_controller_port "$node")#g" -e "s#@NODE_ID@#$node#g" -e "s#@QUORUM@#$quorum#g" \
      -e "s#@INTERNAL_REPLICAS@#$replicas#g" -e "s#@INTERNAL_MIN_ISR@#$min_isr#g" \
      -e "s#@LOG_DIR@#$dir/log#g" -e "s#@ADMIN_USER@#$KAFKA_ADMIN_USERNAME#g" \
      -e "s#@ADMIN_PASSWORD@#$KAFKA_ADMIN_PASSWORD#g" "$here/server.properties" >"$dir/server.properties"
  )
}

start_node() {
  spawn "$(node_pid "$1")" "$(node_log "$1")" java -Xms256m -Xmx768m -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$dist/kafka/libs/*" kafka.Kafka "$(node_dir "$1")/server.properties"
}

admin_client_properties() {
  printf '%s\n' security.protocol=SASL_PLAINTEXT "sasl.mechanism=$1" \
    "sasl.jaas.config=org.apache.kafka.common.security.$2 required username=\"$KAFKA_ADMIN_USERNAME\" password=\"$KAFKA_ADMIN_PASSWORD\";"
}

# What was last applied to the cluster, so a restart does not run the tools again for nothing.
kafka_principals_digest() { kafka_principals | sha256sum | cut -d' ' -f1; }
kafka_acls_digest() {
  printf '%s\n' "$KAFKA_SASL_USERNAME" "$KAFKA_DOWNSTREAM_USERNAME" "$KAFKA_DOWNSTREAM_TOPIC_PREFIX" \
    "$KAFKA_DOWNSTREAM_GROUP_PREFIX" | sha256sum | cut -d' ' -f1
}
applied() { [[ -f $kafka_dir/$1.applied && $(cat "$kafka_dir/$1.applied") == "$2" ]]; }

# A cluster formatted before it had SCRAM credentials, or whose passwords changed, gets them here:
# the controller does not serve these requests, so they go to the broker as the PLAIN admin.
ensure_kafka_credentials() {
  local digest name password pids=(); digest=$(kafka_principals_digest)
  applied credentials "$digest" && return 0
  while read -r name password; do
    kafka_java kafka.admin.ConfigCommand --bootstrap-server "$KAFKA_BROKERS" \
      --command-config "$kafka_dir/admin-plain.properties" --alter --entity-type users --entity-name "$name" \
      --add-config "SCRAM-SHA-512=[password=$password]" >>"$logs/kafka.log" 2>&1 &
    pids+=($!)
  done < <(kafka_principals)
  wait_all "set the Kafka users' SCRAM credentials" "${pids[@]}"
  echo "$digest" >"$kafka_dir/credentials.applied"
  say "Kafka SCRAM credentials set for $(kafka_principals | cut -d' ' -f1 | paste -sd' ')"
}

# Adding an ACL that exists changes nothing, so this may run any number of times.
ensure_kafka_acls() {
  local digest; digest=$(kafka_acls_digest)
  applied acls "$digest" && return 0
  local docstream=User:$KAFKA_SASL_USERNAME downstream=User:$KAFKA_DOWNSTREAM_USERNAME pids=()
  # Topics, groups and transactional ids under any prefix: tests give each file its own.
  kafka_acl --allow-principal "$docstream" --operation All --topic '*' --group '*' --transactional-id '*' &
  pids+=($!)
  kafka_acl --allow-principal "$docstream" --cluster \
    --operation Create --operation Describe --operation DescribeConfigs --operation IdempotentWrite &
  pids+=($!)
  kafka_acl --allow-principal "$downstream" --operation Read --operation Describe --resource-pattern-type prefixed \
    --topic "$KAFKA_DOWNSTREAM_TOPIC_PREFIX" --group "$KAFKA_DOWNSTREAM_GROUP_PREFIX" &
  pids+=($!)
  wait_all "add the Kafka ACLs" "${pids[@]}"
  echo "$digest" >"$kafka_dir/acls.applied"
  say "Kafka ACLs: $KAFKA_SASL_USERNAME may use every topic, group and transactional id;" \
    "$KAFKA_DOWNSTREAM_USERNAME may read topics $KAFKA_DOWNSTREAM_TOPIC_PREFIX* with groups $KAFKA_DOWNSTREAM_GROUP_PREFIX*"
}

kafka_acl() {
  kafka_java org.apache.kafka.tools.AclCommand --bootstrap-server "$KAFKA_BROKERS" \
    --command-config "$kafka_dir/admin-scram.properties" --add "$@" >>"$logs/kafka.log" 2>&1
}

# Credentials and ACLs, unless what they would set is already there.
kafka_provision() {
  applied credentials "$(kafka_principals_digest)" && applied acls "$(kafka_acls_digest)" && return 0
  wait_for "Kafka (as $KAFKA_ADMIN_USERNAME)" "$logs/kafka.log" kafka_admin_ready "$STACK_TIMEOUT"
  ensure_kafka_credentials
  ensure_kafka_acls
}

kafka_up() {
  check_kafka_principals
  if ((KAFKA_NODES > 1)); then kafka_cluster_up; return; fi
  if alive "$run/kafka.pid" || kafka_ready || kafka_takes_anyone; then
    if kafka_takes_anyone; then
      die "Kafka at $KAFKA_BROKERS takes clients without credentials: it runs an older configuration;" \
        "restart it with \`npm run stop && npm run stack:up\`"
    fi
    # Ours: finish what an interrupted `up` may have left undone.
    if alive "$run/kafka.pid"; then kafka_provision; fi
    kafka_ready "$STACK_TIMEOUT" || die "Kafka at $KAFKA_BROKERS does not answer to $KAFKA_SASL_USERNAME"
    say "Kafka answers at $KAFKA_BROKERS"; return 0
  fi
  local t=$(date +%s) scram=() name password
  mkdir -p "$kafka_dir"
  render_kafka_config
  render_node_config 1
  if [[ ! -f $kafka_dir/log/meta.properties ]]; then
    while read -r name password; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$password]")
    done < <(kafka_principals)
    kafka_java kafka.tools.StorageTool format --standalone -c "$kafka_dir/server.properties" "${scram[@]}" \
      -t "$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)" >>"$logs/kafka.log" 2>&1 ||
      die "could not format Kafka's storage; see $logs/kafka.log"
    kafka_principals_digest >"$kafka_dir/credentials.applied"
    rm -f "$kafka_dir/acls.applied"
    # The read models hold offsets of the old log: a new cluster starts them afresh.
    admin_psql -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)"
    ensure_database "$pg_db"
    say "new Kafka cluster: database $pg_db emptied for its read models"
  fi
  start_node 1
  kafka_provision
  wait_for Kafka "$logs/kafka.log" kafka_ready "$STACK_TIMEOUT"
  say "Kafka started at $KAFKA_BROKERS in $(since "$t")"
}

# Starts the nodes that do not run (all of them, or one that was killed), formatting new ones.
kafka_cluster_up() {
  if alive "$run/kafka.pid"; then
    die "a one-broker Kafka runs from $data: stop it (npm run stack:down), or give the cluster its own" \
      "DOCSTREAM_DATA_DIR, KAFKA_BROKERS port and DATABASE_URL"
  fi
  local t=$(date +%s) i fresh=1 started=() pids=() scram=() name password
  mkdir -p "$kafka_dir"
  render_kafka_config
  for ((i = 1; i <= KAFKA_NODES; i++)); do [[ ! -f $(node_dir "$i")/log/meta.properties ]] || fresh=0; done
  [[ -s $kafka_dir/cluster.id ]] ||
    kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$kafka_dir/cluster.id"
  while read -r name password; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$password]")
  done < <(kafka_principals)
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    alive "$(node_pid "$i")" && continue
    started+=("$i")
    render_node_config "$i"
    [[ -f $(node_dir "$i")/log/meta.properties ]] && continue
    kafka_java kafka.tools.StorageTool format -c "$(node_dir "$i")/server.properties" "${scram[@]}" \
      -t "$(cat "$kafka_dir/cluster.id")" >>"$logs/kafka.log" 2>&1 &
    pids+=($!)
  done
  ((${#pids[@]} == 0)) || wait_all "format the Kafka nodes' storage" "${pids[@]}"
  if ((fresh)); then
    kafka_principals_digest >"$kafka_dir/credentials.applied"
    rm -f "$kafka_dir/acls.applied"
    admin_psql -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)"
    ensure_database "$pg_db"
    say "new Kafka cluster of $KAFKA_NODES nodes: database $pg_db emptied for its read models"
  fi
  for i in "${started[@]}"; do start_node "$i"; done
  kafka_provision
  wait_for Kafka "$(node_log 1)" kafka_ready "$STACK_TIMEOUT"
  if ((${#started[@]} == 0)); then say "Kafka answers at $KAFKA_BROKERS ($KAFKA_NODES nodes)"
  else say "Kafka nodes ${started[*]} of $KAFKA_NODES started at $KAFKA_BROKERS in $(since "$t")"; fi
}

kafka_down() {
  local i pids=()
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    stop_pid "Kafka node $i" "$(node_pid "$i")" &
    pids+=($!)
  done
  wait "${pids[@]}"
}

# ---------- Apicurio Registry ----------
registry_ready() {
  curl -sf "http://$registry_host:$registry_mgmt_port/health/ready" >/dev/null &&
    curl -sf "$SCHEMA_REGISTRY_URL/apis/ccompat/v7/subjects" >/dev/null
}

# With Keycloak in the stack, the registry takes writes only from a client of realm docstream
# with the role sr-developer (docstream-registry), which sends its client id and secret as HTTP
# basic auth for the registry to exchange at Keycloak; reads need no credential, so consumers fetch
# schemas by id. Without Keycloak (STACK_KEYCLOAK=0) it takes anyone, as it has nothing to ask.
registry_auth() {
  ((STACK_KEYCLOAK)) || return 0
  printf '%s\n' QUARKUS_OIDC_TENANT_ENABLED=true "QUARKUS_OIDC_AUTH_SERVER_URL=$keycloak_issuer" \
    APICURIO_AUTHN_BASIC_CLIENT_CREDENTIALS_ENABLED=true APICURIO_AUTH_ROLE_BASED_AUTHORIZATION=true \
    APICURIO_AUTH_ANONYMOUS_READ_ACCESS_ENABLED=true
}

registry_up() {
  if ! alive "$run/registry.pid" && curl -sf "$SCHEMA_REGISTRY_URL/apis/ccompat/v7/subjects" >/dev/null; then
    say "schema registry answers at $SCHEMA_REGISTRY_URL"; return 0
  fi
  local auth settings; auth=$(registry_auth)
  # Ours, started with other auth settings, or against a realm since imported afresh (new signing
  # keys, while it holds the old ones and tokens signed with them): start it again.
  settings=${auth:-none}; [[ -z $auth ]] || settings+=$'\n'"realm $(keycloak_realm_sum)"
  if alive "$run/registry.pid" && [[ $(cat "$run/registry.auth" 2>/dev/null) != "$settings" ]]; then
    say "schema registry runs with other auth settings: restarting it"
    stop_pid "schema registry" "$run/registry.pid"
  fi
  if ! alive "$run/registry.pid"; then
    local java auth_env=(); java=$(stack_java "Apicurio Registry")
    [[ -z $auth ]] || mapfile -t auth_env <<<"$auth"
    echo "$settings" >"$run/registry.auth"
    APICURIO_STORAGE_KIND=sql \
    APICURIO_STORAGE_SQL_KIND=postgresql \
    APICURIO_DATASOURCE_URL="jdbc:postgresql://$pg_host:$pg_port/$REGISTRY_DATABASE" \
    APICURIO_DATASOURCE_USERNAME="$pg_user" \
    APICURIO_DATASOURCE_PASSWORD="${PGPASSWORD:-unused}" \
    APICURIO_DATASOURCE_JDBC_INITIAL_SIZE=2 APICURIO_DATASOURCE_JDBC_MIN_SIZE=2 APICURIO_DATASOURCE_JDBC_MAX_SIZE=20 \
    QUARKUS_HTTP_HOST="$registry_host" QUARKUS_HTTP_PORT="$registry_port" \
    QUARKUS_MANAGEMENT_HOST="$registry_host" QUARKUS_MANAGEMENT_PORT="$registry_mgmt_port" \
    QUARKUS_HTTP_ACCESS_LOG_ENABLED=false QUARKUS_LOG_CATEGORY__IO_APICURIO_REGISTRY_LOGGING_AUDIT__LEVEL=WARN \
      spawn "$run/registry.pid" "$logs/registry.log" env "${auth_env[@]}" \
        "$java" -Xms128m -Xmx512m -jar "$dist/apicurio/app/quarkus-run.jar"
  fi
  local t=$(date +%s)
  wait_for "schema registry" "$logs/registry.log" registry_ready
  say "schema registry answers at $SCHEMA_REGISTRY_URL ($(since "$t"))"
}

# ---------- Keycloak ----------
keycloak_home=$dist/keycloak/app
keycloak_realm_file=$here/keycloak/docstream-realm.json
keycloak_issuer=$KEYCLOAK_URL/realms/docstream
# Fixed when the distribution is built (`kc.sh build`), so that every start is --optimized.
keycloak_build_options=(--db=postgres --health-enabled=true)

# Java 25 caches the classes a run loaded and linked (JEP 483, 514): Keycloak's first start records
# such an AOT cache, written as it stops, and later starts on that JDK take a quarter less time on
# an idle machine, half on a busy one. KEYCLOAK_AOT=0 (e.g. a one-off CI run) does without.
keycloak_aot() {
  local java=$1 cache
  keycloak_aot_option=""
  rm -f "$run/keycloak.aot-recording"
  ((KEYCLOAK_AOT)) || return 0
  (($(java_property "$java" java.specification.version | cut -d. -f1) >= 25)) || return 0
  cache=$keycloak_home/startup-$(java_property "$java" java.runtime.version).aot
  if [[ -f $cache ]]; then
    keycloak_aot_option=-XX:AOTCache=$cache
  else
    keycloak_aot_option=-XX:AOTCacheOutput=$cache
    echo "$cache" >"$run/keycloak.aot-recording"
  fi
}

# Stopping a Keycloak that records its AOT cache waits for the cache; one cut short is dropped.
keycloak_stop() {
  local cache log_size; cache=$(cat "$run/keycloak.aot-recording" 2>/dev/null || true)
  if [[ -n $cache ]] && alive "$run/keycloak.pid"; then
    say "Keycloak writes its startup cache as it stops (once per JDK; a minute or two)"
    log_size=$(stat -c %s "$logs/keycloak.log")
    stop_pid Keycloak "$run/keycloak.pid" 300
    tail -c "+$((log_size + 1))" "$logs/keycloak.log" | grep -qF "AOTCache creation is complete: $cache" ||
      rm -f "$cache"
  else
    stop_pid Keycloak "$run/keycloak.pid"
  fi
  rm -f "$run/keycloak.aot-recording"
}

keycloak_ready() {
  curl -sf "http://$keycloak_host:$keycloak_mgmt_port/health/ready" >/dev/null &&
    curl -sf "$keycloak_issuer/.well-known/openid-configuration" >/dev/null
}

keycloak_build() {
  local stamp=$keycloak_home/.built
  [[ -f $stamp && $(cat "$stamp") == "${keycloak_build_options[*]}" ]] && return 0
  local t=$(date +%s)
  JAVA=$1 "$keycloak_home/bin/kc.sh" build "${keycloak_build_options[@]}" >>"$logs/keycloak.log" 2>&1 ||
    { tail -n 30 "$logs/keycloak.log" >&2; die "Keycloak could not be built"; }
  echo "${keycloak_build_options[*]}" >"$stamp"
  say "Keycloak built (${keycloak_build_options[*]}) in $(since "$t")"
}

# The realm file is the source of truth: when it changes, Keycloak's database starts afresh, and
# whenever the realm is missing from it, the start imports the file (keycloak_import).
keycloak_realm_stamp=$data/keycloak/realm.sha256
keycloak_realm_sum() { sha256sum "$keycloak_realm_file" | cut -d' ' -f1; }
keycloak_realm_current() { [[ $(cat "$keycloak_realm_stamp" 2>/dev/null) == "$(keycloak_realm_sum)" ]]; }

keycloak_realm() {
  local stamp=$keycloak_realm_stamp sum; sum=$(keycloak_realm_sum)
  mkdir -p "$data/keycloak"
  if [[ $(cat "$stamp" 2>/dev/null) != "$sum" ]]; then
    PGOPTIONS="-c client_min_messages=warning" admin_psql -c "DROP DATABASE IF EXISTS \"$KEYCLOAK_DATABASE\" WITH (FORCE)"
    if [[ -f $stamp ]]; then say "realm file changed: database $KEYCLOAK_DATABASE emptied"; fi
    echo "$sum" >"$stamp"
  fi
  ensure_database "$KEYCLOAK_DATABASE"
  keycloak_import=()
  if [[ $(psql -qtA -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$KEYCLOAK_DATABASE" \
    -c "SELECT 1 FROM realm WHERE name = 'docstream'" 2>/dev/null) != 1 ]]; then
    rm -rf "$keycloak_home/data/import"; mkdir -p "$keycloak_home/data/import"
    cp "$keycloak_realm_file" "$keycloak_home/data/import/"
    keycloak_import=(--import-realm)
    say "Keycloak imports realm docstream from ${keycloak_realm_file#"$repo"/}"
  fi
}

# Starts Keycloak without waiting for it: it needs only PostgreSQL, so it boots alongside the rest.
keycloak_start() {
  keycloak_elsewhere=0
  if ! alive "$run/keycloak.pid" && curl -sf "$keycloak_issuer/.well-known/openid-configuration" >/dev/null; then
    keycloak_elsewhere=1; return 0
  fi
  # Ours, started before the realm file changed: a new start imports it afresh.
  if alive "$run/keycloak.pid" && ! keycloak_realm_current; then
    say "realm file changed since Keycloak started: restarting it"
    keycloak_stop
  fi
  alive "$run/keycloak.pid" && return 0
  local java; java=$(stack_java Keycloak)
  keycloak_build "$java"
  keycloak_realm
  keycloak_aot "$java"
  KC_BOOTSTRAP_ADMIN_USERNAME="$KEYCLOAK_ADMIN" KC_BOOTSTRAP_ADMIN_PASSWORD="$KEYCLOAK_ADMIN_PASSWORD" \
  JAVA="$java" JAVA_OPTS_KC_HEAP="-Xms256m -Xmx768m" JAVA_OPTS_APPEND="$keycloak_aot_option" \
    spawn "$run/keycloak.pid" "$logs/keycloak.log" "$keycloak_home/bin/kc.sh" start --optimized "${keycloak_import[@]}" \
      --http-enabled=true --http-host="$keycloak_host" --http-port="$keycloak_port" \
      --http-management-port="$keycloak_mgmt_port" --hostname="$KEYCLOAK_URL" \
      --db-url="jdbc:postgresql://$pg_host:$pg_port/$KEYCLOAK_DATABASE" --db-username="$pg_user" \
      --db-password="${PGPASSWORD:-unused}" --db-pool-initial-size=2 --db-pool-min-size=2 \
      --cache=local --log-level=info,io.smallrye.health:warn
}

keycloak_wait() {
  if ((keycloak_elsewhere)); then say "Keycloak answers at $KEYCLOAK_URL"; return 0; fi
  local t=$(date +%s)
  wait_for Keycloak "$logs/keycloak.log" keycloak_ready
  say "Keycloak answers at $KEYCLOAK_URL, realm docstream ($(since "$t") more)"
}

# The key-encryption key docstream seals its data keys with (infra/config.ts), made once for this
# machine: 32 random bytes, base64, readable by this user alone. Losing it loses every sealed byte.
local_kek() {
  [[ -n ${KEY_ENCRYPTION_KEY:-} ]] && return
  local file=${KEY_ENCRYPTION_KEY_FILE:-$data/secrets/key-encryption-key}
  [[ -s $file ]] && return
  (
    umask 077
    mkdir -p "$(dirname "$file")"
    node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64"))' >"$file.tmp"
    mv "$file.tmp" "$file"
  )
  say "made a local key-encryption key in $file (keep it: without it nothing sealed can be read)"
}

# ---------- commands ----------
up() {
  local t=$(date +%s)
  mkdir -p "$logs" "$run"
  local_kek
  install_dist
  postgres_up
  if ((STACK_KEYCLOAK)); then keycloak_start; fi
  kafka_up
  registry_up
  if ((STACK_KEYCLOAK)); then keycloak_wait; fi
  say "stack ready in $(since "$t")"
}

down() {
  local t=$(date +%s)
  stop_pid docstream "$data/docstream.pid"
  keycloak_stop
  stop_pid "schema registry" "$run/registry.pid"
  if ((KAFKA_NODES == 1)); then stop_pid Kafka "$run/kafka.pid"; else kafka_down; fi
  postgres_down
  say "stack down in $(since "$t")"
}

status() {
  local ok=0 i
  if pg_ready; then say "PostgreSQL: up ($pg_host:$pg_port)"; else say "PostgreSQL: down"; ok=1; fi
  if kafka_ready; then say "Kafka: up ($KAFKA_BROKERS)"; else say "Kafka: down"; ok=1; fi
  if ((KAFKA_NODES > 1)); then
    for ((i = 1; i <= KAFKA_NODES; i++)); do
      if alive "$(node_pid "$i")"; then say "  node $i: up ($kafka_host:$(node_port "$i"))"; else say "  node $i: down"; ok=1; fi
    done
  fi
  if registry_ready; then say "schema registry: up ($SCHEMA_REGISTRY_URL)"; else say "schema registry: down"; ok=1; fi
  if ! ((STACK_KEYCLOAK)); then say "Keycloak: left out (STACK_KEYCLOAK=0)"
  elif keycloak_ready; then say "Keycloak: up ($keycloak_issuer)"
  else say "Keycloak: down"; ok=1; fi
  if alive "$data/docstream.pid"; then say "docstream: up (pid $(cat "$data/docstream.pid"))"; else say "docstream: not running"; fi
  return $ok
}

case "$command" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status [--brokers N]" >&2; exit 2 ;;
esac
