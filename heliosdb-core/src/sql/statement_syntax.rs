//! The HeliosDB statements sqlparser does not parse (materialized views,
//! REINDEX), rewritten at the token level into forms it does (positions kept):
//!
//! | written | parsed as |
//! | --- | --- |
//! | `REFRESH MATERIALIZED VIEW v` | `SET heliosdb_refresh_full = v` |
//! | `REFRESH MATERIALIZED VIEW v INCREMENTALLY` | `SET heliosdb_refresh_incremental = v` |
//! | `ALTER MATERIALIZED VIEW v SET (k = x, …)` | `ALTER TABLE v SET (k = x, …)` |
//! | `ALTER MATERIALIZED VIEW v RESET (k, …)` | `ALTER TABLE v SET (k = NULL, …)` |
//! | `CREATE MATERIALIZED VIEW v … AS q WITH NO DATA` | `CREATE MATERIALIZED VIEW v … WITH (heliosdb_no_data = true) AS q` |
//! | `REINDEX [name]` | `SET heliosdb_reindex = name` (`= NULL` for every index) |
//! | `PRAGMA p(name)`, `PRAGMA p = word` | `PRAGMA p('name')`, `PRAGMA p = 'word'` (sqlparser takes only literals there) |
//! | `CHECKPOINT` | `SET heliosdb_checkpoint = NULL` |
//! | `PRAGMA wal_checkpoint[(mode)]` | `SET heliosdb_wal_checkpoint = NULL` (every mode checkpoints fully) |
//! | `VACUUM [main]` | `SET heliosdb_vacuum = NULL` |
//! | `VACUUM [main] INTO e [WITHOUT HISTORY]` | `SET heliosdb_vacuum_into[_compact] = e` |
//! | `CREATE CHANGEFEED [IF NOT EXISTS] f FOR TABLE[S] a, b` | `SET heliosdb_create_changefeed[_if_not_exists] = f, a, b` |
//! | `DROP CHANGEFEED [IF EXISTS] f` | `SET heliosdb_drop_changefeed[_if_exists] = f` |
//!
//! (`WITH DATA`, the default, is dropped.)

use super::tokens::{any_word, make_tokens, next_words, split_statements, word};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Variable of a full `REFRESH`.
pub const REFRESH_FULL: &str = "heliosdb_refresh_full";
/// Variable of a `REFRESH … INCREMENTALLY`.
pub const REFRESH_INCREMENTAL: &str = "heliosdb_refresh_incremental";
/// Variable of a `REINDEX`.
pub const REINDEX: &str = "heliosdb_reindex";
/// Variable of `CHECKPOINT`.
pub const CHECKPOINT: &str = "heliosdb_checkpoint";
/// Variable of `PRAGMA wal_checkpoint`.
pub const WAL_CHECKPOINT: &str = "heliosdb_wal_checkpoint";
/// Variable of a plain `VACUUM`.
pub const VACUUM: &str = "heliosdb_vacuum";
/// Variable of `VACUUM INTO`.
pub const VACUUM_INTO: &str = "heliosdb_vacuum_into";
/// Variable of `VACUUM INTO … WITHOUT HISTORY`.
pub const VACUUM_INTO_COMPACT: &str = "heliosdb_vacuum_into_compact";
/// Variable of `CREATE CHANGEFEED` (`…_IF_NOT_EXISTS` with IF NOT EXISTS).
pub const CREATE_CHANGEFEED: &str = "heliosdb_create_changefeed";
/// Variable of `DROP CHANGEFEED` (`…_IF_EXISTS` with IF EXISTS).
pub const DROP_CHANGEFEED: &str = "heliosdb_drop_changefeed";
/// Whether `SET variable` carries CREATE or DROP CHANGEFEED.
pub fn changefeed_variable(variable: &str) -> bool {
    let v = variable.to_ascii_lowercase();
    [CREATE_CHANGEFEED, DROP_CHANGEFEED].iter().any(|p| v.starts_with(p))
}

/// The option `WITH NO DATA` becomes.
pub const NO_DATA: &str = "heliosdb_no_data";

fn significant(tokens: &[TokenWithSpan]) -> Vec<(usize, Option<String>)> {
    next_words(tokens, 0, tokens.len())
}

/// Rewrites the materialized-view statements of a token stream.
pub fn rewrite(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    // The first word of every statement rewritten.
    const LEADS: [&str; 8] = ["PRAGMA", "CHECKPOINT", "VACUUM", "REINDEX", "CREATE", "DROP", "REFRESH", "ALTER"];
    if !any_word(&tokens, &LEADS) {
        return tokens;
    }
    split_statements(tokens).into_iter().flat_map(rewrite_statement).collect()
}

