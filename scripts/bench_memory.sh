#!/usr/bin/env bash
# Executor memory benchmark (BENCHMARKS.md, "Queries in bounded memory"):
# the executor issue's queries, and sorts, groupings, DISTINCT, a hash join,
# a window and .dump that hold far more than the working memory, on the
# 1M-row `orders` table, against sqlite3 3.40 with the same SQL. Each query
# runs in its own shell process under /usr/bin/time (process time, peak RSS)
# with the default configuration (memory_limit_mb = 64); results go to
# /dev/null after their checksums are compared.
# Usage: scripts/bench_memory.sh   (HELIOSDB=path/to/heliosdb to pick a build,
# BM_DB=dir for its database: builds of different on-disk formats need their own)
set -u
BIN=${HELIOSDB:-target/release/heliosdb}
D=${BM_DB:-/tmp/bm_db}; S=/tmp/bm.sqlite
if [ ! -d $D ] || [ ! -f $S ]; then
  rm -rf $D $S $S-wal $S-shm
  LOAD="CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER, region TEXT, amount REAL, created_at INTEGER);
INSERT INTO orders SELECT value, value*7919%20000, 'region-'||(value%50), (value*2654435761%100000)/100.0, 1700000000+value FROM generate_series(1,1000000);"
  echo "$LOAD" | $BIN $D >/dev/null
  echo "$LOAD" | sqlite3 $S >/dev/null
fi
run() { # name, sql
  local h s hs ss
  h=$( { /usr/bin/time -f "%e %M" $BIN -list -noheader $D "$2" | md5sum | cut -c1-8 > /tmp/bm_h.sum; } 2>&1 | tail -1)
  s=$( { /usr/bin/time -f "%e %M" sqlite3 -list -noheader $S "$2" | md5sum | cut -c1-8 > /tmp/bm_s.sum; } 2>&1 | tail -1)
  hs=$(cat /tmp/bm_h.sum); ss=$(cat /tmp/bm_s.sum)
  set -- "$1" $h $s
  awk -v n="$1" -v ht="$2" -v hm="$3" -v st="$4" -v sm="$5" -v same="$([ "$hs" = "$ss" ] && echo same || echo DIFFERENT)" \
    'BEGIN { printf "| %s | %.2f s | %.0f MB | %.2f s | %.0f MB | %.1f | %s |\n", n, ht, hm/1024, st, sm/1024, (st > 0 ? ht/st : 0), same }'
}
echo "| query | heliosdb time | heliosdb peak RSS | sqlite3 time | sqlite3 peak RSS | time ratio | output |"
echo "|---|---:|---:|---:|---:|---:|---|"
run "open + SELECT 1" "SELECT 1"
run "top 5: ORDER BY amount DESC LIMIT 5" "SELECT * FROM orders ORDER BY amount DESC LIMIT 5"
run "20k groups: GROUP BY customer_id ORDER BY 2 DESC LIMIT 3" "SELECT customer_id, count(*) FROM orders GROUP BY customer_id ORDER BY 2 DESC, 1 LIMIT 3"
run "GROUP BY region, 4 aggregates" "SELECT region, count(*), sum(amount), avg(amount), max(amount) FROM orders GROUP BY region"
run "full sort: ORDER BY amount, 1M rows out" "SELECT * FROM orders ORDER BY amount, order_id"
run "500k groups: GROUP BY order_id % 500000" "SELECT order_id % 500000, count(*), sum(amount) FROM orders GROUP BY 1"
run "DISTINCT amount (100k values)" "SELECT DISTINCT amount FROM orders"
run "hash join 1M x 1M on a computed key" "SELECT count(*), sum(b.order_id) FROM orders a JOIN orders b ON b.customer_id = a.order_id"
run "window: rank() OVER (PARTITION BY region ORDER BY amount)" "SELECT order_id, rank() OVER (PARTITION BY region ORDER BY amount DESC, order_id) FROM orders ORDER BY order_id"
run "SELECT * (1M rows out)" "SELECT * FROM orders"
h=$( { /usr/bin/time -f "%e %M" $BIN $D .dump > /dev/null; } 2>&1 | tail -1); s=$( { /usr/bin/time -f "%e %M" sqlite3 $S .dump > /dev/null; } 2>&1 | tail -1)
set -- $h $s
awk -v ht="$1" -v hm="$2" -v st="$3" -v sm="$4" 'BEGIN { printf "| .dump | %.2f s | %.0f MB | %.2f s | %.0f MB | %.1f | (formats differ) |\n", ht, hm/1024, st, sm/1024, ht/st }'
