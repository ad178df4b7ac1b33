#!/usr/bin/env bash
# A Flink session cluster of separate JVMs on this machine, without Docker and without a Flink
# distribution: a JobManager (StandaloneSessionClusterEntrypoint) and TaskManagers
# (TaskManagerRunner) started from the Flink jars Maven resolved for the project, with TF Java
# (app/target/flink-lib) on their classpath as docker-compose.yml mounts it into lib/. The job jar
# (app/target/tinstream-job.jar) is submitted over the REST API, as `flink run` would.
#
#   mvn -B -q package -DskipTests -Pjob-jar        # the job jar, flink-lib/, runtime-classpath.txt
#   scripts/local-cluster.sh start                 # JobManager + 2 TaskManagers, web UI on :8081
#   scripts/local-cluster.sh submit -D tinstream.kafka.bootstrap-servers=HOST:PORT ...
#   scripts/local-cluster.sh status                # the cluster's TaskManagers and jobs
#   scripts/local-cluster.sh kill-taskmanager 1    # kill -9 one TaskManager (a crash)
#   scripts/local-cluster.sh start-taskmanager 3   # one more (or a replacement)
#   scripts/local-cluster.sh stop
#   scripts/local-cluster.sh broker [users] [events/s] [request share]   # to try it: an in-process
#       Kafka with the job's topics, fed with the synthetic feed and ad requests (DemoBroker.java)
#
# Settings (environment): TINSTREAM_CLUSTER_DIR (config, logs, pids, checkpoints; default
# /tmp/tinstream-cluster), FLINK_REST_PORT (8081), TASKMANAGERS (2), SLOTS (slots per
# TaskManager, 2), TM_MEMORY (taskmanager.memory.process.size, 1536m), JM_MEMORY (1g).
# `submit` passes its arguments to the `job` command; the checkpoint directory defaults to the
# cluster's own (-D tinstream.checkpoint-dir=...), every other setting to TinstreamOptions'.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${TINSTREAM_CLUSTER_DIR:-/tmp/tinstream-cluster}"
rest_port="${FLINK_REST_PORT:-8081}"
taskmanagers="${TASKMANAGERS:-2}"
slots="${SLOTS:-2}"
tm_memory="${TM_MEMORY:-1536m}"
jm_memory="${JM_MEMORY:-1g}"
rest="http://127.0.0.1:$rest_port"

job_jar="$here/app/target/tinstream-job.jar"
flink_lib="$here/app/target/flink-lib"
classpath_file="$here/app/target/runtime-classpath.txt"

die() {
  echo "local-cluster: $*" >&2
  exit 1
}

need_build() {
  for f in "$job_jar" "$flink_lib" "$classpath_file"; do
    [ -e "$f" ] || die "$f is missing; build it with: mvn -B -q package -DskipTests -Pjob-jar"
  done
}