fn rewrite_statement(mut st: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let words = significant(&st);
    let w = |i: usize| words.get(i).and_then(|(_, w)| w.as_deref());
    if w(0) == Some("PRAGMA") {
        if words.iter().take(4).any(|(_, w)| w.as_deref() == Some("WAL_CHECKPOINT")) {
            return with_variable(&st, words[0].0, WAL_CHECKPOINT, Vec::new());
        }
        return quote_pragma_words(st);
    }
    if w(0) == Some("CHECKPOINT") {
        let rest = st.split_off(words[0].0 + 1);
        return with_variable(&st, words[0].0, CHECKPOINT, rest);
    }
    if w(0) == Some("VACUUM") {
        return rewrite_vacuum(st, &words);
    }
    if w(0) == Some("REINDEX") {
        let span = st[words[0].0].span;
        let mut out = make_tokens(&["SET", REINDEX, "="], span);
        match words.get(1) {
            Some(&(at, Some(_))) => out.extend(st.drain(at..)),
            _ => {
                out.extend(make_tokens(&["NULL"], span));
                out.extend(st.drain(words[0].0 + 1..));
            }
        }
        return out;
    }
    match (w(0), w(1), w(2)) {
        (Some("CREATE" | "DROP"), Some("CHANGEFEED"), _) => rewrite_changefeed(st, &words),
        (Some("REFRESH"), Some("MATERIALIZED"), Some("VIEW")) => {
            let Some(&(name_at, _)) = words.get(3) else { return st };
            let incremental = w(4) == Some("INCREMENTALLY");
            let var = if incremental { REFRESH_INCREMENTAL } else { REFRESH_FULL };
            let span = st[words[0].0].span;
            let mut out = make_tokens(&["SET", var, "="], span);
            out.push(st[name_at].clone());
            // Keep what follows (INCREMENTALLY dropped) so stray words still fail to parse.
            let rest_from = if incremental { words[4].0 + 1 } else { name_at + 1 };
            out.extend(st.drain(rest_from..));
            out
        }
        (Some("ALTER"), Some("MATERIALIZED"), Some("VIEW")) => {
            let span = st[words[0].0].span;
            let mut out = make_tokens(&["ALTER", "TABLE"], span);
            let mut rest: Vec<TokenWithSpan> = st.drain(words[2].0 + 1..).collect();
            let rw = significant(&rest);
            if let Some((reset_at, Some(r))) = rw.get(1) {
                if r == "RESET" {
                    let span = rest[*reset_at].span;
                    rest[*reset_at] = make_tokens(&["SET"], span).remove(0);
                    // Each bare option name inside the parentheses gets `= NULL`.
                    let mut fixed = Vec::with_capacity(rest.len() + 8);
                    for t in rest {
                        let is_name = matches!(&t.token, Token::Word(_)) && !fixed.is_empty();
                        let span = t.span;
                        fixed.push(t);
                        if is_name && fixed.iter().any(|x: &TokenWithSpan| matches!(x.token, Token::LParen)) {
                            fixed.push(TokenWithSpan { token: Token::Eq, span });
                            fixed.extend(make_tokens(&["NULL"], span));
                        }
                    }
                    rest = fixed;
                }
            }
            out.extend(rest);
            out
        }
        (Some("CREATE"), _, _) if words.iter().take(4).any(|(_, w)| w.as_deref() == Some("MATERIALIZED")) => {
            strip_with_data(st, &words)
        }
        _ => st,
    }
}

/// `SET variable = NULL` at the span of token `at`, followed by `rest`
/// (tokens left over, so stray words still fail to parse), and the
/// statement's closing `;` if it had one.
fn with_variable(st: &[TokenWithSpan], at: usize, variable: &str, rest: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out = make_tokens(&["SET", variable, "=", "NULL"], st[at].span);
    let had_semicolon = matches!(st.last().map(|t| &t.token), Some(Token::SemiColon));
    let rest_has_semicolon = matches!(rest.last().map(|t| &t.token), Some(Token::SemiColon));
    out.extend(rest);
    if had_semicolon && !rest_has_semicolon {
        out.push(st[st.len() - 1].clone());
    }
    out
}

