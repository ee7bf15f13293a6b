#!/usr/bin/env bash
# A private single-node Apache Kafka broker (KRaft, combined broker+controller) for tests.
#
#   scripts/kafka.sh start DIR PORT    format DIR/data on first use, then start the broker with its
#                                      PLAINTEXT listener on 127.0.0.1:PORT (controller on PORT+1)
#                                      and wait until it is started and accepts connections
#   scripts/kafka.sh stop DIR [PORT]   stop it (SIGTERM, SIGKILL after 60 s); PORT is ignored
#   scripts/kafka.sh status DIR [PORT] exit 0 when running; PORT is ignored
#
# Connect with bootstrap.servers=127.0.0.1:PORT. Replication factor 1 everywhere, so
# transactions (transactional.id) and consumer groups work on this single node.
# Jars: Kafka's own, from Maven Central, resolved once by scripts/kafka/pom.xml into
# KAFKA_LIB (default scripts/kafka/target/lib) and reused; only that first run needs `mvn`
# and the network. Needs Java 17+. Files in DIR: server.properties, log4j2.properties,
# data/ (logs and metadata), kafka.log (broker output), kafka.pid.
# Overrides: KAFKA_HEAP_OPTS (default -Xms64m -Xmx512m), KAFKA_JVM_OPTS, KAFKA_START_TIMEOUT (60).
# Runs as whoever calls it (root included: Kafka does not mind).
set -euo pipefail

die() { echo "kafka.sh: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=${KAFKA_LIB:-$here/kafka/target/lib}

# Copy the jars into $lib unless already there (into a temporary directory first, so an
# interrupted or concurrent run never leaves a half-filled cache behind).
resolve_jars() {
    compgen -G "$lib/kafka_2.13-*.jar" >/dev/null && return 0
    command -v mvn >/dev/null 2>&1 || die "no jars in $lib and no mvn to fetch them (apt-get install maven)"
    local tmp="$lib.tmp.$$"
    mkdir -p "$(dirname "$lib")"
    local out
    out=$(mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$tmp" 2>&1) ||
        { echo "$out" >&2; rm -rf "$tmp"; die "mvn could not resolve the Kafka jars"; }
    mv -T "$tmp" "$lib" 2>/dev/null || rm -rf "$tmp"  # lost a race: the other copy is as good
}

# The broker's pid, when DIR's broker is running (a recycled pid does not count).
running_pid() {
    local dir=$1 pid
    pid=$(cat "$dir/kafka.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $dir/server.properties" || return 1
    echo "$pid"
}

start() {
    local dir=$1 port=$2 jvm=()
    [[ $port =~ ^[0-9]+$ ]] && [ "$port" -lt 65535 ] || die "PORT must be a number below 65535, not '$port'"
    command -v java >/dev/null 2>&1 || die "no java on PATH (Kafka 4 needs Java 17+)"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    ! running_pid "$dir" >/dev/null || die "a broker is already running in $dir"
    local p
    for p in "$port" $((port + 1)); do
        ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || die "port $p is already in use"
    done
    resolve_jars

    # Rewritten each start, so a restart may change PORT (the quorum is static: nothing stored).
    cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((port + 1))
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
# One replica, and one partition for the internal topics (default 50 each: slow to create).
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Small footprint: fewer threads, and a 8 MB compaction buffer instead of 128 MB of heap.
num.network.threads=2
num.io.threads=2
log.cleaner.dedupe.buffer.size=8388608
EOF
    cat >"$dir/log4j2.properties" <<'EOF'
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
logger.request.name=kafka.request.logger
logger.request.level=WARN
EOF
    # Small heap, serial GC and C1 only: the broker idles in tests, and the box has 2 cores.
    read -ra jvm <<<"${KAFKA_HEAP_OPTS:--Xms64m -Xmx512m} ${KAFKA_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData}"
    jvm+=(-Djava.awt.headless=true "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$lib/*")

    if [ ! -f "$dir/data/meta.properties" ]; then
        # Cluster id: 16 random bytes, base64url without padding, not starting with "-"
        # (an option, to the tool), as `StorageTool random-uuid` makes them.
        local id=-
        while [[ $id == -* ]]; do id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); done
        java "${jvm[@]}" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" \
            >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "formatting $dir/data failed"; }
    fi

    # setsid: the broker outlives this script and the caller's Ctrl-C.
    setsid java "${jvm[@]}" kafka.Kafka "$dir/server.properties" \
        </dev/null >"$dir/kafka.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$dir/kafka.pid"

    # Ready = the broker says it started (it is then unfenced, with its listeners open)
    # and the port answers.
    local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-60}))
    until grep -qs 'Kafka Server started' "$dir/kafka.log" && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$dir/kafka.log" >&2 || true
            rm -f "$dir/kafka.pid"
            die "broker exited during startup (log: $dir/kafka.log)"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 20 "$dir/kafka.log" >&2 || true
            stop "$dir"
            die "broker not ready after ${KAFKA_START_TIMEOUT:-60} s (log: $dir/kafka.log)"
        fi
        sleep 0.2
    done
}

stop() {
    local dir pid i
    dir=$(cd "$1" 2>/dev/null && pwd) || return 0
    pid=$(running_pid "$dir") || { rm -f "$dir/kafka.pid"; return 0; }
    kill -TERM "$pid"
    for ((i = 0; i < 600; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$dir/kafka.pid"; return 0; }
        sleep 0.1
    done
    echo "kafka.sh: broker $pid still up after 60 s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/kafka.pid"
}

cmd=${1:-}
case "$cmd" in
    start)  [ $# -eq 3 ] || die "usage: kafka.sh start DIR PORT"; start "$2" "$3" ;;
    stop)   [ $# -ge 2 ] && [ $# -le 3 ] || die "usage: kafka.sh stop DIR [PORT]"; stop "$2" ;;
    status) [ $# -ge 2 ] && [ $# -le 3 ] || die "usage: kafka.sh status DIR [PORT]"; running_pid "$(cd "$2" 2>/dev/null && pwd)" >/dev/null ;;
    *)      die "usage: kafka.sh start DIR PORT | stop DIR [PORT] | status DIR [PORT]" ;;
esac
