//! JSON paths (`$`, `.key`, `."quoted key"`, `[N]`, `[#]`, `[#-N]`) walked
//! step by step as SQLite 3.40's `jsonLookupStep` walks them: the path is
//! checked only as far as the document takes it (`$.x[oops]` on a document
//! without `x` is NULL, not an error), and with `create` (json_set,
//! json_insert) missing object members and the element just past an
//! array's end are added.

use super::node::Node;
use crate::error::{sql_err, Error};

/// The error for a path SQLite rejects, naming the rest of the path from
/// where it went wrong.
pub fn path_error(near: &str) -> Error {
    sql_err!("JSON path error near '{}'", near.replace('\'', "''"))
}

/// Finds the node `path` names in `root` (and, with `create`, adds what is
/// missing). `Ok(None)`: no such node. The flag returned is true when the
/// node was added by this call.
///
/// # Errors
/// A malformed path ("JSON path error near '…'").
pub fn lookup<'a>(root: &'a mut Node, path: &str, create: bool) -> Result<Option<(&'a mut Node, bool)>, Error> {
    let Some(rest) = path.strip_prefix('$') else {
        return Err(path_error(path));
    };
    let mut added = false;
    match step(root, rest, create, &mut added) {
        Ok(found) => Ok(found.map(|n| (n, added))),
        Err(near) => Err(path_error(near)),
    }
}

/// One step of the walk; `Err` carries the rest of the path where it broke.
fn step<'a, 'p>(
    node: &'a mut Node,
    path: &'p str,
    create: bool,
    added: &mut bool,
) -> Result<Option<&'a mut Node>, &'p str> {
    if path.is_empty() {
        return Ok(Some(node));
    }
    // A value an edit put here is not entered; a removed one still is.
    let node = match node {
        Node::Sql(..) => return Ok(None),
        Node::Removed(inner) => inner.as_mut(),
        other => other,
    };
    let bytes = path.as_bytes();
    match bytes[0] {
        b'.' => {
            let Node::Object(entries) = node else { return Ok(None) };
            let after_dot = &path[1..];
            let (key, rest) = if let Some(quoted) = after_dot.strip_prefix('"') {
                match quoted.find('"') {
                    Some(end) => (&quoted[..end], &quoted[end + 1..]),
                    None => return Err(after_dot),
                }
            } else {
                let end = after_dot.find(['.', '[']).unwrap_or(after_dot.len());
                if end == 0 {
                    return Err(after_dot);
                }
                (&after_dot[..end], &after_dot[end..])
            };
            if let Some(pos) = entries.iter().position(|(k, _)| label_is(k, key)) {
                return step(&mut entries[pos].1, rest, create, added);
            }
            if !create {
                return Ok(None);
            }
            match build(rest, added)? {
                Some(new) => {
                    entries.push((Node::Label(key.to_owned()), new));
                    let last = entries.len() - 1;
                    step(&mut entries[last].1, rest, false, &mut false)
                }
                None => Ok(None),
            }
        }
        b'[' => {
            let digits = bytes[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            // SQLite accumulates the index in 32 bits.
            let mut index =
                bytes[1..=digits].iter().fold(0u32, |i, d| i.wrapping_mul(10).wrapping_add(u32::from(d - b'0')));
            let mut close = 1 + digits;
            if digits == 0 || bytes.get(close) != Some(&b']') {
                if bytes.get(1) != Some(&b'#') {
                    return Err(path);
                }
                let (Node::Array(items) | Node::Grown(items)) = &*node else { return Ok(None) };
                let count = items.iter().filter(|n| !matches!(n, Node::Removed(_))).count() as u32;
                index = count;
                close = 2;
                if bytes.get(2) == Some(&b'-') && bytes.get(3).is_some_and(u8::is_ascii_digit) {
                    let n = bytes[3..].iter().take_while(|b| b.is_ascii_digit()).count();
                    let back =
                        bytes[3..3 + n].iter().fold(0u32, |x, d| x.wrapping_mul(10).wrapping_add(u32::from(d - b'0')));
                    if back > count {
                        return Ok(None);
                    }
                    index = count - back;
                    close = 3 + n;
                }
                if bytes.get(close) != Some(&b']') {
                    return Err(path);
                }
            }
            let rest = &path[close + 1..];
            let (found, live_count, last, grown) = match &*node {
                Node::Array(items) | Node::Grown(items) => {
                    let mut live = items.iter().enumerate().filter(|(_, n)| !matches!(n, Node::Removed(_)));
                    let found = live.nth(index as usize).map(|(pos, _)| pos);
                    let live_count = items.iter().filter(|n| !matches!(n, Node::Removed(_))).count();
                    (found, live_count, items.len().saturating_sub(1), matches!(node, Node::Grown(_)))
                }
                _ => return Ok(None),
            };
            if let Some(pos) = found {
                // SQLite 3.40 quirk: once this call appended to the array,
                // its walk ends in the last appended block, so every index
                // that exists finds the element appended last.
                let pos = if grown { last } else { pos };
                let (Node::Array(items) | Node::Grown(items)) = node else { return Ok(None) };
                return step(&mut items[pos], rest, create, added);
            }
            if !create || index as usize != live_count {
                return Ok(None);
            }
            let Some(new) = build(rest, added)? else { return Ok(None) };
            let mut items = match node {
                Node::Array(items) | Node::Grown(items) => std::mem::take(items),
                _ => return Ok(None),
            };
            items.push(new);
            *node = Node::Grown(items);
            match node {
                Node::Grown(items) => {
                    let last = items.len() - 1;
                    step(&mut items[last], rest, false, &mut false)
                }
                _ => Ok(None),
            }
        }
        _ => Err(path),
    }
}

/// The subtree a missing node at `path` grows into (SQLite's
/// `jsonLookupAppend`): `null` at the end of the path, an object for
/// `.key`, an array for `[0]`; anything else adds nothing.
fn build<'p>(path: &'p str, added: &mut bool) -> Result<Option<Node>, &'p str> {
    *added = true;
    let mut node = if path.is_empty() {
        return Ok(Some(Node::Null));
    } else if path.starts_with('.') {
        Node::Object(Vec::new())
    } else if path.starts_with("[0]") {
        Node::Array(Vec::new())
    } else {
        return Ok(None);
    };
    let found = step(&mut node, path, true, added)?.is_some();
    Ok(found.then_some(node))
}

