//! Online backup (`VACUUM INTO`, `Connection::backup`): a copy taken while
//! another connection keeps writing equals the source as of the copy's SCN,
//! keeps its indexes, history and materialized views, and a backup killed
//! half-way leaves the source untouched and nothing that looks finished.

mod common;
use common::rows;
use heliosdb_core::{BackupHistory, Connection, Error, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn scn_of_notice(conn: &Connection) -> u64 {
    let notice = conn.notice().expect("VACUUM INTO leaves a notice");
    let n = notice.strip_prefix("backed up SCN ").and_then(|r| r.split(' ').next()).expect("notice names the SCN");
    n.parse().unwrap()
}

#[test]
fn backup_under_a_concurrent_writer_equals_the_source_as_of_its_scn() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT, amount REAL);
         CREATE INDEX orders_region ON orders (region);
         INSERT INTO orders SELECT value, 'r' || (value % 7), value * 1.5 FROM generate_series(1, 2000);
         CREATE MATERIALIZED VIEW by_region AS SELECT region, count(*) AS n, sum(amount) AS total FROM orders GROUP BY region;",
    )
    .unwrap();
    let early_scn = conn.current_scn();

    // A second connection writes (inserts, updates, deletes) the whole time.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (src, stop) = (src.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let w = Connection::open(&src).unwrap();
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                w.execute("INSERT INTO orders VALUES (?, 'w', ?)", (10_000 + n, n as f64)).unwrap();
                w.execute("UPDATE orders SET amount = amount + 1 WHERE id = ?", [n % 2000 + 1]).unwrap();
                w.execute("DELETE FROM orders WHERE id = ?", [3000 - n]).unwrap();
            }
            n
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let mut copies = Vec::new();
    for i in 0..3 {
        let dest = dir.path().join(format!("copy{i}"));
        conn.execute_batch(&format!("VACUUM INTO '{}'", dest.display())).unwrap();
        copies.push((dest, scn_of_notice(&conn)));
        std::thread::sleep(Duration::from_millis(30));
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0);
    assert!(copies.windows(2).any(|w| w[0].1 != w[1].1), "the writer committed between the backups");

    for (dest, scn) in &copies {
        let copy = Connection::open(dest).unwrap();
        assert_eq!(copy.current_scn(), *scn, "the copy holds exactly the backup's SCN");
        let q = "SELECT id, region, amount FROM orders ORDER BY id";
        assert_eq!(
            rows(&copy, q),
            rows(&conn, &format!("SELECT id, region, amount FROM orders AS OF SCN {scn} ORDER BY id"))
        );
        // Its index answers as the table does.
        let by_index = rows(&copy, "SELECT count(*), sum(amount) FROM orders WHERE region = 'r3'");
        let by_scan = rows(&copy, "SELECT count(*), sum(amount) FROM orders WHERE region || '' = 'r3'");
        assert_eq!(by_index, by_scan);
        assert!(rows(&copy, "EXPLAIN SELECT * FROM orders WHERE region = 'r3'")
            .iter()
            .any(|r| format!("{:?}", r).contains("orders_region")));
        // History came along: the copy answers AS OF the source's early point.
        assert_eq!(
            rows(&copy, &format!("SELECT count(*) FROM orders AS OF SCN {early_scn}")),
            vec![vec![Value::Integer(2000)]]
        );
        // The materialized view came along and refreshes incrementally from there.
        copy.execute_batch("REFRESH MATERIALIZED VIEW by_region INCREMENTALLY").unwrap();
        assert_eq!(copy.notice(), None, "refreshed incrementally, not fully");
        assert_eq!(
            rows(&copy, "SELECT region, n, total FROM by_region ORDER BY region"),
            rows(&copy, "SELECT region, count(*), sum(amount) FROM orders GROUP BY region ORDER BY region")
        );
        // And it is a normal database that takes writes.
        copy.execute("INSERT INTO orders VALUES (-1, 'new', 0)", ()).unwrap();
    }
}

#[test]
fn a_backup_without_history_keeps_the_present_only() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("src")).unwrap();
    conn.execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").unwrap();
    for round in 0..20 {
        conn.execute("INSERT OR REPLACE INTO t SELECT value, 'v' || ? FROM generate_series(1, 500)", [round]).unwrap();
    }
    let early = conn.current_scn() - 10;
    let full = dir.path().join("full");
    let compact = dir.path().join("compact");
    let scn = conn.backup(&full, BackupHistory::Keep).unwrap();
    conn.execute_batch(&format!("VACUUM INTO '{}' WITHOUT HISTORY", compact.display())).unwrap();
    assert_eq!(scn_of_notice(&conn), scn);

    let full = Connection::open(&full).unwrap();
    let compact = Connection::open(&compact).unwrap();
    let now = "SELECT k, v FROM t ORDER BY k";
    assert_eq!(rows(&compact, now), rows(&conn, now));
    assert_eq!(rows(&full, now), rows(&conn, now));
    let past = format!("SELECT v, count(*) FROM t AS OF SCN {early} GROUP BY v");
    assert_eq!(rows(&full, &past), rows(&conn, &past));
    match compact.prepare(&past).and_then(|mut s| s.query(()).and_then(|mut r| r.next().map(|_| ()))) {
        Err(Error::SnapshotTooOld(m)) => assert!(m.contains("SCN"), "{m}"),
        other => panic!("AS OF before a compact backup must be too old, got {other:?}"),
    }
    full.checkpoint().unwrap();
    compact.checkpoint().unwrap();
    assert!(full.history_disk_space() > 0);
    assert_eq!(compact.history_disk_space(), 0, "no superseded versions were copied");
}

