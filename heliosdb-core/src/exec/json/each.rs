//! The rows of the `json_each` and `json_tree` table functions, exactly as
//! SQLite 3.40 produces them, hidden `json` and `root` columns included.
//!
//! SQLite numbers the nodes of a parsed document in pre-order, an object
//! member's key taking a number before its value; `id` is the value's
//! number, and so it is here. Two SQLite quirks are kept on purpose: a
//! `json_tree` started below an array element prints that (outer) array's
//! index as `[0]` in `fullkey` and `path` (SQLite reads an index counter
//! that only the walk itself sets), and a `json_tree` or `json_each` started
//! at a scalar member has no `key`.

use super::node::{self, Node};
use super::path::lookup;
use crate::error::Result;
use crate::types::Value;

/// The columns of `json_each` and `json_tree`, the hidden `json` and `root` last.
pub const EACH_COLUMNS: [&str; 10] =
    ["key", "value", "type", "atom", "id", "parent", "fullkey", "path", "json", "root"];

/// One node of the document in SQLite's numbering.
struct Flat<'a> {
    node: &'a Node,
    id: i64,
    /// Index (in the flat list) of the enclosing array or object.
    up: Option<usize>,
    /// The member's key as written (objects), or the element's index (arrays).
    slot: Slot<'a>,
    /// Index one past the last node of this node's subtree.
    end: usize,
}

enum Slot<'a> {
    Root,
    Key(&'a str),
    Index(i64),
}

fn flatten<'a>(node: &'a Node, up: Option<usize>, slot: Slot<'a>, next_id: &mut i64, out: &mut Vec<Flat<'a>>) {
    let me = out.len();
    out.push(Flat { node, id: *next_id, up, slot, end: me + 1 });
    *next_id += 1;
    match node {
        Node::Array(items) | Node::Grown(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(item, Some(me), Slot::Index(i as i64), next_id, out);
            }
        }
        Node::Object(entries) => {
            for (k, v) in entries {
                let key = match k {
                    Node::Str(s) | Node::Label(s) => s.as_str(),
                    _ => "",
                };
                *next_id += 1; // the key's own node
                flatten(v, Some(me), Slot::Key(key), next_id, out);
            }
        }
        _ => {}
    }
    out[me].end = out.len();
}

/// `.key`, or `."key"` unless the key is a letter followed by letters and digits.
fn push_key(out: &mut String, raw: &str) {
    let b = raw.as_bytes();
    let plain = b.first().is_some_and(u8::is_ascii_alphabetic) && b.iter().all(u8::is_ascii_alphanumeric);
    if plain {
        out.push('.');
        out.push_str(raw);
    } else {
        out.push_str(".\"");
        out.push_str(raw);
        out.push('"');
    }
}

/// The `json_tree` path of `flat[i]`; `counters[j]` is the index SQLite's
/// walk has reached in array `j` (0 for arrays the walk never entered).
fn tree_path(flat: &[Flat], i: usize, counters: &[i64]) -> String {
    let Some(up) = flat[i].up else { return "$".into() };
    let mut s = tree_path(flat, up, counters);
    match flat[i].slot {
        Slot::Key(k) => push_key(&mut s, k),
        _ => s.push_str(&format!("[{}]", counters[up])),
    }
    s
}

/// The `key` column of a member: its decoded key or its index.
fn key_value(slot: &Slot) -> Value {
    match slot {
        Slot::Root => Value::Null,
        Slot::Key(k) => Value::Text(node::decode(k)),
        Slot::Index(i) => Value::Integer(*i),
    }
}

/// The value, type and atom columns of a node.
fn value_columns(n: &Node) -> Result<[Value; 3]> {
    let v = n.to_sql()?;
    let atom = if n.is_container() { Value::Null } else { v.clone() };
    Ok([v, Value::Text(n.type_name().into()), atom])
}

