#!/usr/bin/env bash
# Shell against shell (BENCHMARKS.md, "Page directories read without a Result
# per row"): the executor and storage issues' dashboard queries on the 1M-row
# `orders` table of scripts/bench_memory.sh, each run as its own process
# (open, query, exit) by `heliosdb` and by `sqlite3`, alternating, N times.
# Prints the median wall time of each and the ratio; output checksums must
# agree. Usage: scripts/bench_shell.sh [N]   (default 11; HELIOSDB=path to
# pick a build, BM_DB=dir for its database; run scripts/bench_memory.sh once
# first to create both databases)
set -eu
N=${1:-11}
BIN=${HELIOSDB:-target/release/heliosdb}
D=${BM_DB:-/tmp/bm_db}; S=/tmp/bm.sqlite
if [ ! -d "$D" ] || [ ! -f "$S" ]; then
  echo "no $D or $S: run scripts/bench_memory.sh first (BM_DB=$D)" >&2
  exit 2
fi
ms() { # command... -> elapsed milliseconds of one run, output discarded
  local t0 t1
  t0=$(date +%s%N); "$@" > /dev/null; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # name, sql
  local h="" s="" i hs ss
  hs=$("$BIN" -list -noheader "$D" "$2" | md5sum | cut -c1-8)
  ss=$(sqlite3 -list -noheader "$S" "$2" | md5sum | cut -c1-8)
  for i in $(seq "$N"); do
    h="$h $(ms "$BIN" -list -noheader "$D" "$2")"
    s="$s $(ms sqlite3 -list -noheader "$S" "$2")"
  done
  h=$(echo $h | tr ' ' '\n' | median); s=$(echo $s | tr ' ' '\n' | median)
  awk -v n="$1" -v h="$h" -v s="$s" -v same="$([ "$hs" = "$ss" ] && echo same || echo DIFFERENT)" \
    'BEGIN { printf "| %s | %d ms | %d ms | %.2f | %s |\n", n, h, s, (s > 0 ? h / s : 0), same }'
}
echo "| query ($N runs each, median) | heliosdb | sqlite3 | ratio | output |"
echo "|---|---:|---:|---:|---|"
run "count(*)" "SELECT count(*) FROM orders"
run "top 5: ORDER BY amount DESC LIMIT 5" "SELECT * FROM orders ORDER BY amount DESC LIMIT 5"
run "count(*) WHERE amount > 500" "SELECT count(*) FROM orders WHERE amount > 500"
run "20k groups: GROUP BY customer_id ORDER BY 2 DESC LIMIT 3" "SELECT customer_id, count(*) FROM orders GROUP BY customer_id ORDER BY 2 DESC, 1 LIMIT 3"
run "GROUP BY region, 4 aggregates" "SELECT region, count(*), sum(amount), avg(amount), max(amount) FROM orders GROUP BY region"