#[test]
fn bad_destinations_and_transactions_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)").unwrap();

    let taken = dir.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join("keep.txt"), b"mine").unwrap();
    let e = conn.execute_batch(&format!("VACUUM INTO '{}'", taken.display())).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read(taken.join("keep.txt")).unwrap(), b"mine", "nothing of the user's is touched");

    let e = conn.execute_batch(&format!("VACUUM INTO '{}'", src.join("inner").display())).unwrap_err();
    assert!(e.to_string().contains("overlaps"), "{e}");
    let e = conn.execute_batch("VACUUM INTO 42").unwrap_err();
    assert!(e.to_string().contains("directory name as text"), "{e}");

    // A parameter names the destination; an empty directory may be reused.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    conn.execute("VACUUM INTO ?", [empty.display().to_string()]).unwrap();
    assert_eq!(rows(&Connection::open(&empty).unwrap(), "SELECT a FROM t"), vec![vec![Value::Integer(1)]]);

    conn.execute_batch("BEGIN").unwrap();
    let e = conn.execute_batch(&format!("VACUUM INTO '{}'", dir.path().join("in_tx").display())).unwrap_err();
    assert!(e.to_string().contains("within a transaction"), "{e}");
    conn.execute_batch("CHECKPOINT; ROLLBACK").unwrap(); // a checkpoint is fine inside one
    assert!(!dir.path().join("in_tx").exists());
}

const CHILD_SRC: &str = "HELIOSDB_BACKUP_CHILD_SRC";

#[test]
#[ignore = "child process of a_killed_backup_leaves_the_source_and_no_finished_copy"]
fn child_backs_up_in_a_loop() {
    let src = std::env::var(CHILD_SRC).expect("run by the parent test");
    let conn = Connection::open(&src).unwrap();
    for i in 0.. {
        let dest = Path::new(&src).with_file_name(format!("copy{i}"));
        println!("start {i}");
        conn.backup(&dest, BackupHistory::Keep).unwrap();
        println!("done {i}");
    }
}

#[test]
fn a_killed_backup_leaves_the_source_and_no_finished_copy() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    {
        let conn = Connection::open(&src).unwrap();
        conn.execute_batch(
            "CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT);
             INSERT INTO big SELECT value, printf('%0200d', value) FROM generate_series(1, 60000);",
        )
        .unwrap();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_backs_up_in_a_loop", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_SRC, &src)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut done = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(l)) if l.starts_with("done ") => done.push(l[5..].parse::<usize>().unwrap()),
            Some(Ok(l)) if l == "start 2" => {
                std::thread::sleep(Duration::from_millis(15));
                break;
            }
            Some(_) => {}
            None => break,
        }
    }
    child.kill().unwrap(); // SIGKILL: mid-copy, no destructor runs
    child.wait().unwrap();
    assert_eq!(done, vec![0, 1], "the child finished two backups before the kill");

    // Finished copies are whole; the killed one is either whole (the kill
    // came after its rename) or absent — never a directory that opens half-filled.
    for i in 0..3 {
        let dest = dir.path().join(format!("copy{i}"));
        if dest.exists() {
            let copy = Connection::open(&dest).unwrap();
            let n: i64 = copy.query_row("SELECT count(*) FROM big", (), |r| r.get(0)).unwrap();
            assert_eq!(n, 60_000, "copy{i} is whole");
        } else {
            assert_eq!(i, 2, "only the killed backup may be missing");
        }
    }
    let conn = Connection::open(&src).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM big", (), |r| r.get(0)).unwrap();
    assert_eq!(n, 60_000, "the source is untouched");
    // A new backup to the killed one's name clears what the kill left.
    let again = dir.path().join("copy3");
    conn.backup(&again, BackupHistory::Keep).unwrap();
    assert!(!dir.path().join("copy3.partial").exists());
    let stale = dir.path().join("copy2");
    if !stale.exists() {
        conn.backup(&stale, BackupHistory::Drop).unwrap();
        assert!(!dir.path().join("copy2.partial").exists(), "the stale partial copy was removed");
    }
}