# The cluster's classpath: Flink and what it needs, from the project's Maven runtime classpath,
# plus TF Java from flink-lib/. Left out: the project's own modules and the job's own libraries
# (the Kafka connector, Kafka clients, Avro, picocli), which the job jar carries; a second copy
# on the cluster's classpath would meet the job jar's in one job (Flink loads org.apache.flink.*
# parent-first) and clash. Also left out: the embedded broker's jars, which only the demo uses.
cluster_classpath() {
  local cp=""
  local entry
  while IFS= read -r entry; do
    case "$entry" in
      */tinstream-*.jar | */target/classes) continue ;;
      */org/apache/kafka/* | */org/apache/avro/* | */info/picocli/* | */org/scala-lang/*) continue ;;
      */org/apache/flink/flink-connector-kafka/* | */org/apache/flink/flink-connector-base/*) continue ;;
      */org/apache/flink/flink-avro/*) continue ;;
      */org/tensorflow/* | */org/bytedeco/* | */com/google/protobuf/*) continue ;;
    esac
    cp="$cp:$entry"
  done < <(tr ':' '\n' <"$classpath_file")
  for jar in "$flink_lib"/*.jar; do
    cp="$cp:$jar"
  done
  echo "${cp#:}"
}

jvm_opens=(
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.math=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
)

write_config() {
  mkdir -p "$dir/conf" "$dir/log" "$dir/pids" "$dir/checkpoints" "$dir/tmp"
  # Flink 2.x reads conf/config.yaml (standard YAML); the same settings as docker-compose.yml.
  cat >"$dir/conf/config.yaml" <<EOF
jobmanager.rpc.address: 127.0.0.1
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: $jm_memory
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.memory.process.size: $tm_memory
taskmanager.memory.managed.fraction: 0.2
taskmanager.numberOfTaskSlots: $slots
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest_port
state.backend.type: rocksdb
execution.checkpointing.dir: file://$dir/checkpoints
io.tmp.dirs: $dir/tmp
web.tmpdir: $dir/tmp
# TF Java's native library loads in one class loader per JVM: TF comes from the cluster's
# classpath (flink-lib/), never from a job's class loader.
classloader.parent-first-patterns.additional: [org.tensorflow, org.bytedeco]
# A TaskManager that dies is noticed within seconds (heartbeats refused twice in a row), not
# after the 50 s default; the timeouts stay long, as a busy machine can stall a live JVM for
# seconds (a 10 s actor-system start-up timeout is not enough on a loaded 2-core machine).
heartbeat.interval: 2000
heartbeat.timeout: 20000
pekko.startup-timeout: 60 s
pekko.ask.timeout: 60 s
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: 9249-9260
EOF
  cat >"$dir/conf/log4j.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
EOF
}

# Flink's own sizing of a process from config.yaml, as its start scripts do: the JVM's heap,
# direct and metaspace limits, and the memory and CPU settings the process is started with
# (a TaskManager refuses to start without them). $1 = GET_TM_RESOURCE_PARAMS or
# GET_JM_RESOURCE_PARAMS; prints two lines, the JVM flags then the -D settings.
resource_params() {
  java -cp "$(cluster_classpath)" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
    --configDir "$dir/conf" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' |
    sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

# Starts one cluster JVM in the background: name (pid and log files), main class, the
# BashJavaUtils command that sizes it, extra -D settings.
launch() {
  local name="$1" main="$2" sizing="$3"
  shift 3
  local pid_file="$dir/pids/$name.pid"
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    die "$name is already running (pid $(cat "$pid_file"))"
  fi
  local params jvm dynamic
  params="$(resource_params "$sizing")"
  jvm="$(echo "$params" | sed -n 1p)"
  dynamic="$(echo "$params" | sed -n 2p)"
  [ -n "$jvm" ] || die "Flink could not size $name from $dir/conf/config.yaml"
  # shellcheck disable=SC2086 # the flags and settings are words
  nohup java $jvm "${jvm_opens[@]}" \
    -Dlog.file="$dir/log/$name.log" \
    -Dlog4j.configurationFile="file:$dir/conf/log4j.properties" \
    -cp "$(cluster_classpath)" "$main" --configDir "$dir/conf" $dynamic "$@" \
    >"$dir/log/$name.out" 2>&1 </dev/null &
  echo $! >"$pid_file"
  echo "started $name (pid $!, log $dir/log/$name.log)"
}

start_taskmanager() {
  local n="$1"
  # The resource id names the TaskManager in the web UI and the REST API.
  launch "taskmanager-$n" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    GET_TM_RESOURCE_PARAMS -D "taskmanager.resource-id=taskmanager-$n"
}

rest_get() {
  curl -sf "$rest$1"
}

registered_taskmanagers() {
  local body
  body="$(rest_get /taskmanagers)" || return 1
  echo "$body" | grep -o '"id":"[^"]*"' | wc -l
}

await_taskmanagers() {
  local want="$1"
  for _ in $(seq 1 120); do
    local registered
    registered="$(registered_taskmanagers 2>/dev/null)" || registered=0
    if [ "$registered" -ge "$want" ]; then
      echo "cluster up: $want TaskManager(s) registered, web UI and REST on $rest"
      return 0
    fi
    sleep 1
  done
  die "fewer than $want TaskManagers registered within 120 s; see $dir/log/"
}

start() {
  need_build
  write_config
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    GET_JM_RESOURCE_PARAMS
  for n in $(seq 1 "$taskmanagers"); do
    start_taskmanager "$n"
  done
  await_taskmanagers "$taskmanagers"
}

json_string() {
  local s="${1//\\/\\\\}"
  printf '"%s"' "${s//\"/\\\"}"
}

submit() {
  need_build
  local args=(job -D "tinstream.checkpoint-dir=file://$dir/checkpoints" "$@")
  local list="" a
  for a in "${args[@]}"; do
    list="$list,$(json_string "$a")"
  done
  echo "uploading $job_jar"
  local upload
  upload="$(curl -sf -X POST -F "jarfile=@$job_jar" "$rest/jars/upload")" ||
    die "upload failed; is the cluster up (scripts/local-cluster.sh start)?"
  local jar_id
  jar_id="$(echo "$upload" | grep -o '"filename":"[^"]*"' | sed 's#.*/##; s#"$##')"
  echo "uploaded as $jar_id; running: ${args[*]}"
  local run
  run="$(curl -s -X POST -H 'Content-Type: application/json' \
    -d "{\"entryClass\":\"io.tinstream.app.cli.TinstreamCli\",\"programArgsList\":[${list#,}]}" \
    "$rest/jars/$jar_id/run")"
  local job_id
  job_id="$(echo "$run" | grep -o '"jobid":"[^"]*"' | cut -d'"' -f4)" || true
  [ -n "$job_id" ] || die "the cluster refused the job: $run"
  echo "job $job_id submitted"
  for _ in $(seq 1 120); do
    local state
    state="$(rest_get "/jobs/$job_id" | grep -o '"state":"[^"]*"' | head -1 | cut -d'"' -f4)"
    if [ "$state" = RUNNING ] && ! rest_get "/jobs/$job_id" | grep -q '"status":"\(CREATED\|SCHEDULED\|DEPLOYING\|INITIALIZING\)"'; then
      echo "job $job_id RUNNING (every task); web UI: $rest/#/job/running/$job_id/overview"
      return 0
    fi
    case "$state" in FAILED | CANCELED | FINISHED) die "job $job_id is $state; see $rest/jobs/$job_id/exceptions" ;; esac
    sleep 1
  done
  die "job $job_id not RUNNING within 120 s"
}

