//! The JSON1 scalar functions on evaluated arguments. Each returns its
//! value with SQLite's JSON subtype flag (`true`: the text is JSON that a
//! JSON-building function embeds as is instead of quoting it).

use super::node::{self, malformed, push_quoted, push_value, Node};
use super::path::lookup;
use crate::error::{sql_err, Result};
use crate::exec::arith::text_of;
use crate::types::Value;

/// An SQL value with its JSON-subtype flag.
pub type Typed = (Value, bool);

/// The document an argument holds, or `None` for NULL (SQLite reads any
/// non-NULL argument as text: numbers by their text, blobs by their bytes).
fn doc(v: &Value) -> Result<Option<Node>> {
    match v {
        Value::Null => Ok(None),
        Value::Text(s) => node::parse(s).map(Some),
        other => node::parse(&text_of(other)).map(Some),
    }
}

/// A path argument as text (`None` for NULL).
fn path_text(v: &Value) -> Option<String> {
    (!v.is_null()).then(|| text_of(v))
}

/// The JSON result of a node: its SQL value, JSON-typed when it is an array or object.
fn returned(n: &Node) -> Result<Typed> {
    Ok((n.to_sql()?, n.is_container()))
}

/// `json(x)`: the minified text.
pub fn json(x: &Value) -> Result<Typed> {
    Ok(match doc(x)? {
        Some(n) => (Value::Text(n.render()?), true),
        None => (Value::Null, false),
    })
}

/// `json_valid(x)`: 1 when `x` is well-formed JSON, else 0 (NULL included, as in SQLite 3.40).
pub fn valid(x: &Value) -> Value {
    Value::Integer(i64::from(!x.is_null() && doc(x).is_ok()))
}

/// `json_extract(x, path, …)`: one path gives the SQL value (NULL when
/// absent), several a JSON array of the nodes (`null` where absent).
///
/// # Errors
/// Malformed JSON or paths.
pub fn extract(args: &[Value]) -> Result<Typed> {
    let Some((x, paths)) = args.split_first() else { return Ok((Value::Null, false)) };
    if paths.is_empty() {
        return Ok((Value::Null, false));
    }
    let Some(mut root) = doc(x)? else { return Ok((Value::Null, false)) };
    if let [p] = paths {
        let Some(p) = path_text(p) else { return Ok((Value::Null, false)) };
        return match lookup(&mut root, &p, false)? {
            Some((n, _)) => returned(n),
            None => Ok((Value::Null, false)),
        };
    }
    let mut out = String::from("[");
    for (i, p) in paths.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let found = match path_text(p) {
            Some(p) => lookup(&mut root, &p, false)?.map(|(n, _)| n.render()).transpose()?,
            None => None,
        };
        out.push_str(found.as_deref().unwrap_or("null"));
    }
    out.push(']');
    Ok((Value::Text(out), true))
}

/// `x -> p` (`json = true`: the node's JSON text) and `x ->> p` (its SQL
/// value). A right side that does not start with `$` is short for `$[N]`
/// (digits), `$[…]` (`[…]`) or `$.label` (SQLite 3.38+).
///
/// # Errors
/// Malformed JSON or paths.
pub fn arrow(x: &Value, p: &Value, json: bool) -> Result<Typed> {
    let Some(mut root) = doc(x)? else { return Ok((Value::Null, false)) };
    // SQLite 3.40 decides on the text, so `-1` is the label "-1".
    let path = match p {
        Value::Null => return Ok((Value::Null, false)),
        other => {
            let t = text_of(other);
            if t.starts_with('$') {
                t
            } else if t.starts_with(|c: char| c.is_ascii_digit()) {
                format!("$[{t}]")
            } else if t.starts_with('[') {
                format!("${t}")
            } else {
                format!("$.{t}")
            }
        }
    };
    Ok(match lookup(&mut root, &path, false)? {
        Some((n, _)) if json => (Value::Text(n.render()?), true),
        Some((n, _)) => (n.to_sql()?, false),
        None => (Value::Null, false),
    })
}

/// The node an optional path argument names (the root without one; none
/// for a NULL path or one that names nothing).
fn node_at<'a>(root: &'a mut Node, path: Option<&Value>) -> Result<Option<&'a mut Node>> {
    match path {
        None => Ok(Some(root)),
        Some(p) => match path_text(p) {
            Some(p) => Ok(lookup(root, &p, false)?.map(|(n, _)| n)),
            None => Ok(None),
        },
    }
}

/// `json_type(x [, path])`.
///
/// # Errors
/// Malformed JSON or paths.
pub fn type_of(args: &[Value]) -> Result<Value> {
    let Some(mut root) = doc(&args[0])? else { return Ok(Value::Null) };
    let found = node_at(&mut root, args.get(1))?;
    Ok(found.map_or(Value::Null, |n| Value::Text(n.type_name().into())))
}

/// `json_array_length(x [, path])`: elements of an array, 0 for other values.
///
/// # Errors
/// Malformed JSON or paths.
pub fn array_length(args: &[Value]) -> Result<Value> {
    let Some(mut root) = doc(&args[0])? else { return Ok(Value::Null) };
    let found = node_at(&mut root, args.get(1))?;
    Ok(match found.map(|n| n.unwrapped()) {
        None => Value::Null,
        Some(Node::Array(items) | Node::Grown(items)) => {
            Value::Integer(items.iter().filter(|n| !matches!(n, Node::Removed(_))).count() as i64)
        }
        Some(_) => Value::Integer(0),
    })
}

