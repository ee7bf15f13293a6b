//! `.dump [TABLE..] [--as-of SCN]`: SQL text that recreates the schema and
//! the data, in `sqlite3`'s layout (one transaction; each table's CREATE
//! then its rows, parents before children; indexes, views and triggers after
//! all data, so triggers do not fire and indexes are built once; then
//! materialized views, which compute their rows outside the transaction;
//! then change feeds, which start at the load: a feed's position and
//! pending changes belong to the database it was read from).
//!
//! Plain tables, their indexes, views and triggers load into `sqlite3` as
//! well; materialized views and `WITH (…)` options are HeliosDB's own. The
//! dump is logical: it holds each table's rows as of one point (now, or
//! `--as-of SCN`), not their history.

use crate::inspect::quote_ident;
use crate::shell::Shell;
use heliosdb_core::{SchemaObject, Value};
use std::fmt::Write as _;
use std::io::Write as _;

/// A value as an SQL literal that reads back as the same value.
pub fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) if f.is_nan() => "NULL".into(),
        Value::Real(f) if f.is_infinite() => (if *f > 0.0 { "1e999" } else { "-1e999" }).into(),
        // `{:?}` is the shortest text that parses back to the same double,
        // and always has a decimal point or an exponent (`0.1`, `2.0`, `1e300`).
        Value::Real(f) => format!("{f:?}"),
        Value::Boolean(b) => (if *b { "1" } else { "0" }).into(),
        // Quoted, so a DECIMAL column takes every digit (an unquoted
        // literal would be read as a REAL first); SQLite's NUMERIC affinity
        // turns the text into a number.
        Value::Decimal(d) => format!("'{d}'"),
        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
        Value::Blob(b) => {
            let mut s = String::with_capacity(3 + b.len() * 2);
            s.push_str("X'");
            for byte in b {
                let _ = write!(s, "{byte:02X}");
            }
            s.push('\'');
            s
        }
    }
}

fn is_materialized_view(o: &SchemaObject) -> bool {
    o.sql.as_deref().is_some_and(|s| {
        let words: Vec<String> = s.split_whitespace().take(3).map(str::to_ascii_uppercase).collect();
        words.len() == 3 && words[0] == "CREATE" && words[1] == "MATERIALIZED" && words[2] == "VIEW"
    })
}

