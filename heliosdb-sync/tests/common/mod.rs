//! Shared by the integration tests: a private PostgreSQL server (through
//! scripts/pg.sh, stopped by Drop even when a test panics) and comparison of
//! PostgreSQL tables with what the source holds.
#![allow(dead_code)]

pub mod fake;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod workload;

use heliosdb_sync::schema::{ident, qualified, TableSchema, ROWID};
use heliosdb_sync::typemap::PgType;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

pub fn pg_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/pg.sh")
}

fn have_postgres() -> bool {
    let versioned = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().any(|e| e.path().join("bin/pg_ctl").exists() && e.path().join("bin/initdb").exists()))
        .unwrap_or(false);
    versioned
        || Command::new("sh")
            .args(["-c", "command -v pg_ctl && command -v initdb"])
            .output()
            .is_ok_and(|o| o.status.success())
}

/// A PostgreSQL server of the test's own, in a temporary directory.
pub struct PgServer {
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl PgServer {
    /// Starts one, or returns `None` (after saying so) when PostgreSQL is
    /// not installed; with CI set, a missing PostgreSQL fails the test.
    pub fn start(test: &str) -> Option<PgServer> {
        if !have_postgres() {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: PostgreSQL binaries (initdb, pg_ctl) not found and CI is set: install postgresql");
            }
            eprintln!("SKIPPED {test}: PostgreSQL binaries (initdb, pg_ctl) not found");
            return None;
        }
        let dir = tempfile::Builder::new().prefix("heliosdb-sync-pg").tempdir().expect("temp dir");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().unwrap().port();
        let server = PgServer { dir, port };
        server.run("start", &[&port.to_string()]);
        Some(server)
    }

    pub fn data(&self) -> String {
        self.dir.path().join("pg").display().to_string()
    }