/// `CREATE CHANGEFEED [IF NOT EXISTS] f FOR TABLE[S] a, b` and
/// `DROP CHANGEFEED [IF EXISTS] f`: the names (and the commas between the
/// tables) are kept as written, so a stray word still fails to parse.
fn rewrite_changefeed(mut st: Vec<TokenWithSpan>, words: &[(usize, Option<String>)]) -> Vec<TokenWithSpan> {
    let w = |i: usize| words.get(i).and_then(|(_, w)| w.as_deref());
    let create = w(0) == Some("CREATE");
    let guarded = if create {
        w(2) == Some("IF") && w(3) == Some("NOT") && w(4) == Some("EXISTS")
    } else {
        w(2) == Some("IF") && w(3) == Some("EXISTS")
    };
    let name_word = 2 + if !guarded {
        0
    } else if create {
        3
    } else {
        2
    };
    let Some(&(name_at, _)) = words.get(name_word) else { return st };
    let variable = match (create, guarded) {
        (true, false) => CREATE_CHANGEFEED.to_string(),
        (true, true) => format!("{CREATE_CHANGEFEED}_if_not_exists"),
        (false, false) => DROP_CHANGEFEED.to_string(),
        (false, true) => format!("{DROP_CHANGEFEED}_if_exists"),
    };
    let mut out = make_tokens(&["SET", &variable, "="], st[words[0].0].span);
    out.push(st[name_at].clone());
    let mut rest_from = name_at + 1;
    if create {
        let (for_word, table_word) = (name_word + 1, name_word + 2);
        if w(for_word) == Some("FOR") && matches!(w(table_word), Some("TABLE" | "TABLES")) {
            let comma = TokenWithSpan { token: Token::Comma, span: st[name_at].span };
            out.push(comma);
            rest_from = words[table_word].0 + 1;
        }
    }
    out.extend(st.drain(rest_from..));
    out
}

/// `VACUUM [main] [INTO e [WITHOUT HISTORY]]`.
fn rewrite_vacuum(mut st: Vec<TokenWithSpan>, words: &[(usize, Option<String>)]) -> Vec<TokenWithSpan> {
    let w = |i: usize| words.get(i).and_then(|(_, w)| w.as_deref());
    let skip = usize::from(w(1) == Some("MAIN"));
    let span = st[words[0].0].span;
    if w(1 + skip) != Some("INTO") {
        let rest = st.split_off(words[skip].0 + 1);
        return with_variable(&st, words[0].0, VACUUM, rest);
    }
    let semicolon = matches!(words.last(), Some(&(i, None)) if matches!(st[i].token, Token::SemiColon));
    let end = words.len() - usize::from(semicolon);
    let compact = end >= 2 && w(end - 2) == Some("WITHOUT") && w(end - 1) == Some("HISTORY");
    let expr_end = if compact { words[end - 2].0 } else { st.len() - usize::from(semicolon) };
    let variable = if compact { VACUUM_INTO_COMPACT } else { VACUUM_INTO };
    let mut out = make_tokens(&["SET", variable, "="], span);
    let tail = st.split_off(expr_end);
    out.extend(st.drain(words[1 + skip].0 + 1..));
    if semicolon {
        out.extend(tail.into_iter().filter(|t| matches!(t.token, Token::SemiColon)));
    }
    out
}

/// A word right after a pragma's `(` or `=` (a table name, `ON`, `wal`)
/// becomes the string literal SQLite reads it as.
fn quote_pragma_words(mut st: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut after_open = false;
    for t in &mut st {
        match &t.token {
            Token::Whitespace(_) => continue,
            Token::LParen | Token::Eq => {
                after_open = true;
                continue;
            }
            Token::Word(w) if after_open => t.token = Token::SingleQuotedString(w.value.clone()),
            _ => {}
        }
        after_open = false;
    }
    st
}

