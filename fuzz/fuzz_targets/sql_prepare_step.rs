//! libFuzzer target: arbitrary SQL text through `heliosdb_prepare` and
//! `heliosdb_step`, reading every column of every row the way C callers do
//! (text, then bytes). Any input must give a status code, never a crash or
//! a sanitizer report. One in-memory database is shared by all inputs, with
//! a few tables so that queries have something to read.
#![no_main]

use ::heliosdb::*;
use libfuzzer_sys::fuzz_target;
use std::ffi::CString;
use std::sync::OnceLock;

/// The shared connection (a handle token, stored as an integer).
fn db() -> *mut heliosdb {
    static DB: OnceLock<usize> = OnceLock::new();
    *DB.get_or_init(|| {
        let mut db: *mut heliosdb = std::ptr::null_mut();
        let path = CString::new(":memory:").expect("no NUL");
        assert_eq!(heliosdb_open(path.as_ptr(), &mut db), HELIOSDB_OK);
        let setup = CString::new(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(10,2), ok BOOLEAN, b BLOB);
             INSERT INTO t (name, amount, ok, b) VALUES ('a', 1.5, true, x'00ff'), ('b', NULL, false, NULL);
             CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER);
             CREATE INDEX kv_v ON kv (v);",
        )
        .expect("no NUL");
        assert_eq!(heliosdb_exec(db, setup.as_ptr()), HELIOSDB_OK);
        db as usize
    }) as *mut heliosdb
}

fuzz_target!(|data: &[u8]| {
    let text = data.split(|b| *b == 0).next().unwrap_or_default();
    let Ok(sql) = CString::new(text) else { return };
    let db = db();
    let mut st: *mut heliosdb_stmt = std::ptr::null_mut();
    if heliosdb_prepare(db, sql.as_ptr(), &mut st) != HELIOSDB_OK {
        assert!(st.is_null());
        return;
    }
    for _ in 0..1000 {
        if heliosdb_step(st) != HELIOSDB_ROW {
            break;
        }
        for i in 0..heliosdb_column_count(st) {
            let p = heliosdb_column_text(st, i);
            let n = heliosdb_column_bytes(st, i);
            if !p.is_null() {
                // SAFETY: valid for `n` bytes until the next step (header contract).
                let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), n as usize) };
                std::hint::black_box(bytes);
            }
        }
    }
    assert_eq!(heliosdb_finalize(st), HELIOSDB_OK);
    // Whatever the input did (BEGIN without COMMIT, say), start the next one clean.
    let rollback = CString::new("ROLLBACK").expect("no NUL");
    heliosdb_exec(db, rollback.as_ptr());
});