    fn run(&self, cmd: &str, extra: &[&str]) {
        let out = Command::new("bash").arg(pg_script()).arg(cmd).arg(self.data()).args(extra).output().expect("pg.sh");
        assert!(
            out.status.success(),
            "pg.sh {cmd} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops it: `fast` or `immediate` (a crash: no shutdown checkpoint).
    pub fn stop(&self, mode: &str) {
        self.run("stop", &[mode]);
    }

    pub fn start_again(&self) {
        self.run("start", &[&self.port.to_string()]);
    }

    pub fn conninfo(&self) -> String {
        format!("host=127.0.0.1 port={} user=postgres dbname=postgres", self.port)
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.conninfo(), postgres::NoTls).expect("connect to test PostgreSQL")
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(pg_script()).args(["stop", &self.data(), "immediate"]).output();
    }
}

/// A value in one canonical text per type, so that what the source holds
/// (feed JSON) and what PostgreSQL holds (`::text`) compare exactly.
pub fn canon_json(ty: &PgType, v: &Json) -> Option<String> {
    Some(match (ty, v) {
        (_, Json::Null) => return None,
        (PgType::Double, Json::Number(n)) => format!("{:?}", n.as_f64().unwrap()),
        (PgType::Boolean, Json::Bool(b)) => b.to_string(),
        (_, Json::Bool(b)) => if *b { "1" } else { "0" }.to_string(),
        (_, Json::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    })
}

pub fn canon_pg(ty: &PgType, v: Option<String>) -> Option<String> {
    let v = v?;
    Some(match ty {
        PgType::Double => format!("{:?}", v.parse::<f64>().unwrap()),
        PgType::Bytea => v.replace('\n', ""),
        _ => v,
    })
}

/// (key, row) in canonical text: the key columns, then every target column but source_id.
pub type Canon = BTreeMap<Vec<Option<String>>, Vec<Option<String>>>;

/// One source row (feed JSON, with the rowid for a rowid table) in canonical form.
pub fn canon_row(
    t: &TableSchema,
    rowid: Option<&Json>,
    row: &serde_json::Map<String, Json>,
) -> (Vec<Option<String>>, Vec<Option<String>>) {
    let cols = t.target_columns();
    let vals: Vec<Option<String>> = cols[1..]
        .iter()
        .map(|(n, ty)| {
            if t.rowid && *n == ROWID {
                canon_json(ty, rowid.unwrap_or(&Json::Null))
            } else {
                canon_json(ty, row.get(*n).unwrap_or(&Json::Null))
            }
        })
        .collect();
    let key = t.key.iter().map(|k| vals[cols[1..].iter().position(|(n, _)| n == k).unwrap()].clone()).collect();
    (key, vals)
}

/// The rows PostgreSQL holds for `source_id` in table `t`, canonical; panics on a duplicate key.
pub fn pg_table(client: &mut postgres::Client, t: &TableSchema, source_id: &str) -> Canon {
    let cols = t.target_columns();
    let exprs: Vec<String> = cols[1..]
        .iter()
        .map(|(n, ty)| match ty {
            PgType::Bytea => format!("encode({}, 'base64')", ident(n)),
            _ => format!("{}::text", ident(n)),
        })
        .collect();
    let sql = format!("SELECT {} FROM {} WHERE source_id = $1", exprs.join(", "), qualified("public", &t.name));
    let mut out = Canon::new();
    for r in client.query(&sql, &[&source_id]).expect("read target table") {
        let vals: Vec<Option<String>> =
            cols[1..].iter().enumerate().map(|(i, (_, ty))| canon_pg(ty, r.get::<_, Option<String>>(i))).collect();
        let key = t.key.iter().map(|k| vals[cols[1..].iter().position(|(n, _)| n == k).unwrap()].clone()).collect();
        assert!(out.insert(key, vals).is_none(), "duplicate key in PostgreSQL table {}", t.name);
    }
    out
}

/// The watermark PostgreSQL holds for (source_id, feed).
pub fn pg_watermark(client: &mut postgres::Client, source_id: &str, feed: &str) -> Option<u64> {
    let exists: Option<String> =
        client.query_one("SELECT to_regclass('heliosdb_sync_watermark')::text", &[]).expect("catalog").get(0);
    exists.as_ref()?;
    client
        .query_opt(
            "SELECT last_scn FROM heliosdb_sync_watermark WHERE source_id = $1 AND feed = $2",
            &[&source_id, &feed],
        )
        .expect("read watermark")
        .map(|r| r.get::<_, i64>(0) as u64)
}

/// Describes the first difference between two canonical tables.
pub fn assert_same(table: &str, expected: &Canon, got: &Canon) {
    if expected == got {
        return;
    }
    let missing: Vec<_> = expected.keys().filter(|k| !got.contains_key(*k)).take(5).collect();
    let extra: Vec<_> = got.keys().filter(|k| !expected.contains_key(*k)).take(5).collect();
    let differ: Vec<_> = expected
        .iter()
        .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
        .take(3)
        .map(|(k, v)| (k, v, &got[k]))
        .collect();
    panic!(
        "table {table}: {} rows expected, {} in PostgreSQL; missing {missing:?}; extra {extra:?}; differing (key, expected, got) {differ:?}",
        expected.len(),
        got.len()
    );
}

/// Table `t` of the source as of `scn`, canonical.
pub fn source_table(conn: &heliosdb_lite::Connection, t: &TableSchema, scn: u64) -> Canon {
    let cols: Vec<String> = t.columns.iter().map(|c| ident(&c.name)).collect();
    let rowid = if t.rowid { "rowid" } else { "NULL" };
    let sql = format!("SELECT {rowid}, {} FROM {} AS OF SCN {scn}", cols.join(", "), ident(&t.name));
    let mut st = conn.prepare(&sql).expect("prepare AS OF read");
    let mut rows = st.query(()).expect("AS OF read");
    let mut out = Canon::new();
    while let Some(r) = rows.next().unwrap() {
        let v = r.values();
        let rowid = heliosdb_sync::source::value_to_json(&v[0]);
        let row: serde_json::Map<String, Json> = t
            .columns
            .iter()
            .zip(&v[1..])
            .map(|(c, val)| (c.name.clone(), heliosdb_sync::source::value_to_json(val)))
            .collect();
        let (k, vals) = canon_row(t, Some(&rowid), &row);
        assert!(out.insert(k, vals).is_none(), "duplicate key in the source table {}", t.name);
    }
    out
}

/// Checks that every table in PostgreSQL for `source_id` equals the source
/// as of PostgreSQL's watermark; returns the watermark.
pub fn check_against_source(
    conn: &heliosdb_lite::Connection,
    client: &mut postgres::Client,
    tables: &[&str],
    source_id: &str,
    feed: &str,
) -> u64 {
    use heliosdb_sync::source::ChangeSource;
    let w = pg_watermark(client, source_id, feed).expect("a watermark in PostgreSQL");
    let mut src = heliosdb_sync::HeliosSource::new(conn);
    for name in tables {
        let t = src.table_schema(name).expect("source schema");
        let expected = source_table(conn, &t, w);
        assert_same(name, &expected, &pg_table(client, &t, source_id));
    }
    w
}

/// The `heliosdb-sync` binary with the usual flags for a test.
pub fn sync_command(db: &std::path::Path, pg: &PgServer, source_id: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_heliosdb-sync"));
    c.arg("--db")
        .arg(db)
        .args(["--feed", "f", "--postgres", &pg.conninfo(), "--source-id", source_id, "--progress-sec", "0"])
        .args(["--poll-ms", "20"])
        .args(extra);
    c
}

/// Runs a command to the end; panics with its stderr when it fails.
pub fn run_ok(mut c: Command) -> String {
    let out = c.output().expect("run heliosdb-sync");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "heliosdb-sync failed ({}):\n{err}", out.status);
    err
}