/// Removes a trailing `WITH [NO] DATA`; `NO DATA` becomes an option before `AS`.
fn strip_with_data(mut st: Vec<TokenWithSpan>, words: &[(usize, Option<String>)]) -> Vec<TokenWithSpan> {
    let tail: Vec<&str> = words.iter().rev().map(|(_, w)| w.as_deref().unwrap_or("")).collect();
    let has_semicolon = tail.first() == Some(&"");
    let t = if has_semicolon { &tail[1..] } else { &tail[..] };
    let (cut, no_data) = match t {
        ["DATA", "NO", "WITH", ..] => (3, true),
        ["DATA", "WITH", ..] => (2, false),
        _ => return st,
    };
    let first_cut = words[words.len() - usize::from(has_semicolon) - cut].0;
    let end = if has_semicolon { words[words.len() - 1].0 } else { st.len() };
    st.drain(first_cut..end);
    if no_data {
        // The view's AS: the first top-level AS after MATERIALIZED VIEW.
        let mut depth = 0i32;
        let as_at = st.iter().enumerate().skip(words[0].0).find_map(|(i, t)| {
            match &t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                tok if depth == 0 && word(tok).as_deref() == Some("AS") => return Some(i),
                _ => {}
            }
            None
        });
        if let Some(i) = as_at {
            let span = st[i].span;
            let mut opt = make_tokens(&["WITH", "(", NO_DATA, "=", "TRUE", ")"], span);
            opt.push(TokenWithSpan { token: Token::Whitespace(sqlparser::tokenizer::Whitespace::Space), span });
            st.splice(i..i, opt);
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use crate::sql::parser::parse;

    #[test]
    fn refresh_alter_and_with_data_parse() {
        let p = parse("REFRESH MATERIALIZED VIEW s; REFRESH MATERIALIZED VIEW s INCREMENTALLY").unwrap();
        assert_eq!(p[0].ast.to_string(), "SET heliosdb_refresh_full = s");
        assert_eq!(p[1].ast.to_string(), "SET heliosdb_refresh_incremental = s");
        let p = parse("ALTER MATERIALIZED VIEW s SET (auto_refresh = true, cpu_threshold = 0.5)").unwrap();
        assert!(p[0].ast.to_string().starts_with("ALTER TABLE s SET (auto_refresh = true"), "{}", p[0].ast);
        let p = parse("ALTER MATERIALIZED VIEW s RESET (auto_refresh, cpu_threshold)").unwrap();
        assert!(p[0].ast.to_string().contains("auto_refresh = NULL, cpu_threshold = NULL"), "{}", p[0].ast);
        let p = parse("CREATE MATERIALIZED VIEW s AS SELECT a FROM t WITH NO DATA; SELECT 1").unwrap();
        assert!(p[0].ast.to_string().contains("heliosdb_no_data = true"), "{}", p[0].ast);
        assert_eq!(p.len(), 2);
        let p = parse("CREATE MATERIALIZED VIEW IF NOT EXISTS s (x) AS SELECT a FROM t WITH DATA").unwrap();
        assert!(!p[0].ast.to_string().contains("DATA"), "{}", p[0].ast);
        assert!(parse("REFRESH MATERIALIZED VIEW s NOW").is_err());
        assert_eq!(parse("REINDEX t1i1").unwrap()[0].ast.to_string(), "SET heliosdb_reindex = t1i1");
        assert_eq!(parse("REINDEX;").unwrap()[0].ast.to_string(), "SET heliosdb_reindex = NULL");
    }

    #[test]
    fn pragma_names_and_words_become_literals() {
        assert_eq!(parse("PRAGMA table_info(orders)").unwrap()[0].ast.to_string(), "PRAGMA table_info('orders')");
        assert_eq!(
            parse("pragma main.index_list(\"my t\")").unwrap()[0].ast.to_string(),
            "PRAGMA main.index_list('my t')"
        );
        assert_eq!(parse("PRAGMA foreign_keys = ON").unwrap()[0].ast.to_string(), "PRAGMA foreign_keys = 'ON'");
        assert_eq!(parse("PRAGMA table_list").unwrap()[0].ast.to_string(), "PRAGMA table_list");
    }

    #[test]
    fn checkpoint_and_vacuum_become_variables() {
        let one = |sql: &str| parse(sql).unwrap().remove(0).ast.to_string();
        assert_eq!(one("CHECKPOINT"), "SET heliosdb_checkpoint = NULL");
        assert_eq!(one("checkpoint;"), "SET heliosdb_checkpoint = NULL");
        assert_eq!(one("PRAGMA wal_checkpoint(TRUNCATE);"), "SET heliosdb_wal_checkpoint = NULL");
        assert_eq!(one("PRAGMA main.wal_checkpoint"), "SET heliosdb_wal_checkpoint = NULL");
        assert_eq!(one("VACUUM"), "SET heliosdb_vacuum = NULL");
        assert_eq!(one("VACUUM main;"), "SET heliosdb_vacuum = NULL");
        assert_eq!(one("VACUUM INTO '/tmp/x'"), "SET heliosdb_vacuum_into = '/tmp/x'");
        assert_eq!(one("vacuum main into ?;"), "SET heliosdb_vacuum_into = ?1");
        assert_eq!(one("VACUUM INTO 'b' || 'k' WITHOUT HISTORY;"), "SET heliosdb_vacuum_into_compact = 'b' || 'k'");
        let two = parse("VACUUM INTO 'a'; SELECT 1").unwrap();
        assert_eq!(two.len(), 2);
        assert!(parse("CHECKPOINT now").is_err());
        assert!(parse("VACUUM junk").is_err());
        assert!(parse("VACUUM INTO").is_err());
    }
}
