//! Runs one HeliosDB workload alone, for profilers:
//! `cargo run --profile bench -p heliosdb-bench --example probe -- insert|lookup|scan|group|range|join|autocommit|autocommit2 [ROWS]`
//! (`autocommit2`: with `quick`'s two indexes, on amount and ts).
//! `join` loads both engines, lets the store settle (flush, compaction), then
//! times the three-table join side by side with SQLite, three times.

use heliosdb_bench::*;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("insert", String::as_str);
    let rows: i64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(ROWS);
    if what == "join" {
        let dir = tempfile::tempdir().unwrap();
        let h = heliosdb_core::Connection::open(dir.path().join("h")).unwrap();
        let mut s = rusqlite::Connection::open(dir.path().join("s.db")).unwrap();
        join_data(&h, &mut s, rows);
        h.checkpoint().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(3));
        for _ in 0..3 {
            let t = Instant::now();
            h.prepare(JOIN_QUERY).unwrap().query_map((), |r| r.get::<_, i64>(1)).unwrap().count();
            let a = t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            s.prepare(JOIN_QUERY).unwrap().query_map([], |r| r.get::<_, i64>(1)).unwrap().count();
            let b = t.elapsed().as_secs_f64() * 1000.0;
            println!("join: helios {a:.1} ms sqlite {b:.1} ms ratio {:.2}", a / b);
        }
        return;
    }
    let t = Instant::now();
    let (conn, _dir) = helios_with_rows(rows);
    println!("insert: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    if what == "range" {
        conn.execute_batch(AMOUNT_INDEX).unwrap();
    }
    if what == "autocommit2" {
        conn.execute_batch(&format!("{AMOUNT_INDEX}; CREATE INDEX orders_ts ON orders (ts);")).unwrap();
    }
    let t = Instant::now();
    for round in 0..3 {
        match what {
            "autocommit" | "autocommit2" => {
                // 10,000 rows above the loaded ones, a commit each.
                let mut st = conn.prepare(INSERT).unwrap();
                for i in 0..10_000 {
                    let (id, region, amount, ts) = row(rows + round * 10_000 + i);
                    st.execute(heliosdb_core::params![id, region, amount, ts]).unwrap();
                }
            }
            "scan" => {
                conn.query_row(FILTERED_COUNT, (), |r| r.get::<_, i64>(0)).unwrap();
            }
            "group" => {
                conn.prepare(GROUP_BY).unwrap().query_map((), |r| r.get::<_, i64>(1)).unwrap().count();
            }
            "range" => {
                let mut st = conn.prepare(INDEXED_RANGE).unwrap();
                for i in 0..20 {
                    let lo = i as f64 * 50.0;
                    st.query_row(heliosdb_core::params![lo, lo + 10.0], |r| r.get::<_, i64>(0)).unwrap();
                }
            }
            "lookup" => {
                let mut st = conn.prepare(LOOKUP).unwrap();
                let mut rng = Rng(42);
                for _ in 0..100_000 {
                    let id = (rng.next_u64() % rows as u64) as i64 + 1;
                    let _: f64 = st.query_row([id], |r| r.get(1)).unwrap();
                }
            }
            _ => break,
        }
    }
    println!("{what} x3: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    drop(conn); // before its directory's guard (a `let` tuple drops right to left)
}
