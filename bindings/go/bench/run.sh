#!/usr/bin/env bash
# run.sh — runs the Go driver benchmark against mattn/go-sqlite3 in one
# binary, side by side, and prints the median of COUNT runs per benchmark with
# the HeliosDB/SQLite ratio (wall time and process CPU time), then each
# engine's peak RSS over the whole suite (separate processes).
# Usage: bindings/go/bench/run.sh [COUNT] [BENCHTIME]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export PATH="/usr/local/go/bin:$PATH"
count="${1:-5}"
benchtime="${2:-1s}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bin="$tmp/bench.test"
nice go test -c -o "$bin" .
echo "# go test -bench . -benchtime $benchtime -count $count -benchmem ($(go version | cut -d' ' -f3), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
nice "$bin" -test.bench . -test.benchtime "$benchtime" -test.count "$count" -test.benchmem | tee "$tmp/out" | grep '^Benchmark' || true
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"

summary() { # $1: the unit to compare (ns/op or cpu-ns/op)
	awk -v unit="$1" '/^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name)
		for (i = 3; i < NF; i++) if ($(i + 1) == unit) v = $i
		n[name]++; val[name, n[name]] = v + 0
	}
	function median(name,   k, j, t, a, c) {
		c = n[name]
		for (k = 1; k <= c; k++) a[k] = val[name, k]
		for (k = 2; k <= c; k++) for (j = k; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	}
	END {
		split("InsertTx PointLookup PointLookupUnprepared GroupBy", order, " ")
		printf "%-24s %14s %14s %8s   (median of runs, %s)\n", "benchmark", "heliosdb", "sqlite", "ratio", unit
		for (i = 1; i <= 4; i++) {
			h = median("Benchmark" order[i] "/heliosdb"); s = median("Benchmark" order[i] "/sqlite")
			printf "%-24s %14.0f %14.0f %7.2fx\n", order[i], h, s, h / s
		}
		printf "%-24s %14.0f  (the same lookups over the C ABI alone, no Go)\n", "PointLookupC", median("BenchmarkPointLookupC")
	}' "$tmp/out"
}
echo
summary ns/op
echo
summary cpu-ns/op
echo
for e in heliosdb sqlite; do
	rss=$( { /usr/bin/time -f '%M' nice "$bin" -test.run '^$' -test.bench "/$e\$" -test.benchtime 1000x >/dev/null; } 2>&1 | tail -1)
	echo "peak RSS, whole suite with 1000 ops per benchmark, $e only: $((rss / 1024)) MB"
done