/// Whether an object key is `key` as a path spells it: compared as written,
/// escapes and all (SQLite's `jsonLabelCompare`).
fn label_is(k: &Node, key: &str) -> bool {
    match k {
        Node::Str(s) | Node::Label(s) => s == key,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::node::parse;
    use super::*;

    fn get(doc: &str, path: &str) -> Result<Option<String>, String> {
        let mut root = parse(doc).unwrap();
        match lookup(&mut root, path, false) {
            Ok(n) => Ok(n.map(|(n, _)| n.render().unwrap())),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn walks_keys_indexes_and_hash_offsets() {
        assert_eq!(get(r#"{"a":{"b":[1,{"c":"d"}]}}"#, "$.a.b[1].c"), Ok(Some("\"d\"".into())));
        assert_eq!(get("[1,2]", "$[#-1]"), Ok(Some("2".into())));
        assert_eq!(get("[1,2]", "$[#]"), Ok(None));
        assert_eq!(get(r#"{"a b":1}"#, r#"$."a b""#), Ok(Some("1".into())));
        assert_eq!(get(r#"{"a\u0041":1}"#, "$.aA"), Ok(None));
    }

    #[test]
    fn path_errors_name_the_rest_of_the_path() {
        assert!(get(r#"{"a":1}"#, "a").unwrap_err().contains("JSON path error near 'a'"));
        assert!(get(r#"{"a":1}"#, "$.").unwrap_err().contains("near ''"));
        assert!(get(r#"{"a":1}"#, "$[x]").unwrap_err().contains("near '[x]'"));
        assert!(get("[1]", "$[0]x").unwrap_err().contains("near 'x'"));
        // Checked only as far as the document goes, as in SQLite.
        assert_eq!(get(r#"{"a":1}"#, "$.b[x]"), Ok(None));
    }

    #[test]
    fn create_adds_members_and_the_next_element() {
        let mut root = parse("{}").unwrap();
        let (n, added) = lookup(&mut root, "$.a.b[0]", true).unwrap().unwrap();
        *n = Node::Int("1".into());
        assert!(added);
        assert_eq!(root.render().unwrap(), r#"{"a":{"b":[1]}}"#);
        let mut root = parse("{}").unwrap();
        assert!(lookup(&mut root, "$.a[1]", true).unwrap().is_none());
        assert_eq!(root.render().unwrap(), "{}");
        // After an append, an existing index finds the appended element (SQLite 3.40).
        let mut root = parse("[1,2]").unwrap();
        *lookup(&mut root, "$[#]", true).unwrap().unwrap().0 = Node::Int("3".into());
        assert_eq!(lookup(&mut root, "$[0]", false).unwrap().unwrap().0.render().unwrap(), "3");
    }
}