impl Shell {
    pub(crate) fn dump(&mut self, args: &[&str]) -> Result<(), String> {
        let mut tables: Vec<&str> = Vec::new();
        let mut as_of = None;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match *a {
                "--as-of" => {
                    let v = it.next().ok_or("--as-of needs an SCN")?;
                    as_of = Some(v.parse::<u64>().map_err(|_| format!("--as-of needs an SCN (a number), not {v}"))?);
                }
                other if other.starts_with('-') => return Err(format!("unknown .dump option {other}")),
                other => tables.push(other),
            }
        }
        let objects = self.conn.schema_objects();
        for t in &tables {
            if !objects.iter().any(|o| o.name.eq_ignore_ascii_case(t)) {
                return Err(format!("no such table: {t}"));
            }
        }
        let wanted = |o: &SchemaObject| tables.is_empty() || tables.iter().any(|t| t.eq_ignore_ascii_case(&o.table));
        // No `PRAGMA foreign_keys=OFF`: HeliosDB always enforces foreign
        // keys, so parents are dumped before the tables that refer to them.
        self.print("BEGIN TRANSACTION;\n")?;
        let tables: Vec<&SchemaObject> =
            objects.iter().filter(|o| o.kind == "table" && !is_materialized_view(o) && wanted(o)).collect();
        for o in self.parents_first(tables.clone())? {
            let Some(sql) = &o.sql else { continue };
            self.print(&format!("{sql};\n"))?;
            self.dump_rows(&o.name, as_of)?;
        }
        let later = objects
            .iter()
            .filter(|o| o.kind == "index")
            .chain(objects.iter().filter(|o| o.kind == "view"))
            .chain(objects.iter().filter(|o| o.kind == "trigger"));
        let mut text = String::new();
        for o in later.filter(|o| wanted(o)) {
            if let Some(sql) = &o.sql {
                let _ = writeln!(text, "{sql};");
            }
        }
        text.push_str("COMMIT;\n");
        // Materialized views compute their rows when created, which cannot
        // happen inside a transaction; they may read views, so they come last.
        for o in objects.iter().filter(|o| is_materialized_view(o) && wanted(o)) {
            if let Some(sql) = &o.sql {
                let _ = writeln!(text, "{sql};");
            }
        }
        for (feed, feed_tables) in self.changefeeds()? {
            if feed_tables.iter().all(|t| tables.iter().any(|o| o.name.eq_ignore_ascii_case(t))) {
                let list: Vec<String> = feed_tables.iter().map(|t| quote_ident(t)).collect();
                let _ = writeln!(text, "CREATE CHANGEFEED {} FOR TABLE {};", quote_ident(&feed), list.join(", "));
            }
        }
        self.print(&text)
    }

    /// Each change feed's name and tables.
    fn changefeeds(&self) -> Result<Vec<(String, Vec<String>)>, String> {
        let mut st = self.conn.prepare("SELECT name, tables FROM heliosdb_changefeeds").map_err(|e| e.to_string())?;
        let mut rows = st.query(()).map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(|e| e.to_string())? {
            let name: String = r.get(0).map_err(|e| e.to_string())?;
            let tables: String = r.get(1).map_err(|e| e.to_string())?;
            out.push((name, tables.split(", ").map(str::to_string).collect()));
        }
        Ok(out)
    }

    /// `tables` ordered so that each comes after the tables its foreign keys
    /// name (a cycle, which cannot be loaded row by row anyway, keeps its order).
    fn parents_first<'a>(&self, tables: Vec<&'a SchemaObject>) -> Result<Vec<&'a SchemaObject>, String> {
        let mut parents = Vec::with_capacity(tables.len());
        for t in &tables {
            let mut st =
                self.conn.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)").map_err(|e| e.to_string())?;
            let mut rows = st.query([t.name.as_str()]).map_err(|e| e.to_string())?;
            let mut names = Vec::new();
            while let Some(r) = rows.next().map_err(|e| e.to_string())? {
                names.push(r.get::<_, String>(0).map_err(|e| e.to_string())?.to_ascii_lowercase());
            }
            parents.push(names);
        }
        let mut done = vec![false; tables.len()];
        let mut order = Vec::with_capacity(tables.len());
        while order.len() < tables.len() {
            let ready = (0..tables.len()).find(|&i| {
                !done[i]
                    && parents[i].iter().all(|p| {
                        *p == tables[i].name.to_ascii_lowercase()
                            || tables.iter().zip(&done).all(|(t, d)| *d || t.name.to_ascii_lowercase() != *p)
                    })
            });
            // In a cycle nothing is ready: take the first left, in catalog order.
            let i = ready.or_else(|| done.iter().position(|d| !d)).unwrap_or(0);
            done[i] = true;
            order.push(tables[i]);
        }
        Ok(order)
    }

    /// One `INSERT` per row of `table`, as of `as_of` when given.
    fn dump_rows(&mut self, table: &str, as_of: Option<u64>) -> Result<(), String> {
        let name = quote_ident(table);
        let point = as_of.map(|scn| format!(" AS OF SCN {scn}")).unwrap_or_default();
        let Shell { conn, out, .. } = self;
        let mut st = conn.prepare(&format!("SELECT * FROM {name}{point}")).map_err(|e| e.to_string())?;
        let mut rows = st.query(()).map_err(|e| e.to_string())?;
        let mut line = String::new();
        while let Some(r) = rows.next().map_err(|e| e.to_string())? {
            line.clear();
            let _ = write!(line, "INSERT INTO {name} VALUES(");
            for (i, v) in r.values().iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                line.push_str(&literal(v));
            }
            line.push_str(");\n");
            out.write_all(line.as_bytes()).map_err(|e| format!("cannot write output: {e}"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::literal;
    use heliosdb_core::Value;

    #[test]
    fn literals_read_back_as_the_same_value() {
        assert_eq!(literal(&Value::Null), "NULL");
        assert_eq!(literal(&Value::Integer(-7)), "-7");
        assert_eq!(literal(&Value::Real(0.1)), "0.1");
        assert_eq!(literal(&Value::Real(2.0)), "2.0");
        assert_eq!(literal(&Value::Real(1e300)), "1e300");
        assert_eq!(literal(&Value::Real(f64::INFINITY)), "1e999");
        assert_eq!(literal(&Value::from("it's")), "'it''s'");
        assert_eq!(literal(&Value::Blob(vec![0, 0xab])), "X'00AB'");
    }
}