/// `json_array(v, …)`.
///
/// # Errors
/// A blob argument.
pub fn array(args: &[Typed]) -> Result<Typed> {
    let mut out = String::from("[");
    for (i, (v, is_json)) in args.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_value(&mut out, v, *is_json)?;
    }
    out.push(']');
    Ok((Value::Text(out), true))
}

/// `json_object(label, value, …)`.
///
/// # Errors
/// An odd number of arguments, a label that is not text, a blob value.
pub fn object(args: &[Typed]) -> Result<Typed> {
    if !args.len().is_multiple_of(2) {
        return Err(sql_err!("json_object() requires an even number of arguments"));
    }
    let mut out = String::from("{");
    for (i, pair) in args.chunks(2).enumerate() {
        let Value::Text(label) = &pair[0].0 else {
            return Err(sql_err!("json_object() labels must be TEXT"));
        };
        if i > 0 {
            out.push(',');
        }
        push_quoted(&mut out, label);
        out.push(':');
        push_value(&mut out, &pair[1].0, pair[1].1)?;
    }
    out.push('}');
    Ok((Value::Text(out), true))
}

/// `json_quote(v)`: the JSON spelling of an SQL value.
///
/// # Errors
/// A blob.
pub fn quote(v: &Typed) -> Result<Typed> {
    let mut out = String::new();
    push_value(&mut out, &v.0, v.1)?;
    Ok((Value::Text(out), true))
}

/// Which edit [`edit`] makes at each path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// `json_set`: overwrite or add.
    Set,
    /// `json_insert`: add only.
    Insert,
    /// `json_replace`: overwrite only.
    Replace,
}

/// `json_set` / `json_insert` / `json_replace(x, path, value, …)`; NULL
/// paths are skipped, a replaced root returns the new value itself.
///
/// # Errors
/// An even number of arguments, malformed JSON or paths, blob values.
pub fn edit(kind: Edit, args: &[Typed]) -> Result<Typed> {
    let Some(((x, _), pairs)) = args.split_first() else { return Ok((Value::Null, false)) };
    if !pairs.len().is_multiple_of(2) {
        let name = match kind {
            Edit::Set => "set",
            Edit::Insert => "insert",
            Edit::Replace => "replace",
        };
        return Err(sql_err!("json_{name}() needs an odd number of arguments"));
    }
    let Some(mut root) = doc(x)? else { return Ok((Value::Null, false)) };
    for pair in pairs.chunks(2) {
        let Some(p) = path_text(&pair[0].0) else { continue };
        let found = lookup(&mut root, &p, kind != Edit::Replace)?;
        if let Some((n, added)) = found {
            if added || kind != Edit::Insert {
                *n = Node::Sql(pair[1].0.clone(), pair[1].1);
            }
        }
    }
    if let Node::Sql(v, is_json) = root {
        return Ok((v, is_json));
    }
    Ok((Value::Text(root.render()?), true))
}

/// `json_remove(x, path, …)`: NULL when a path is NULL or the root is removed.
///
/// # Errors
/// Malformed JSON or paths.
pub fn remove(args: &[Value]) -> Result<Typed> {
    let Some((x, paths)) = args.split_first() else { return Ok((Value::Null, false)) };
    let Some(mut root) = doc(x)? else { return Ok((Value::Null, false)) };
    for p in paths {
        let Some(p) = path_text(p) else { return Ok((Value::Null, false)) };
        if let Some((n, _)) = lookup(&mut root, &p, false)? {
            if !matches!(n, Node::Removed(_)) {
                *n = Node::Removed(Box::new(std::mem::replace(n, Node::Null)));
            }
        }
    }
    if matches!(root, Node::Removed(_)) {
        return Ok((Value::Null, false));
    }
    Ok((Value::Text(root.render()?), true))
}

/// `json_patch(target, patch)`: RFC 7396 merge-patch as SQLite 3.40 does it
/// (members matched by their key as written; values a patch adds lose
/// their `null` members, also in nested objects but not inside arrays).
///
/// # Errors
/// Malformed JSON.
pub fn patch(target: &Value, patch: &Value) -> Result<Typed> {
    let (Some(t), Some(p)) = (doc(target)?, doc(patch)?) else { return Ok((Value::Null, false)) };
    Ok((Value::Text(merge(t, &p).render()?), true))
}

fn merge(target: Node, patch: &Node) -> Node {
    let Node::Object(members) = patch else { return patch.clone() };
    let Node::Object(mut entries) = target else { return without_nulls(patch) };
    let original = entries.len();
    // SQLite flags a member once a patch removed or replaced it; a later
    // member of the patch with the same key then changes nothing.
    let mut done = vec![false; original];
    for (key, value) in members {
        match entries[..original].iter().position(|(k, _)| k == key) {
            Some(j) if done[j] => {}
            Some(j) => {
                let old = std::mem::replace(&mut entries[j].1, Node::Null);
                let in_place = matches!(old, Node::Object(_)) && matches!(value, Node::Object(_));
                entries[j].1 =
                    if matches!(value, Node::Null) { Node::Removed(Box::new(old)) } else { merge(old, value) };
                done[j] = !in_place;
            }
            None if !matches!(value, Node::Null) => entries.push((key.clone(), without_nulls(value))),
            None => {}
        }
    }
    Node::Object(entries)
}

/// `n` without the `null` members of its objects (arrays are left alone).
fn without_nulls(n: &Node) -> Node {
    match n {
        Node::Object(entries) => Node::Object(
            entries
                .iter()
                .filter(|(_, v)| !matches!(v, Node::Null))
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Checks that `text` is JSON (a JSON column's write check).
///
/// # Errors
/// "malformed JSON".
pub fn check(text: &str) -> Result<()> {
    node::parse(text).map(|_| ()).map_err(|_| malformed())
}
