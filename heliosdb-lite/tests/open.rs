//! Every way the documents open a database compiles and works: a path of
//! any kind, a `Config` (by value or reference), a TOML or JSON file, and
//! the errors when a configuration names no directory or a file is missing.

use heliosdb_lite::{Config, Connection, Error};

fn count(conn: &Connection) -> i64 {
    conn.query_row("SELECT count(*) FROM t", (), |r| r.get(0)).expect("count")
}

#[test]
fn paths_of_every_kind_open_the_same_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)").unwrap();
    }
    assert_eq!(count(&Connection::open(path.clone()).unwrap()), 1);
    assert_eq!(count(&Connection::open(path.to_str().unwrap()).unwrap()), 1);
    assert_eq!(count(&Connection::open(path.to_string_lossy().into_owned()).unwrap()), 1);
    assert_eq!(count(&Connection::open(path.as_path()).unwrap()), 1);
}

#[test]
fn a_config_opens_its_database_path_with_its_settings() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.database.path = Some(dir.path().join("db").to_str().unwrap().to_string());
    {
        let conn = Connection::open(&config).unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2)").unwrap();
    }
    assert_eq!(count(&Connection::open(config.clone()).unwrap()), 2);
    assert_eq!(count(&Connection::open_with_config(config).unwrap()), 2);

    let nowhere = Config::default();
    assert!(matches!(Connection::open(nowhere), Err(Error::Misuse(m)) if m.contains("database.path")));
}

#[test]
fn config_files_in_toml_or_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let toml = dir.path().join("heliosdb.toml");
    let json = dir.path().join("heliosdb.json");
    std::fs::write(&toml, format!("[database]\npath = {:?}\nbusy_timeout_ms = 250\n", db.to_str().unwrap())).unwrap();
    std::fs::write(&json, format!("{{\"database\": {{\"path\": {:?}}}}}", db.to_str().unwrap())).unwrap();
    {
        let conn = Connection::open_with_config(&toml).unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)").unwrap();
    }
    assert_eq!(count(&Connection::open_with_config(json.to_str().unwrap()).unwrap()), 1);
    assert_eq!(count(&Connection::open(Config::from_file(&json).unwrap()).unwrap()), 1);

    let missing = Connection::open_with_config(dir.path().join("nope.toml"));
    assert!(matches!(missing, Err(Error::Io(m)) if m.contains("cannot read")));
    std::fs::write(&toml, "[database]\nbogus_key = 1\n").unwrap();
    assert!(matches!(Connection::open_with_config(&toml), Err(Error::Sql(m)) if m.contains("bogus_key")));
}
