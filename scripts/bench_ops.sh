#!/usr/bin/env bash
# Operations benchmark (BENCHMARKS.md, "Operations"): open cost after a
# 1M-row load (clean close), VACUUM INTO, .dump and reloading it, .import of
# a 1M-row CSV, against sqlite3 3.40 doing the same.
# Usage: scripts/bench_ops.sh   (OLD=/path/to/older/heliosdb to compare builds)
set -u
NEW=${NEW:-target/release/heliosdb}
OLD=${OLD:-}   # a heliosdb binary built from an earlier commit, to compare (optional)
T="/usr/bin/time -f %e_s_%M_KB"
LOAD=$(mktemp); cat > "$LOAD" <<'SQL'
CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER, region TEXT, amount REAL, created_at INTEGER);
INSERT INTO orders SELECT value, value*7919%20000, 'region-'||(value%50), (value*2654435761%100000)/100.0, 1700000000+value FROM generate_series(1,1000000);
SQL
versions="new"; [ -n "$OLD" ] && versions="old new"
for v in $versions; do
  bin=$OLD; [ $v = new ] && bin=$NEW
  d=/tmp/bo_$v; rm -rf $d ${d}_copy ${d}_compact
  echo "== $v: load 1M rows"; $T $bin $d < "$LOAD" 2>&1 | tail -1
  echo "== $v: open + SELECT 1 (x3)"; for i in 1 2 3; do echo "SELECT 1;" | $T $bin $d 2>&1 | tail -1; done
  du -sh $d | cut -f1
  if [ $v = new ]; then
    echo "== new: VACUUM INTO"; echo ".timer on
VACUUM INTO '${d}_copy';" | $T $bin $d 2>&1 | tail -3
    echo "== new: VACUUM INTO … WITHOUT HISTORY"; echo ".timer on
VACUUM INTO '${d}_compact' WITHOUT HISTORY;" | $T $bin $d 2>&1 | tail -3
    du -sh ${d}_copy ${d}_compact | cut -f1
    echo "== new: open the copy"; echo "SELECT count(*) FROM orders;" | $T $bin ${d}_copy 2>&1 | tail -2
  fi
done
s=/tmp/bo.sqlite; rm -f $s $s-wal $s-shm /tmp/bo_copy.sqlite
echo "== sqlite3: load"; $T sqlite3 $s < "$LOAD" 2>&1 | tail -1
echo "== sqlite3: open + SELECT 1"; echo "SELECT 1;" | $T sqlite3 $s 2>&1 | tail -1
echo "== sqlite3: VACUUM INTO"; echo "VACUUM INTO '/tmp/bo_copy.sqlite';" | $T sqlite3 $s 2>&1 | tail -1
ls -la $s /tmp/bo_copy.sqlite | awk '{print $5, $9}'

# .dump, reload, .import: the new shell against sqlite3, on the same 1M rows.
d=/tmp/bo_new
csv=/tmp/bo_orders.csv
sqlite3 -csv -header $s "SELECT * FROM orders" > $csv
ls -la $csv | awk '{print $5, $9}'
echo "== new: .dump (1M rows)"; $T $NEW $d .dump 2>&1 >/tmp/bo_dump.sql | tail -1; ls -la /tmp/bo_dump.sql | awk '{print $5}'
echo "== sqlite3: .dump"; $T sqlite3 $s .dump 2>&1 >/tmp/bo_dump_sqlite.sql | tail -1
rm -rf /tmp/bo_reload; echo "== new: reload the dump"; $T $NEW /tmp/bo_reload < /tmp/bo_dump.sql 2>&1 | tail -1
rm -f /tmp/bo_reload.sqlite; echo "== sqlite3: reload its dump"; $T sqlite3 /tmp/bo_reload.sqlite < /tmp/bo_dump_sqlite.sql 2>&1 | tail -1
rm -rf /tmp/bo_import; echo "== new: .import 1M-row CSV"; $T $NEW /tmp/bo_import ".import $csv orders" 2>&1 | tail -2
rm -f /tmp/bo_import.sqlite; echo "== sqlite3: .import"; $T sqlite3 /tmp/bo_import.sqlite ".import --csv $csv orders" 2>&1 | tail -1
