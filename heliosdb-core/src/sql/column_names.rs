//! Result column names as SQLite gives them to an expression written
//! without an alias: its text exactly as typed (`a+1`, `count( * )`,
//! `CAST(a AS text)`), not the parser's rendering of it (`a + 1`). Drivers
//! hand these names to applications (`cursor.description`, JDBC's
//! `getColumnName`, `row["a+1"]`), so they should match what SQLite says.
//!
//! The text is found in the token stream before any rewriting: from each
//! `SELECT` keyword, the select list is split at commas outside
//! parentheses up to the keyword that ends it. The planner looks a list up
//! by the location of its `SELECT` and uses it only when it has as many
//! items as the parsed projection (otherwise it renders the expression).

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan};

/// The select lists of one parsed text, by the location of their `SELECT`.
#[derive(Debug, Default)]
pub struct SourceNames(Vec<(Location, Vec<String>)>);

/// No source text (statements planned from stored or rendered SQL).
pub static NO_NAMES: SourceNames = SourceNames(Vec::new());

impl SourceNames {
    /// The select lists of `sql`, whose tokens (with their locations) are `tokens`.
    pub fn of(sql: &str, tokens: &[TokenWithSpan]) -> SourceNames {
        let selects: Vec<usize> = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(&t.token, Token::Word(w) if w.keyword == Keyword::SELECT))
            .map(|(i, _)| i)
            .collect();
        if selects.is_empty() {
            return SourceNames::default();
        }
        let lines = LineStarts::of(sql);
        let lists = selects
            .into_iter()
            .filter_map(|i| {
                let items = select_items(tokens, i + 1);
                let texts: Option<Vec<String>> = items
                    .into_iter()
                    .map(|(first, last)| {
                        let from = lines.offset(sql, tokens[first].span.start)?;
                        let to = lines.offset(sql, tokens[last].span.end)?;
                        sql.get(from..to).map(str::to_owned)
                    })
                    .collect();
                Some((tokens[i].span.start, texts?))
            })
            .collect();
        SourceNames(lists)
    }

    /// The text of item `index` of the select list whose `SELECT` is at
    /// `select`, if that list has `count` items.
    pub fn item(&self, select: Location, index: usize, count: usize) -> Option<&str> {
        let (_, items) = self.0.iter().find(|(at, _)| *at == select)?;
        (items.len() == count).then(|| items.get(index).map(String::as_str)).flatten()
    }
}

/// The token ranges (first, last, inclusive, whitespace excluded) of the
/// items of a select list starting at token `start`.
fn select_items(tokens: &[TokenWithSpan], start: usize) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut first: Option<usize> = None;
    let mut last = start;
    let mut i = start;
    // `SELECT DISTINCT` / `SELECT ALL` are not part of the first item.
    while let Some(t) = tokens.get(i) {
        match &t.token {
            Token::Whitespace(_) => i += 1,
            Token::Word(w) if matches!(w.keyword, Keyword::DISTINCT | Keyword::ALL) => {
                i += 1;
                break;
            }
            _ => break,
        }
    }
    let mut previous = Keyword::NoKeyword;
    while let Some(t) = tokens.get(i) {
        let ends = match &t.token {
            Token::LParen => {
                depth += 1;
                false
            }
            Token::RParen if depth == 0 => true, // the end of a subquery
            Token::RParen => {
                depth -= 1;
                false
            }
            Token::Comma if depth == 0 => {
                if let Some(f) = first.take() {
                    items.push((f, last));
                }
                i += 1;
                continue;
            }
            Token::SemiColon | Token::EOF => true,
            // `a IS DISTINCT FROM b` does not end the list.
            Token::Word(w) if depth == 0 && w.quote_style.is_none() => {
                matches!(
                    w.keyword,
                    Keyword::FROM
                        | Keyword::WHERE
                        | Keyword::GROUP
                        | Keyword::HAVING
                        | Keyword::WINDOW
                        | Keyword::ORDER
                        | Keyword::LIMIT
                        | Keyword::UNION
                        | Keyword::INTERSECT
                        | Keyword::EXCEPT
                ) && !(w.keyword == Keyword::FROM && previous == Keyword::DISTINCT)
            }
            _ => false,
        };
        if ends {
            break;
        }
        if !matches!(t.token, Token::Whitespace(_)) {
            first.get_or_insert(i);
            last = i;
            previous = if let Token::Word(w) = &t.token { w.keyword } else { Keyword::NoKeyword };
        }
        i += 1;
    }
    if let Some(f) = first {
        items.push((f, last));
    }
    items
}

/// Byte offsets of the lines of a text (locations count lines and
/// characters from 1).
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn of(sql: &str) -> LineStarts {
        LineStarts(std::iter::once(0).chain(sql.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    fn offset(&self, sql: &str, at: Location) -> Option<usize> {
        let line_start = *self.0.get(usize::try_from(at.line).ok()?.checked_sub(1)?)?;
        let column = usize::try_from(at.column).ok()?.checked_sub(1)?;
        let line = &sql[line_start..];
        match line.char_indices().nth(column) {
            Some((b, _)) => Some(line_start + b),
            // Just past the last character of the text.
            None if line.chars().count() == column => Some(sql.len()),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::GenericDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn lists(sql: &str) -> Vec<Vec<String>> {
        let tokens = Tokenizer::new(&GenericDialect {}, sql).tokenize_with_location().unwrap();
        SourceNames::of(sql, &tokens).0.into_iter().map(|(_, v)| v).collect()
    }

    #[test]
    fn items_as_typed() {
        assert_eq!(
            lists("SELECT DISTINCT a+1, count( * ), CAST(a AS text) AS c FROM t"),
            vec![vec!["a+1", "count( * )", "CAST(a AS text) AS c"]]
        );
        assert_eq!(
            lists("select x,\n  (SELECT max(é) FROM u)  ,'it''s';"),
            vec![vec!["x", "(SELECT max(é) FROM u)", "'it''s'"], vec!["max(é)"]]
        );
        assert_eq!(
            lists("SELECT a IS DISTINCT FROM b, 2 UNION SELECT 1"),
            vec![vec!["a IS DISTINCT FROM b", "2"], vec!["1"]]
        );
        // Lines end in CRLF or LF; columns count characters, not bytes.
        assert_eq!(lists("SELECT\r\n\tá+1 ,\r\n  b\tFROM t"), vec![vec!["á+1", "b"]]);
        assert!(lists("INSERT INTO t VALUES (1)").is_empty());
    }
}
