//! Differential test of catalog introspection: generated schemas (tables
//! with typed columns, NOT NULL, literal defaults, single, INTEGER and
//! composite primary keys, UNIQUE constraints, indexes, foreign keys with
//! their ON DELETE actions) are created on HeliosDB and on SQLite 3.40, and
//! what `PRAGMA table_info`, `index_list`, `index_info`, `foreign_key_list`,
//! `table_list` and `sqlite_schema` report must agree.
//!
//! Left out, as documented in README's SQL reference: the names SQLite gives
//! constraint indexes (`sqlite_autoindex_t_1`; HeliosDB: `t_autoindex_1`),
//! the `origin = 'pk'` index SQLite keeps for a non-INTEGER primary key
//! (HeliosDB keys the rows themselves by it), `table_list.wr` (such a table
//! has no rowid in HeliosDB), the order of `foreign_key_list` ids, the text
//! of `sql` and of `dflt_value` (HeliosDB stores its parser's rendering,
//! `X'0aff'` for `x'0aff'`), and NOT NULL written
//! on a primary-key column (HeliosDB implies it and reports the column as
//! SQLite reports an undeclared one).

mod common;
use common::{helios_rows, results_agree, sqlite_rows, Pick, Rng};

/// A table under construction: its columns' names and types.
struct Table {
    name: String,
    columns: Vec<(String, &'static str)>,
    /// Columns a foreign key may reference: its primary key when that is one column.
    key: Option<String>,
}

fn literal(rng: &mut Rng, ty: &str) -> String {
    match ty {
        "INTEGER" => rng.int_in(-50, 50).to_string(),
        "REAL" => format!("{}.5", rng.int_in(-9, 9)),
        "BLOB" => "X'0aff'".into(), // HeliosDB renders a default's text as its parser does: X'…'
        _ => rng.pick(&["'x'", "'it''s'", "''", "'a b'"]).into(),
    }
}

/// One CREATE TABLE (and its indexes) as both engines take it.
fn create_table(rng: &mut Rng, n: usize, parents: &[Table]) -> (Table, Vec<String>) {
    let name = format!("t{n}");
    let ncols = 2 + rng.below(4);
    let mut columns = Vec::new();
    let mut defs = Vec::new();
    let pk_kind = rng.below(4); // 0 none, 1 INTEGER PRIMARY KEY, 2 single other, 3 composite
    for c in 0..ncols {
        let col = format!("c{c}");
        let ty = if c == 0 && pk_kind == 1 { "INTEGER" } else { rng.pick(&["INTEGER", "TEXT", "REAL", "BLOB"]) };
        let mut def = format!("{col} {ty}");
        let in_pk = (c == 0 && (pk_kind == 1 || pk_kind == 2)) || (c < 2 && pk_kind == 3);
        if c == 0 && (pk_kind == 1 || pk_kind == 2) {
            def.push_str(" PRIMARY KEY");
        } else if !in_pk && rng.chance(30) {
            def.push_str(" NOT NULL");
        }
        if !in_pk && rng.chance(30) {
            def.push_str(&format!(" DEFAULT {}", literal(rng, ty)));
        }
        if !in_pk && c > 0 && rng.chance(30) && !parents.is_empty() {
            let parent = &parents[rng.below(parents.len())];
            if let Some(key) = &parent.key {
                let action = rng.pick(&["", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON DELETE NO ACTION"]);
                def.push_str(&format!(" REFERENCES {} ({key}){action}", parent.name));
            }
        }
        defs.push(def);
        columns.push((col, ty));
    }
    if pk_kind == 3 {
        defs.push("PRIMARY KEY (c0, c1)".into());
    }
    if rng.chance(40) {
        let a = 1 + rng.below(ncols - 1);
        defs.push(format!("UNIQUE ({})", columns[a].0));
    }
    let key = match pk_kind {
        1 | 2 => Some("c0".to_string()),
        _ => None,
    };
    let mut sql = vec![format!("CREATE TABLE {name} ({})", defs.join(", "))];
    for i in 0..rng.below(3) {
        let a = rng.below(ncols);
        let b = rng.below(ncols);
        let cols = if a == b { columns[a].0.clone() } else { format!("{}, {} DESC", columns[a].0, columns[b].0) };
        let unique = if rng.chance(30) { "UNIQUE " } else { "" };
        sql.push(format!("CREATE {unique}INDEX {name}_i{i} ON {name} ({cols})"));
    }
    (Table { name, columns, key }, sql)
}

fn compare(h: &heliosdb_core::Connection, s: &rusqlite::Connection, sql: &str, schema: &str, ordered: bool) {
    let hr = helios_rows(h, sql).unwrap_or_else(|e| panic!("HeliosDB failed on {sql}: {e}\nschema:\n{schema}"));
    let sr = sqlite_rows(s, sql).unwrap_or_else(|e| panic!("SQLite failed on {sql}: {e}\nschema:\n{schema}"));
    assert!(
        results_agree(hr.clone(), sr.clone(), ordered),
        "{sql}\nHeliosDB: {hr:?}\nSQLite:   {sr:?}\nschema:\n{schema}"
    );
}

#[test]
fn heliosdb_reports_its_catalog_as_sqlite_does() {
    let mut rng = Rng(0x5eed_ca7a_1065);
    for _round in 0..80 {
        let h = heliosdb_core::Connection::open_in_memory().unwrap();
        let s = rusqlite::Connection::open_in_memory().unwrap();
        s.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        let mut tables: Vec<Table> = Vec::new();
        let mut schema = String::new();
        for n in 0..1 + rng.below(3) {
            let (table, sql) = create_table(&mut rng, n, &tables);
            for stmt in &sql {
                schema.push_str(stmt);
                schema.push_str(";\n");
                h.execute_batch(stmt).unwrap_or_else(|e| panic!("HeliosDB refused {stmt}: {e}"));
                s.execute_batch(stmt).unwrap_or_else(|e| panic!("SQLite refused {stmt}: {e}"));
            }
            tables.push(table);
        }
        for t in &tables {
            let name = &t.name;
            compare(&h, &s, &format!("SELECT * FROM pragma_table_info('{name}') ORDER BY cid"), &schema, true);
            compare(&h, &s, &format!("PRAGMA table_info({name})"), &schema, true);
            compare(
                &h,
                &s,
                &format!("SELECT \"unique\", origin, partial FROM pragma_index_list('{name}') WHERE origin <> 'pk'"),
                &schema,
                false,
            );
            compare(
                &h,
                &s,
                &format!(
                    "SELECT l.name, i.seqno, i.cid, i.name FROM pragma_index_list('{name}') AS l, pragma_index_info(l.name) AS i WHERE l.origin = 'c'"
                ),
                &schema,
                false,
            );
            compare(
                &h,
                &s,
                &format!(
                    "SELECT seq, \"table\", \"from\", \"to\", on_update, on_delete, \"match\" FROM pragma_foreign_key_list('{name}')"
                ),
                &schema,
                false,
            );
            assert!(!t.columns.is_empty());
        }
        compare(
            &h,
            &s,
            "SELECT schema, name, type, ncol, strict FROM pragma_table_list WHERE name NOT LIKE 'sqlite%'",
            &schema,
            false,
        );
        compare(
            &h,
            &s,
            "SELECT type, tbl_name, sql IS NULL FROM sqlite_schema  WHERE name NOT LIKE '%autoindex%'",
            &schema,
            false,
        );
    }
}
