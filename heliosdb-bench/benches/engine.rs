//! HeliosDB-Lite vs SQLite 3.40 on the engine-foundation workloads.
//! Run: `cargo bench -p heliosdb-bench`, then `python3 scripts/bench-report.py`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use heliosdb_bench::*;
use heliosdb_core::params;
use std::hint::black_box;
use std::time::Duration;

fn bulk_insert(c: &mut Criterion) {
    let mut g = c.benchmark_group("insert_1m_one_tx");
    g.sample_size(10).measurement_time(Duration::from_secs(40));
    g.bench_function("heliosdb", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let conn = heliosdb_core::Connection::open(dir.path()).unwrap();
                conn.execute_batch(SCHEMA).unwrap();
                (conn, dir)
            },
            |(conn, dir)| {
                helios_insert(&conn, 0, ROWS);
                (conn, dir)
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("sqlite", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let conn = rusqlite::Connection::open(dir.path().join("b.db")).unwrap();
                conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").unwrap();
                conn.execute_batch(SCHEMA).unwrap();
                (conn, dir)
            },
            |(mut conn, dir)| {
                sqlite_insert_rows(&mut conn, 0, ROWS);
                (conn, dir)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn autocommit_inserts(c: &mut Criterion) {
    let mut g = c.benchmark_group("insert_10k_autocommit");
    g.sample_size(10);
    g.bench_function("heliosdb", |b| {
        b.iter_batched(
            || helios_with_rows(0),
            |(conn, dir)| {
                let mut st = conn.prepare(INSERT).unwrap();
                for i in 0..10_000 {
                    let (id, region, amount, ts) = row(i);
                    st.execute(params![id, region, amount, ts]).unwrap();
                }
                drop(st);
                (conn, dir)
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("sqlite", |b| {
        b.iter_batched(
            || sqlite_with_rows(0),
            |(conn, dir)| {
                {
                    let mut st = conn.prepare(INSERT).unwrap();
                    for i in 0..10_000 {
                        let (id, region, amount, ts) = row(i);
                        st.execute(rusqlite::params![id, region, amount, ts]).unwrap();
                    }
                }
                (conn, dir)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn reads(c: &mut Criterion) {
    let (h, _hd) = helios_with_rows(ROWS);
    let (s, _sd) = sqlite_with_rows(ROWS);

    let mut g = c.benchmark_group("point_lookup_100k");
    g.sample_size(10);
    g.bench_function("heliosdb", |b| {
        let mut st = h.prepare(LOOKUP).unwrap();
        b.iter(|| {
            let mut rng = Rng(42);
            for _ in 0..100_000 {
                let id = (rng.next_u64() % ROWS as u64) as i64 + 1;
                let v: f64 = st.query_row([id], |r| r.get(1)).unwrap();
                black_box(v);
            }
        })
    });
    g.bench_function("sqlite", |b| {
        let mut st = s.prepare(LOOKUP).unwrap();
        b.iter(|| {
            let mut rng = Rng(42);
            for _ in 0..100_000 {
                let id = (rng.next_u64() % ROWS as u64) as i64 + 1;
                let v: f64 = st.query_row([id], |r| r.get(1)).unwrap();
                black_box(v);
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("filtered_scan_count_1m");
    g.sample_size(10);
    g.bench_function("heliosdb", |b| {
        b.iter(|| black_box(h.query_row(FILTERED_COUNT, (), |r| r.get::<_, i64>(0)).unwrap()))
    });
    g.bench_function("sqlite", |b| {
        b.iter(|| black_box(s.query_row(FILTERED_COUNT, [], |r| r.get::<_, i64>(0)).unwrap()))
    });
    g.finish();

    let mut g = c.benchmark_group("group_by_region_1m");
    g.sample_size(10);
    g.bench_function("heliosdb", |b| {
        b.iter(|| {
            let mut st = h.prepare(GROUP_BY).unwrap();
            let n = st.query_map((), |r| r.get::<_, i64>(1)).unwrap().count();
            assert_eq!(n, REGIONS as usize);
        })
    });
    g.bench_function("sqlite", |b| {
        b.iter(|| {
            let mut st = s.prepare(GROUP_BY).unwrap();
            let n = st.query_map([], |r| r.get::<_, i64>(1)).unwrap().count();
            assert_eq!(n, REGIONS as usize);
        })
    });
    g.finish();
}

fn three_table_join(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let h = heliosdb_core::Connection::open(dir.path().join("h")).unwrap();
    let mut s = rusqlite::Connection::open(dir.path().join("s.db")).unwrap();
    s.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").unwrap();
    join_data(&h, &mut s, ROWS);
    let mut g = c.benchmark_group("join_3_tables_1m_10k_100");
    g.sample_size(10);
    g.bench_function("heliosdb", |b| {
        b.iter(|| black_box(h.prepare(JOIN_QUERY).unwrap().query_map((), |r| r.get::<_, i64>(1)).unwrap().count()))
    });
    g.bench_function("sqlite", |b| {
        b.iter(|| black_box(s.prepare(JOIN_QUERY).unwrap().query_map([], |r| r.get::<_, i64>(1)).unwrap().count()))
    });
    g.finish();
}

criterion_group!(benches, bulk_insert, autocommit_inserts, reads, three_table_join);
criterion_main!(benches);
