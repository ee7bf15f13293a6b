//! Column definitions without a type (`CREATE TABLE t (a, b INTEGER)`,
//! `ALTER TABLE t ADD COLUMN c`), which SQLite accepts and sqlparser accepts
//! only under its SQLite dialect. The rewrite happens on tokens (positions
//! kept): a column name followed directly by `,`, `)`, the end, or a column
//! constraint keyword gets the type name `""` (an empty quoted name), which
//! [`crate::sql::binder::declared_type_name`] reads as "no type". SQLite
//! itself treats an empty type name as no type, so `a ""` means the same.

use super::tokens::{any_word, split_statements, word};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Whitespace, Word};

/// Words that start a table constraint rather than a column definition.
const TABLE_CONSTRAINTS: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

/// Words that may follow a column name directly when the type is left out
/// (SQLite's column constraints; sqlparser's list for its SQLite dialect, plus NULL).
const COLUMN_CONSTRAINTS: [&str; 11] =
    ["CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES", "GENERATED", "AS"];

/// Adds the empty type name to untyped column definitions of a token stream.
pub fn rewrite(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    // Only CREATE TABLE and ALTER TABLE … ADD COLUMN are rewritten.
    if !any_word(&tokens, &["CREATE", "ALTER"]) {
        return tokens;
    }
    split_statements(tokens).into_iter().flat_map(rewrite_statement).collect()
}

/// Positions of the significant (non-whitespace) tokens.
fn significant(st: &[TokenWithSpan]) -> Vec<usize> {
    st.iter().enumerate().filter(|(_, t)| !matches!(t.token, Token::Whitespace(_))).map(|(i, _)| i).collect()
}

fn rewrite_statement(mut st: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let sig = significant(&st);
    let w = |n: usize| sig.get(n).and_then(|&i| word(&st[i].token));
    let names = match (w(0).as_deref(), w(1).as_deref()) {
        (Some("CREATE"), _) => create_table_columns(&st, &sig),
        (Some("ALTER"), Some("TABLE")) => add_column(&st, &sig),
        _ => Vec::new(),
    };
    // Insert from the back so earlier positions stay valid.
    for at in names.into_iter().rev() {
        let span = st[at].span;
        let marker = Token::Word(Word { value: String::new(), quote_style: Some('"'), keyword: Keyword::NoKeyword });
        st.splice(
            at + 1..at + 1,
            [
                TokenWithSpan { token: Token::Whitespace(Whitespace::Space), span },
                TokenWithSpan { token: marker, span },
            ],
        );
    }
    st
}

/// Whether the token after a column name shows the type was left out.
fn type_left_out(next: Option<&Token>) -> bool {
    match next {
        None | Some(Token::Comma | Token::RParen | Token::SemiColon | Token::EOF) => true,
        Some(t) => word(t).is_some_and(|w| COLUMN_CONSTRAINTS.contains(&w.as_str())),
    }
}

/// The untyped column names of `CREATE [TEMP] TABLE [IF NOT EXISTS] t (…)`.
fn create_table_columns(st: &[TokenWithSpan], sig: &[usize]) -> Vec<usize> {
    // TABLE must come early (CREATE [TEMP|TEMPORARY] TABLE); views and
    // indexes have no column types.
    let Some(table_at) = sig.iter().take(3).position(|&i| word(&st[i].token).as_deref() == Some("TABLE")) else {
        return Vec::new();
    };
    // The column list is the first `(`; an AS first means CREATE TABLE … AS SELECT.
    let mut open = None;
    for (n, &i) in sig.iter().enumerate().skip(table_at + 1) {
        match &st[i].token {
            Token::LParen => {
                open = Some(n);
                break;
            }
            t if word(t).as_deref() == Some("AS") => return Vec::new(),
            _ => {}
        }
    }
    let Some(open) = open else { return Vec::new() };
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut element_start = true;
    for (n, &i) in sig.iter().enumerate().skip(open + 1) {
        let tok = &st[i].token;
        if depth == 0 && element_start {
            element_start = false;
            let is_constraint = word(tok).is_some_and(|w| TABLE_CONSTRAINTS.contains(&w.as_str()));
            if matches!(tok, Token::Word(_)) && !is_constraint && type_left_out(sig.get(n + 1).map(|&j| &st[j].token)) {
                out.push(i);
            }
        }
        match tok {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => break,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => element_start = true,
            _ => {}
        }
    }
    out
}

/// The untyped column name of `ALTER TABLE t ADD [COLUMN] [IF NOT EXISTS] c …`.
fn add_column(st: &[TokenWithSpan], sig: &[usize]) -> Vec<usize> {
    let words: Vec<Option<String>> = sig.iter().map(|&i| word(&st[i].token)).collect();
    let Some(add) = words.iter().position(|w| w.as_deref() == Some("ADD")) else { return Vec::new() };
    let mut n = add + 1;
    if words.get(n).and_then(|w| w.as_deref()) == Some("COLUMN") {
        n += 1;
    }
    let ifne = ["IF", "NOT", "EXISTS"];
    if (0..3).all(|k| words.get(n + k).and_then(|w| w.as_deref()) == Some(ifne[k])) {
        n += 3;
    }
    let Some(&name) = sig.get(n) else { return Vec::new() };
    // `ADD CONSTRAINT …`, `ADD PRIMARY KEY …` are not columns.
    let is_constraint = words[n].as_deref().is_some_and(|w| TABLE_CONSTRAINTS.contains(&w));
    if matches!(st[name].token, Token::Word(_))
        && !is_constraint
        && type_left_out(sig.get(n + 1).map(|&j| &st[j].token))
    {
        return vec![name];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use crate::sql::parser::parse;

    #[test]
    fn untyped_columns_parse() {
        let p = parse("CREATE TABLE t (a, \"b c\" NOT NULL, d INTEGER, e DEFAULT 3, PRIMARY KEY (a))").unwrap();
        assert_eq!(
            p[0].ast.to_string(),
            "CREATE TABLE t (a \"\", \"b c\" \"\" NOT NULL, d INTEGER, e \"\" DEFAULT 3, PRIMARY KEY (a))"
        );
        let p =
            parse("CREATE TABLE IF NOT EXISTS t (a); ALTER TABLE t ADD COLUMN b; ALTER TABLE t ADD c UNIQUE").unwrap();
        assert_eq!(p.len(), 3);
        assert!(p[1].ast.to_string().ends_with("ADD COLUMN b \"\""), "{}", p[1].ast);
        assert!(parse("CREATE TABLE t (a CHECK (a > 0), b REFERENCES p)").is_ok());
        // Types still parse as before, and expressions in constraints are left alone.
        let p = parse("CREATE TABLE t (a INTEGER CHECK (a IN (1, 2)), b TEXT)").unwrap();
        assert!(!p[0].ast.to_string().contains("\"\""), "{}", p[0].ast);
    }
}
