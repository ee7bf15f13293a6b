//! The time-travel syntax sqlparser does not know, rewritten at the token
//! level into forms it does (so the rest of the pipeline sees ordinary
//! `TableFactor::Table { version, .. }` trees, with source positions kept):
//!
//! | written | parsed as |
//! | --- | --- |
//! | `t AS OF TIMESTAMP x` | `t FOR SYSTEM_TIME AS OF heliosdb_as_of_timestamp = x` |
//! | `t AS OF TRANSACTION n` / `AS OF SCN n` | the same with `…_transaction` / `…_scn` |
//! | `t FOR SYSTEM_TIME BETWEEN a AND b` | `t FOR SYSTEM_TIME AS OF heliosdb_history_timestamp BETWEEN a AND b` |
//! | `t VERSIONS BETWEEN SCN a AND b` | `… heliosdb_history_scn BETWEEN a AND b` (also TIMESTAMP, TRANSACTION) |
//! | `BEGIN [READ ONLY] AS OF SCN n` | `SET heliosdb_begin_as_of_scn = n` |
//!
//! `FOR SYSTEM_TIME AS OF x` (SQL:2011) is parsed natively and means a timestamp.
//! The planner reads the marker names back with [`marker`].

use crate::sql::tokens::{any_word, make_tokens, next_words, word};
use crate::temporal::PointKind;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Prefix of the marker of a single point.
pub const AS_OF: &str = "heliosdb_as_of_";
/// Prefix of the marker of a history interval.
pub const HISTORY: &str = "heliosdb_history_";
/// Prefix of the variable a read-only `BEGIN … AS OF` becomes.
pub const BEGIN_AS_OF: &str = "heliosdb_begin_as_of_";

fn kind_of(word: &str) -> Option<PointKind> {
    match word {
        "TIMESTAMP" => Some(PointKind::Timestamp),
        "TRANSACTION" => Some(PointKind::Transaction),
        "SCN" => Some(PointKind::Scn),
        _ => None,
    }
}

/// The kind named by a marker identifier with `prefix`, if it is one.
pub fn marker(ident: &str, prefix: &str) -> Option<PointKind> {
    let rest = ident.to_ascii_lowercase();
    kind_of(&rest.strip_prefix(prefix)?.to_ascii_uppercase())
}

/// Rewrites the time-travel clauses of a token stream (see the module docs).
pub fn rewrite(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    // Every clause rewritten holds one of these words.
    if !any_word(&tokens, &["OF", "SYSTEM_TIME", "VERSIONS"]) {
        return tokens;
    }
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len() + 8);
    let mut statement_start = true;
    let mut i = 0;
    while i < tokens.len() {
        let span = tokens[i].span;
        let emit = |out: &mut Vec<TokenWithSpan>, words: &[&str]| out.extend(make_tokens(words, span));
        let tok = &tokens[i].token;
        if matches!(tok, Token::Whitespace(_)) {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        let starts = std::mem::replace(&mut statement_start, matches!(tok, Token::SemiColon));
        let w = word(tok);
        if starts && matches!(w.as_deref(), Some("BEGIN" | "START")) {
            if let Some((kind, after)) = begin_as_of(&tokens, i) {
                emit(&mut out, &["SET", &format!("{BEGIN_AS_OF}{}", kind.keyword().to_ascii_lowercase()), "="]);
                i = after;
                continue;
            }
        }
        let ahead = next_words(&tokens, i, 3);
        let words: Vec<Option<&str>> = ahead.iter().map(|(_, w)| w.as_deref()).collect();
        match words.as_slice() {
            [Some("AS"), Some("OF"), Some(k)] if kind_of(k).is_some() => {
                let marker = format!("{AS_OF}{}", k.to_ascii_lowercase());
                emit(&mut out, &["FOR", "SYSTEM_TIME", "AS", "OF", &marker, "="]);
                i = ahead[2].0 + 1;
            }
            [Some("FOR"), Some("SYSTEM_TIME"), Some("BETWEEN")] => {
                emit(&mut out, &["FOR", "SYSTEM_TIME", "AS", "OF", &format!("{HISTORY}timestamp"), "BETWEEN"]);
                i = ahead[2].0 + 1;
            }
            [Some("VERSIONS"), Some("BETWEEN"), Some(k)] if kind_of(k).is_some() => {
                let marker = format!("{HISTORY}{}", k.to_ascii_lowercase());
                emit(&mut out, &["FOR", "SYSTEM_TIME", "AS", "OF", &marker, "BETWEEN"]);
                i = ahead[2].0 + 1;
            }
            _ => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// For a statement starting at `start` with BEGIN/START: if it has
/// `AS OF <kind>` before its end, the kind and the index of the first token
/// of the point expression.
fn begin_as_of(tokens: &[TokenWithSpan], start: usize) -> Option<(PointKind, usize)> {
    let mut i = start;
    while i < tokens.len() && !matches!(tokens[i].token, Token::SemiColon) {
        let ahead = next_words(tokens, i, 3);
        if let [(_, Some(a)), (_, Some(o)), (k_at, Some(k))] = ahead.as_slice() {
            if a == "AS" && o == "OF" {
                return kind_of(k).map(|kind| (kind, k_at + 1));
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::sql::parser::parse;

    #[test]
    fn as_of_clauses_become_table_versions() {
        let p = parse("SELECT * FROM t AS OF SCN 5 a JOIN u AS OF TIMESTAMP '2024-01-01' ON a.x = u.x").unwrap();
        let text = p[0].ast.to_string();
        assert!(text.contains("heliosdb_as_of_scn = 5"), "{text}");
        assert!(text.contains("heliosdb_as_of_timestamp = '2024-01-01'"), "{text}");
        let p = parse("SELECT * FROM t VERSIONS BETWEEN SCN ? AND ? WHERE id = ?").unwrap();
        assert_eq!(p[0].params.count(), 3);
        assert!(p[0].ast.to_string().contains("heliosdb_history_scn BETWEEN ?1 AND ?2"));
        let p = parse("SELECT * FROM t FOR SYSTEM_TIME BETWEEN 1 AND 2").unwrap();
        assert!(p[0].ast.to_string().contains("heliosdb_history_timestamp BETWEEN 1 AND 2"));
    }

    #[test]
    fn a_read_only_begin_as_of_becomes_a_marker_statement() {
        let p = parse("BEGIN READ ONLY AS OF TRANSACTION 42; SELECT 1; BEGIN").unwrap();
        assert_eq!(p.len(), 3);
        assert!(p[0].ast.to_string().contains("heliosdb_begin_as_of_transaction"), "{}", p[0].ast);
        assert!(matches!(p[2].ast, sqlparser::ast::Statement::StartTransaction { .. }));
    }

    #[test]
    fn an_alias_named_of_still_works() {
        assert!(parse("SELECT x AS of FROM t").is_ok());
    }
}
