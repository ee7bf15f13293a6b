#!/usr/bin/env bash
# bindings/java/ci.sh — CI for the Java binding, run from the repository root after the
# Rust build produced target/release/libheliosdb.{so,a}: installs a JDK/Maven/gcc if
# missing, runs the JUnit tests (printing the Surefire summary), installs the jar into
# the local Maven repository, runs the S6 example and diffs it against its .expected.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

need=()
command -v javac >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v gcc >/dev/null || need+=(gcc)
if [ ${#need[@]} -gt 0 ]; then
    echo "ci.sh: installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
if [ ! -f target/release/libheliosdb.a ]; then
    echo "ci.sh: building libheliosdb"
    cargo build --release -p heliosdb-capi
fi

summary() {
    local reports=bindings/java/target/surefire-reports
    [ -d "$reports" ] || { echo "no Surefire reports"; return; }
    grep -h "Tests run:" "$reports"/*.txt || true
    awk -F'[:,]' '/Tests run:/ { t += $2; f += $4; e += $6; s += $8 }
        END { printf "Java binding — Tests run: %d, Failures: %d, Errors: %d, Skipped: %d\n", t, f, e, s }' "$reports"/*.txt
}

# Maven 3.8 prints stray colour resets even in batch mode; strip them (pipefail keeps its status).
mvn_quiet() { nice mvn -q -B -ntp "$@" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g'; }

cd bindings/java
status=0
mvn_quiet test || status=$?
cd "$root"
summary
[ $status -eq 0 ] || { echo "ci.sh: Java tests failed" >&2; exit $status; }

# The jar (with the native library inside) for the example and for users of `mvn install`.
(cd bindings/java && mvn_quiet -DskipTests install)
jar=bindings/java/target/heliosdb-java-0.1.0.jar

out=$(mktemp)
trap 'rm -f "$out"' EXIT
java -cp "$jar" examples/java/FinancialAudit.java > "$out"
diff -u examples/java/FinancialAudit.expected "$out"
echo "ci.sh: Java example FinancialAudit (S6) output matches"