/// The rows `json_each(json, path)` (`recursive = false`) or
/// `json_tree(json, path)` (`recursive = true`) return, each with the
/// columns of [`EACH_COLUMNS`]. A NULL document or a path that names
/// nothing gives no rows.
///
/// # Errors
/// "malformed JSON" and "JSON path error near '…'", as in SQLite.
pub fn each_rows(json: &Value, path: Option<&str>, recursive: bool) -> Result<Vec<Vec<Value>>> {
    let text = match json {
        Value::Null => return Ok(Vec::new()),
        Value::Text(s) => s.clone(),
        other => crate::exec::arith::text_of(other),
    };
    let mut root = node::parse(&text)?;
    let root_path = path.unwrap_or("$");
    let target: *const Node = match lookup(&mut root, root_path, false)? {
        Some((n, _)) => n,
        None => return Ok(Vec::new()),
    };
    let mut flat = Vec::new();
    flatten(&root, None, Slot::Root, &mut 0, &mut flat);
    let Some(t) = flat.iter().position(|f| std::ptr::eq(f.node, target)) else { return Ok(Vec::new()) };
    let hidden = [Value::Text(text.clone()), Value::Text(root_path.to_owned())];
    let mut rows = Vec::new();
    if !recursive {
        let members: Vec<usize> = if flat[t].node.is_container() {
            (t + 1..flat[t].end).filter(|&i| flat[i].up == Some(t)).collect()
        } else {
            vec![t]
        };
        for i in members {
            let f = &flat[i];
            let mut fullkey = root_path.to_owned();
            let key = if i == t {
                Value::Null
            } else {
                match f.slot {
                    Slot::Key(k) => push_key(&mut fullkey, k),
                    Slot::Index(n) => fullkey.push_str(&format!("[{n}]")),
                    Slot::Root => {}
                }
                key_value(&f.slot)
            };
            let mut row = vec![key];
            row.extend(value_columns(f.node)?);
            row.extend([Value::Integer(f.id), Value::Null, Value::Text(fullkey), Value::Text(root_path.to_owned())]);
            row.extend(hidden.iter().cloned());
            rows.push(row);
        }
        return Ok(rows);
    }
    let mut counters = vec![0i64; flat.len()];
    for i in t..flat[t].end {
        let f = &flat[i];
        if i > t {
            if let (Some(up), Slot::Index(n)) = (f.up, &f.slot) {
                counters[up] = *n;
            }
        }
        let key = if i == t {
            // The start node shows its key only when it is an object member
            // that is itself an array or object.
            match f.slot {
                Slot::Key(_) if f.node.is_container() => key_value(&f.slot),
                _ => Value::Null,
            }
        } else {
            key_value(&f.slot)
        };
        let parent = match f.up {
            Some(up) if i > t => Value::Integer(flat[up].id),
            _ => Value::Null,
        };
        let up_path = f.up.map_or_else(|| "$".to_owned(), |up| tree_path(&flat, up, &counters));
        let mut row = vec![key];
        row.extend(value_columns(f.node)?);
        row.extend([Value::Integer(f.id), parent, Value::Text(tree_path(&flat, i, &counters)), Value::Text(up_path)]);
        row.extend(hidden.iter().cloned());
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows as SQLite's `.mode quote` prints them (without the hidden columns
    /// unless `hidden`), to compare with outputs taken from sqlite3 3.40.
    fn show(json: &str, path: Option<&str>, recursive: bool, hidden: bool) -> Vec<String> {
        let rows = each_rows(&Value::Text(json.into()), path, recursive).unwrap();
        rows.iter()
            .map(|r| {
                let n = if hidden { 10 } else { 8 };
                r[..n]
                    .iter()
                    .map(|v| match v {
                        Value::Null => "NULL".to_string(),
                        Value::Text(s) => format!("'{}'", s.replace('\'', "''")),
                        other => crate::exec::arith::text_of(other),
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    }

    const DOC: &str = r#"{"a":[1,2.5,{"b":null}],"c":"x\"y","d":true}"#;

    #[test]
    fn json_each_matches_sqlite() {
        let d = format!("'{DOC}','$'");
        assert_eq!(
            show(DOC, None, false, true),
            vec![
                format!("'a','[1,2.5,{{\"b\":null}}]','array',NULL,2,NULL,'$.a','$',{d}"),
                format!("'c','x\"y','text','x\"y',9,NULL,'$.c','$',{d}"),
                format!("'d',1,'true',1,11,NULL,'$.d','$',{d}"),
            ]
        );
        assert_eq!(
            show(DOC, Some("$.a"), false, false),
            vec![
                "0,1,'integer',1,3,NULL,'$.a[0]','$.a'",
                "1,2.5,'real',2.5,4,NULL,'$.a[1]','$.a'",
                "2,'{\"b\":null}','object',NULL,5,NULL,'$.a[2]','$.a'",
            ]
        );
        assert_eq!(show("5", None, false, false), vec!["NULL,5,'integer',5,0,NULL,'$','$'"]);
        assert_eq!(show(r#"{"a":5}"#, Some("$.a"), false, false), vec!["NULL,5,'integer',5,2,NULL,'$.a','$.a'"]);
        assert_eq!(
            show(r#"{"_a":1,"a1":2,"":3,"1":4,"a\"b":5,"é":6,"\u0041":7}"#, None, false, false)
                .iter()
                .map(|r| r.split(',').take(1).chain(r.split(',').skip(6).take(1)).collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>(),
            vec![
                "'_a' '$.\"_a\"'",
                "'a1' '$.a1'",
                "'' '$.\"\"'",
                "'1' '$.\"1\"'",
                "'a\"b' '$.\"a\\\"b\"'",
                "'é' '$.\"é\"'",
                "'A' '$.\"\\u0041\"'"
            ]
        );
        assert_eq!(
            show(r#"{"a":[5]}"#, Some(r#"$."a""#), false, true)[0],
            r#"0,5,'integer',5,3,NULL,'$."a"[0]','$."a"','{"a":[5]}','$."a"'"#
        );
        assert!(show("[1]", Some("$.x"), false, false).is_empty());
        assert!(each_rows(&Value::Null, None, false).unwrap().is_empty());
        assert!(each_rows(&Value::Text("[1".into()), None, false).unwrap_err().to_string().contains("malformed JSON"));
        assert!(each_rows(&Value::Text("[1]".into()), Some("x"), false).unwrap_err().to_string().contains("near 'x'"));
    }

    #[test]
    fn json_tree_matches_sqlite() {
        assert_eq!(
            show(DOC, None, true, false),
            vec![
                format!("NULL,'{DOC}','object',NULL,0,NULL,'$','$'"),
                "'a','[1,2.5,{\"b\":null}]','array',NULL,2,0,'$.a','$'".to_string(),
                "0,1,'integer',1,3,2,'$.a[0]','$.a'".to_string(),
                "1,2.5,'real',2.5,4,2,'$.a[1]','$.a'".to_string(),
                "2,'{\"b\":null}','object',NULL,5,2,'$.a[2]','$.a'".to_string(),
                "'b',NULL,'null',NULL,7,5,'$.a[2].b','$.a[2]'".to_string(),
                "'c','x\"y','text','x\"y',9,0,'$.c','$'".to_string(),
                "'d',1,'true',1,11,0,'$.d','$'".to_string(),
            ]
        );
        assert_eq!(
            show(r#"{"a":{"b":{"c":1}}}"#, Some("$.a.b"), true, false),
            vec!["'b','{\"c\":1}','object',NULL,4,NULL,'$.a.b','$.a'", "'c',1,'integer',1,6,4,'$.a.b.c','$.a.b'"]
        );
        assert_eq!(show(r#"{"a":5}"#, Some("$.a"), true, false), vec!["NULL,5,'integer',5,2,NULL,'$.a','$'"]);
        // SQLite's quirk: an array outside the walk prints its index as [0].
        assert_eq!(
            show(r#"[1,[2,{"x":3}]]"#, Some("$[1]"), true, false),
            vec![
                "NULL,'[2,{\"x\":3}]','array',NULL,2,NULL,'$[0]','$'",
                "0,2,'integer',2,3,2,'$[0][0]','$[0]'",
                "1,'{\"x\":3}','object',NULL,4,2,'$[0][1]','$[0]'",
                "'x',3,'integer',3,6,4,'$[0][1].x','$[0][1]'",
            ]
        );
        assert_eq!(
            show(r#"[1,[2,{"x":3}]]"#, Some("$[1][1].x"), true, false),
            vec!["NULL,3,'integer',3,6,NULL,'$[0][0].x','$[0][0]'"]
        );
        assert_eq!(
            show(r#"{"_a":[1],"é":{"b":2}}"#, None, true, false)
                .iter()
                .map(|r| {
                    // key, then fullkey and path (the root row's value has commas of its own)
                    let f: Vec<&str> = r.split(',').collect();
                    [f[0], f[f.len() - 2], f[f.len() - 1]].join(" ")
                })
                .collect::<Vec<_>>(),
            vec![
                "NULL '$' '$'",
                "'_a' '$.\"_a\"' '$'",
                "0 '$.\"_a\"[0]' '$.\"_a\"'",
                "'é' '$.\"é\"' '$'",
                "'b' '$.\"é\".b' '$.\"é\"'"
            ]
        );
    }

    #[test]
    fn values_follow_json_extract() {
        let rows =
            each_rows(&Value::Text(r#"["\u0041", 1e400, 99999999999999999999, -0.0]"#.into()), None, false).unwrap();
        let cols: Vec<(Value, Value)> = rows.iter().map(|r| (r[1].clone(), r[2].clone())).collect();
        assert_eq!(cols[0], (Value::Text("A".into()), Value::Text("text".into())));
        assert_eq!(cols[1], (Value::Real(f64::INFINITY), Value::Text("real".into())));
        assert_eq!(cols[2], (Value::Real(1e20), Value::Text("integer".into())));
        assert_eq!(cols[3].1, Value::Text("real".into()));
    }
}