status() {
  echo "TaskManagers:"
  rest_get /taskmanagers | grep -o '"id":"[^"]*"\|"slotsNumber":[0-9]*\|"freeSlots":[0-9]*' |
    paste - - - | sed 's/^/  /'
  echo "jobs:"
  rest_get /jobs/overview | grep -o '"jid":"[^"]*","name":"[^"]*"\|"state":"[^"]*"' |
    paste - - | sed 's/^/  /'
}

kill_taskmanager() {
  local pid_file="$dir/pids/taskmanager-$1.pid"
  [ -f "$pid_file" ] || die "no taskmanager-$1 was started here"
  kill -9 "$(cat "$pid_file")" && echo "killed taskmanager-$1 (kill -9 $(cat "$pid_file"))"
  rm -f "$pid_file"
}

stop() {
  local f
  for f in "$dir"/pids/*.pid; do
    [ -e "$f" ] || continue
    local pid
    pid="$(cat "$f")"
    if kill "$pid" 2>/dev/null; then
      echo "stopped $(basename "$f" .pid) (pid $pid)"
    fi
    rm -f "$f"
  done
}

# The demo's stand-in for Kafka and an ad server (scripts/DemoBroker.java), in the foreground.
broker() {
  [ -f "$classpath_file" ] || die "$classpath_file is missing; build with: mvn -B -q package -DskipTests -Pjob-jar"
  exec java -Xmx1g "${jvm_opens[@]}" -Dbroker.dir="$dir/broker" \
    -Dlog4j.configurationFile="file:$here/app/target/classes/log4j2.properties" \
    -cp "$here/app/target/classes:$(cat "$classpath_file")" "$here/scripts/DemoBroker.java" "$@"
}

command="${1:-}"
shift || true
case "$command" in
  start) start ;;
  submit) submit "$@" ;;
  status) status ;;
  start-taskmanager) start_taskmanager "${1:?which number}" ;;
  kill-taskmanager) kill_taskmanager "${1:?which number}" ;;
  stop) stop ;;
  broker) broker "$@" ;;
  *)
    echo "usage: $0 start|submit [-D key=value ...]|status|start-taskmanager N|kill-taskmanager N|stop|broker [users] [events/s] [share]" >&2
    exit 2
    ;;
esac
