//! Drives libheliosdb through bindgen's declarations of include/heliosdb.h.

use heliosdb_abi_check::*;
use std::ffi::{CStr, CString};

fn text(p: *const std::os::raw::c_char) -> String {
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

#[test]
fn the_header_constants_match_the_fixed_numbers() {
    assert_eq!(
        [HELIOSDB_OK, HELIOSDB_ERROR, HELIOSDB_BUSY, HELIOSDB_NOMEM, HELIOSDB_READONLY, HELIOSDB_IOERR],
        [0, 1, 5, 7, 8, 10]
    );
    assert_eq!(
        [HELIOSDB_CORRUPT, HELIOSDB_CONSTRAINT, HELIOSDB_MISMATCH, HELIOSDB_MISUSE, HELIOSDB_RANGE],
        [11, 19, 20, 21, 25]
    );
    assert_eq!([HELIOSDB_ROW, HELIOSDB_DONE, HELIOSDB_INTERRUPT], [100, 101, 9]);
    assert_eq!([HELIOSDB_INTEGER, HELIOSDB_FLOAT, HELIOSDB_TEXT, HELIOSDB_BLOB, HELIOSDB_NULL], [1, 2, 3, 4, 5]);
}

#[test]
fn a_round_trip_through_the_declared_functions() {
    let dir = tempfile::tempdir().unwrap();
    let path = CString::new(dir.path().join("db").to_str().unwrap()).unwrap();
    unsafe {
        let mut db: *mut heliosdb = std::ptr::null_mut();
        assert_eq!(heliosdb_open(path.as_ptr(), &mut db) as u32, HELIOSDB_OK);
        let sql = CString::new("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)").unwrap();
        assert_eq!(heliosdb_exec(db, sql.as_ptr()) as u32, HELIOSDB_OK);

        let mut st: *mut heliosdb_stmt = std::ptr::null_mut();
        let ins = CString::new("INSERT INTO t (name, score) VALUES (:name, ?2)").unwrap();
        assert_eq!(heliosdb_prepare(db, ins.as_ptr(), &mut st) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_bind_parameter_count(st), 2);
        let name_param = CString::new(":name").unwrap();
        assert_eq!(heliosdb_bind_parameter_index(st, name_param.as_ptr()), 1);
        let name = CString::new("zoë").unwrap();
        assert_eq!(heliosdb_bind_text(st, 1, name.as_ptr(), -1) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_bind_double(st, 2, 2.5) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_step(st) as u32, HELIOSDB_DONE);
        assert_eq!(heliosdb_changes(db), 1);
        assert_eq!(heliosdb_last_insert_rowid(db), 1);
        assert_eq!(heliosdb_finalize(st) as u32, HELIOSDB_OK);

        let sel = CString::new("SELECT name, score, id FROM t").unwrap();
        assert_eq!(heliosdb_prepare(db, sel.as_ptr(), &mut st) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_column_count(st), 3);
        assert_eq!(text(heliosdb_column_name(st, 0)), "name");
        assert_eq!(heliosdb_step(st) as u32, HELIOSDB_ROW);
        assert_eq!(heliosdb_column_type(st, 0) as u32, HELIOSDB_TEXT);
        assert_eq!(text(heliosdb_column_text(st, 0)), "zoë");
        assert_eq!(heliosdb_column_bytes(st, 0), 4);
        assert_eq!(heliosdb_column_double(st, 1), 2.5);
        assert_eq!(heliosdb_column_int64(st, 2), 1);
        assert_eq!(heliosdb_step(st) as u32, HELIOSDB_DONE);
        assert_eq!(heliosdb_reset(st) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_clear_bindings(st) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_finalize(st) as u32, HELIOSDB_OK);

        let json = heliosdb_query_json(db, sel.as_ptr(), std::ptr::null());
        assert_eq!(text(json), r#"{"changes":0,"columns":["name","score","id"],"rows":[["zoë",2.5,1]]}"#);
        heliosdb_free(json.cast());

        let bad = CString::new("SELECT nope").unwrap();
        assert_eq!(heliosdb_exec(db, bad.as_ptr()) as u32, HELIOSDB_ERROR);
        assert!(text(heliosdb_errmsg(db)).contains("no such column: nope"));
        assert!(!text(heliosdb_version()).is_empty());
        assert_eq!(heliosdb_close(db) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_bind_null(std::ptr::null_mut(), 1) as u32, HELIOSDB_MISUSE);
        let mut blob_st: *mut heliosdb_stmt = std::ptr::null_mut();
        let mut db2: *mut heliosdb = std::ptr::null_mut();
        assert_eq!(heliosdb_open(path.as_ptr(), &mut db2) as u32, HELIOSDB_OK);
        let q = CString::new("SELECT ?").unwrap();
        assert_eq!(heliosdb_prepare(db2, q.as_ptr(), &mut blob_st) as u32, HELIOSDB_OK);
        let bytes = [1u8, 2, 3];
        assert_eq!(heliosdb_bind_blob(blob_st, 1, bytes.as_ptr().cast(), 3) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_bind_int64(blob_st, 2, 0) as u32, HELIOSDB_RANGE);
        assert_eq!(heliosdb_step(blob_st) as u32, HELIOSDB_ROW);
        assert_eq!(heliosdb_column_type(blob_st, 0) as u32, HELIOSDB_BLOB);
        let got = std::slice::from_raw_parts(heliosdb_column_blob(blob_st, 0).cast::<u8>(), 3);
        assert_eq!(got, &bytes);
        assert_eq!(heliosdb_finalize(blob_st) as u32, HELIOSDB_OK);
        // The calls the bindings need, through the header's declarations.
        let typed = CString::new("SELECT id, name, id + 1 FROM t WHERE name = @n").unwrap();
        let mut tst: *mut heliosdb_stmt = std::ptr::null_mut();
        assert_eq!(heliosdb_prepare(db2, typed.as_ptr(), &mut tst) as u32, HELIOSDB_OK);
        assert_eq!(text(heliosdb_column_decltype(tst, 0)), "INTEGER");
        assert!(heliosdb_column_decltype(tst, 2).is_null());
        assert_eq!(text(heliosdb_bind_parameter_name(tst, 1)), "@n");
        assert_eq!(heliosdb_stmt_readonly(tst), 1);
        assert_eq!(heliosdb_stmt_interrupt(tst) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_step(tst) as u32, HELIOSDB_INTERRUPT);
        assert_eq!(heliosdb_finalize(tst) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_get_autocommit(db2), 1);
        assert_eq!(heliosdb_busy_timeout(db2, 100) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_interrupt(db2) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_errcode(db2) as u32, HELIOSDB_OK);
        let cfg = CString::new("{\"database\":{\"busy_timeout_ms\":10}}").unwrap();
        let mut db3: *mut heliosdb = std::ptr::null_mut();
        assert_eq!(heliosdb_open_with_config(path.as_ptr(), cfg.as_ptr(), &mut db3) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_close(db3) as u32, HELIOSDB_OK);
        assert_eq!(heliosdb_close(db2) as u32, HELIOSDB_OK);
    }
}
