//! Window-frame syntax sqlparser does not know: `EXCLUDE NO OTHERS |
//! CURRENT ROW | GROUP | TIES` after a frame. It is rewritten at the token
//! level into a marker the binder reads back ([`exclude_marker`]): the
//! marker becomes the first PARTITION BY term of the window spec, which the
//! binder removes again.
//!
//! | written | parsed as |
//! | --- | --- |
//! | `(ORDER BY x ROWS … EXCLUDE TIES)` | `(PARTITION BY heliosdb_exclude_ties ORDER BY x ROWS …)` |
//! | `(w PARTITION BY p … EXCLUDE GROUP)` | `(w PARTITION BY heliosdb_exclude_group, p …)` |

use crate::sql::expr::Exclude;
use crate::sql::tokens::{any_word, make_tokens, next_words, word};
use sqlparser::ast;
use sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace};

const PREFIX: &str = "heliosdb_exclude_";

/// The exclusion a PARTITION BY term stands for, if it is the marker.
pub fn exclude_marker(e: &ast::Expr) -> Option<Exclude> {
    let ast::Expr::Identifier(id) = e else { return None };
    match id.value.to_ascii_lowercase().strip_prefix(PREFIX)? {
        "no_others" => Some(Exclude::NoOthers),
        "current_row" => Some(Exclude::CurrentRow),
        "group" => Some(Exclude::Group),
        "ties" => Some(Exclude::Ties),
        _ => None,
    }
}

/// The SQL text of a rewritten expression with its EXCLUDE clauses put
/// back (for column names, which SQLite takes from the text).
pub fn unmark(mut text: String) -> String {
    while let Some(at) = text.find(PREFIX) {
        let rest = &text[at + PREFIX.len()..];
        let kind_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        let clause = format!(" EXCLUDE {}", rest[..kind_len].replace('_', " ").to_ascii_uppercase());
        let mut end = at + PREFIX.len() + kind_len;
        let mut start = at;
        if text[end..].starts_with(", ") {
            end += 2;
        } else if text[..at].ends_with("PARTITION BY ") {
            start -= "PARTITION BY ".len();
            end += usize::from(text[end..].starts_with(' '));
        }
        text.replace_range(start..end, "");
        let mut depth = 0usize;
        let close = text[start..].char_indices().find_map(|(i, c)| match c {
            '(' => {
                depth += 1;
                None
            }
            ')' if depth == 0 => Some(start + i),
            ')' => {
                depth -= 1;
                None
            }
            _ => None,
        });
        if let Some(close) = close {
            text.insert_str(close, &clause);
        }
    }
    text
}

/// `EXCLUDE …` at `i` (after a frame bound): the marker suffix and the
/// index just past the clause.
fn exclude_at(tokens: &[TokenWithSpan], i: usize, prev: Option<&str>) -> Option<(&'static str, usize)> {
    if word(&tokens[i].token).as_deref() != Some("EXCLUDE") || !matches!(prev, Some("PRECEDING" | "FOLLOWING" | "ROW"))
    {
        return None;
    }
    let next = next_words(tokens, i + 1, 2);
    let w = |k: usize| next.get(k).and_then(|(_, w)| w.as_deref());
    let (kind, last) = match (w(0), w(1)) {
        (Some("NO"), Some("OTHERS")) => ("no_others", next[1].0),
        (Some("CURRENT"), Some("ROW")) => ("current_row", next[1].0),
        (Some("GROUP"), _) => ("group", next[0].0),
        (Some("TIES"), _) => ("ties", next[0].0),
        _ => return None,
    };
    Some((kind, last + 1))
}

/// Where the marker goes in the window spec opened at `open` (the `(`):
/// the index to insert at and whether a PARTITION BY is already there.
fn marker_position(out: &[TokenWithSpan], open: usize) -> (usize, bool) {
    let mut at = open + 1;
    let words = next_words(out, at, 3);
    let mut k = 0;
    // A base window name comes first (`(w ORDER BY …)`).
    if let Some((idx, Some(w))) = words.first() {
        if !matches!(w.as_str(), "PARTITION" | "ORDER" | "ROWS" | "RANGE" | "GROUPS") {
            at = idx + 1;
            k = 1;
        }
    }
    match (words.get(k), words.get(k + 1)) {
        (Some((_, Some(p))), Some((by, Some(b)))) if p == "PARTITION" && b == "BY" => (by + 1, true),
        _ => (at, false),
    }
}

/// Rewrites `EXCLUDE …` clauses of a token stream (see the module docs).
pub fn rewrite(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    if !any_word(&tokens, &["EXCLUDE"]) {
        return tokens;
    }
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut opens: Vec<usize> = Vec::new();
    let mut prev: Option<String> = None;
    let mut i = 0;
    while i < tokens.len() {
        let tok = &tokens[i].token;
        if let Some((kind, after)) = exclude_at(&tokens, i, prev.as_deref()) {
            if let Some(&open) = opens.last() {
                let (at, partitioned) = marker_position(&out, open);
                let marker = format!("{PREFIX}{kind}");
                let words: Vec<&str> =
                    if partitioned { vec![marker.as_str(), ","] } else { vec!["PARTITION", "BY", marker.as_str()] };
                let space = TokenWithSpan { token: Token::Whitespace(Whitespace::Space), span: tokens[i].span };
                let mut insert = make_tokens(&words, tokens[i].span);
                if partitioned {
                    insert.insert(0, space);
                } else {
                    insert.push(space);
                }
                out.splice(at..at, insert);
                prev = None;
                i = after;
                continue;
            }
        }
        match tok {
            Token::LParen => opens.push(out.len()),
            Token::RParen => {
                opens.pop();
            }
            _ => {}
        }
        if !matches!(tok, Token::Whitespace(_)) {
            prev = word(tok);
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::tokenizer::Tokenizer;

    fn rewritten(sql: &str) -> String {
        let dialect = crate::sql::parser::HeliosDialect::default();
        let tokens = Tokenizer::new(&dialect, sql).tokenize_with_location().unwrap();
        rewrite(tokens).iter().map(|t| t.token.to_string()).collect()
    }

    #[test]
    fn exclude_becomes_a_partition_marker() {
        assert_eq!(
            rewritten("sum(x) OVER (ORDER BY y ROWS 1 PRECEDING EXCLUDE TIES)"),
            "sum(x) OVER (PARTITION BY heliosdb_exclude_ties ORDER BY y ROWS 1 PRECEDING )"
        );
        assert_eq!(
            rewritten("OVER (w PARTITION BY p GROUPS CURRENT ROW EXCLUDE CURRENT ROW)"),
            "OVER (w PARTITION BY heliosdb_exclude_current_row , p GROUPS CURRENT ROW )"
        );
        assert_eq!(
            unmark("sum(x) OVER (PARTITION BY heliosdb_exclude_ties ORDER BY y ROWS 1 PRECEDING)".into()),
            "sum(x) OVER (ORDER BY y ROWS 1 PRECEDING EXCLUDE TIES)"
        );
        assert_eq!(
            unmark("f() OVER (PARTITION BY heliosdb_exclude_current_row, p GROUPS CURRENT ROW)".into()),
            "f() OVER (PARTITION BY p GROUPS CURRENT ROW EXCLUDE CURRENT ROW)"
        );
        // Not after a frame bound: left alone.
        assert_eq!(rewritten("SELECT exclude FROM t"), "SELECT exclude FROM t");
    }
}
