//! Parsing: sqlparser with HeliosDB's dialect, errors with positions, and
//! parameter numbering.
//!
//! Parameters follow SQLite: `?` takes the next number after the largest so
//! far, `?N` is number N, `:name`/`@name`/`$name` get a number at their first
//! appearance. Numbering is by position in the text, so it does not depend on
//! the order in which later stages visit the tree; after [`parse`], every
//! placeholder in the tree reads `?N`.

use crate::error::{Error, Result};
use sqlparser::ast::{visit_expressions_mut, BinaryOperator, Expr, Statement, UnaryOperator, Value};
use sqlparser::dialect::{Dialect, GenericDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer};

#[path = "time_travel_syntax.rs"]
pub mod time_travel;
use super::column_names::SourceNames;
use std::ops::ControlFlow;
use std::sync::Arc;

/// HeliosDB's dialect: the generic dialect (which keeps `AUTOINCREMENT`),
/// with room for the extensions (AS OF, REFRESH MATERIALIZED VIEW) to come.
#[derive(Debug, Default)]
pub struct HeliosDialect(GenericDialect);

impl Dialect for HeliosDialect {
    fn dialect(&self) -> std::any::TypeId {
        // sqlparser keys some behaviour (AUTOINCREMENT among it) on the dialect's type.
        self.0.dialect()
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        self.0.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        self.0.is_identifier_part(ch)
    }
    fn supports_filter_during_aggregation(&self) -> bool {
        true
    }
    fn supports_table_versioning(&self) -> bool {
        true
    }
    fn supports_bitwise_shift_operators(&self) -> bool {
        true // `<<` and `>>`, as in SQLite
    }
    fn supports_comma_separated_trim(&self) -> bool {
        true // SQLite's `trim(x, chars)`
    }
    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        // SQLite binds `||`, `->` and `->>` tighter than `*` (`2 * 3 || 4` is 2 * '34').
        matches!(parser.peek_token_ref().token, Token::StringConcat | Token::Arrow | Token::LongArrow)
            .then_some(Ok(CONCAT_PRECEDENCE))
    }
    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        // Unary `-` and `+` bind tighter than any binary operator, `||` included.
        let op = match parser.peek_token_ref().token {
            Token::Minus => UnaryOperator::Minus,
            Token::Plus => UnaryOperator::Plus,
            // A number or string literal: sqlparser would first try it as
            // the type name of a typed literal (`DATE '…'`), which fails and
            // formats an error message it then drops; for a dump's INSERTs
            // that was an eighth of the reload. The literal is what it
            // parses to in the end.
            Token::Number(..) | Token::SingleQuotedString(_) => return Some(parser.parse_value().map(Expr::Value)),
            _ => return None,
        };
        parser.advance_token();
        Some(parser.parse_subexpr(CONCAT_PRECEDENCE + 1).map(|e| Expr::UnaryOp { op, expr: Box::new(e) }))
    }
    fn parse_infix(&self, parser: &mut Parser, expr: &Expr, precedence: u8) -> Option<Result<Expr, ParserError>> {
        if parser.peek_keyword(Keyword::IS) {
            return parse_is_expr(parser, expr, precedence);
        }
        // `x GLOB pattern` and `x NOT GLOB pattern`, as SQLite spells them.
        let negated = if parser.parse_keywords(&[Keyword::NOT, Keyword::GLOB]) {
            true
        } else if parser.parse_keyword(Keyword::GLOB) {
            false
        } else {
            return None;
        };
        let right = match parser.parse_subexpr(precedence) {
            Ok(e) => e,
            Err(e) => return Some(Err(e)),
        };
        let glob = Expr::BinaryOp { left: Box::new(expr.clone()), op: BinaryOperator::Glob, right: Box::new(right) };
        Some(Ok(if negated { Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(glob) } } else { glob }))
    }
}

/// SQLite's `x IS [NOT] y` for any `y` (sqlparser knows only `IS NULL`,
/// `IS TRUE`, `IS DISTINCT FROM`, …, which it keeps parsing itself).
fn parse_is_expr(parser: &mut Parser, expr: &Expr, precedence: u8) -> Option<Result<Expr, ParserError>> {
    let not = matches!(&parser.peek_nth_token_ref(1).token, Token::Word(w) if w.keyword == Keyword::NOT);
    let after = &parser.peek_nth_token_ref(if not { 2 } else { 1 }).token;
    let own = [
        Keyword::NULL,
        Keyword::TRUE,
        Keyword::FALSE,
        Keyword::DISTINCT,
        Keyword::JSON,
        Keyword::NORMALIZED,
        Keyword::UNKNOWN,
        Keyword::NFC,
        Keyword::NFD,
        Keyword::NFKC,
        Keyword::NFKD,
    ];
    if matches!(after, Token::Word(w) if own.contains(&w.keyword)) {
        return None;
    }
    parser.advance_token();
    if not {
        parser.advance_token();
    }
    let right = match parser.parse_subexpr(precedence) {
        Ok(e) => e,
        Err(e) => return Some(Err(e)),
    };
    let (l, r) = (Box::new(expr.clone()), Box::new(right));
    Some(Ok(if not { Expr::IsDistinctFrom(l, r) } else { Expr::IsNotDistinctFrom(l, r) }))
}

/// Where `||` sits among sqlparser's precedences: above `*` (40), below `::` (50).
const CONCAT_PRECEDENCE: u8 = 45;

/// The parameters of a statement: slot `i` (0-based) is parameter number `i + 1`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamInfo {
    /// For each slot, its name with prefix (`:name`), or `None` for `?`/`?N`.
    pub names: Vec<Option<String>>,
    /// Some slot is named by more than one placeholder (`?1 … ?1`,
    /// `:a … :a`). When not, each bound value is used in one place only,
    /// so an INSERT may move it into its row instead of copying it.
    pub reused: bool,
}

impl ParamInfo {
    /// Number of parameter slots (the largest parameter number).
    pub fn count(&self) -> usize {
        self.names.len()
    }

    /// 1-based index of a named parameter (`":name"`) or `"?N"`; 0 when absent.
    pub fn index_of(&self, name: &str) -> usize {
        if let Some(n) = name.strip_prefix('?').and_then(|d| d.parse::<usize>().ok()) {
            return if n >= 1 && n <= self.count() { n } else { 0 };
        }
        self.names.iter().position(|n| n.as_deref() == Some(name)).map_or(0, |i| i + 1)
    }
}

/// One parsed statement with its source text.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The statement tree, placeholders renumbered to `?N`.
    pub ast: Statement,
    /// Its parameters.
    pub params: ParamInfo,
    /// Estimated expression depth (see [`super::limits::check`]): deep
    /// statements are planned and run with extra stack.
    pub depth: usize,
    /// The select lists' items as typed, for result column names (shared
    /// by the statements of one text).
    pub names: Arc<SourceNames>,
}

fn syntax_error(e: ParserError) -> Error {
    let msg = match e {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m,
        ParserError::RecursionLimitExceeded => "statement is nested too deeply".to_string(),
    };
    Error::Sql(format!("syntax error: {msg}"))
}

/// Parses one or more `;`-separated statements.
///
/// # Errors
/// `Sql` with "syntax error: …" and the line and column.
pub fn parse(sql: &str) -> Result<Vec<Parsed>> {
    let dialect = HeliosDialect::default();
    let tokens = Tokenizer::new(&dialect, sql).tokenize_with_location().map_err(|e| syntax_error(e.into()))?;
    let depth = super::limits::check(&tokens)?;
    let tokens = at_sign_parameters(tokens);
    let names = Arc::new(SourceNames::of(sql, &tokens));
    super::limits::with_stack(depth, || {
        let statements = Parser::new(&dialect)
            .with_recursion_limit(200)
            .with_tokens_with_locations(super::window_syntax::rewrite(time_travel::rewrite(
                super::statement_syntax::rewrite(super::column_syntax::rewrite(tokens)),
            )))
            .parse_statements()
            .map_err(syntax_error)?;
        statements.into_iter().map(|s| number_params(s, depth, Arc::clone(&names))).collect()
    })
}

/// `@name` is a parameter, as in SQLite: the generic dialect reads it as a
/// word (an identifier), so such words become placeholders.
fn at_sign_parameters(
    mut tokens: Vec<sqlparser::tokenizer::TokenWithSpan>,
) -> Vec<sqlparser::tokenizer::TokenWithSpan> {
    use sqlparser::tokenizer::Token;
    for t in &mut tokens {
        if let Token::Word(w) = &t.token {
            if w.quote_style.is_none() && w.value.len() > 1 && w.value.starts_with('@') {
                t.token = Token::Placeholder(w.value.clone());
            }
        }
    }
    tokens
}

fn number_params(mut ast: Statement, depth: usize, source_names: Arc<SourceNames>) -> Result<Parsed> {
    // Collect placeholders with their positions.
    let mut found: Vec<((u64, u64), String)> = Vec::new();
    let _ = visit_expressions_mut(&mut ast, |e: &mut Expr| {
        if let Expr::Value(v) = e {
            if let Value::Placeholder(p) = &v.value {
                found.push(((v.span.start.line, v.span.start.column), p.clone()));
            }
        }
        ControlFlow::<()>::Continue(())
    });
    if found.is_empty() {
        return Ok(Parsed { ast, params: ParamInfo::default(), depth, names: source_names });
    }
    found.sort_by_key(|(pos, _)| *pos);
    let mut names: Vec<Option<String>> = Vec::new();
    let mut assigned: Vec<((u64, u64), usize)> = Vec::new();
    for (pos, text) in &found {
        let slot = if text == "?" {
            names.push(None);
            names.len()
        } else if let Some(digits) = text.strip_prefix('?') {
            let n: usize = digits
                .parse()
                .ok()
                .filter(|n| (1..=32766).contains(n))
                .ok_or_else(|| Error::Sql(format!("variable number must be between ?1 and ?32766: {text}")))?;
            if names.len() < n {
                names.resize(n, None);
            }
            n
        } else {
            match names.iter().position(|x| x.as_deref() == Some(text.as_str())) {
                Some(i) => i + 1,
                None => {
                    names.push(Some(text.clone()));
                    names.len()
                }
            }
        };
        assigned.push((*pos, slot));
    }
    let _ = visit_expressions_mut(&mut ast, |e: &mut Expr| {
        if let Expr::Value(v) = e {
            if let Value::Placeholder(p) = &mut v.value {
                let pos = (v.span.start.line, v.span.start.column);
                if let Some((_, slot)) = assigned.iter().find(|(q, _)| *q == pos) {
                    *p = format!("?{slot}");
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
    let mut uses = vec![0u32; names.len() + 1];
    for (_, slot) in &assigned {
        uses[*slot] += 1;
    }
    let reused = uses.iter().any(|&n| n > 1);
    Ok(Parsed { ast, params: ParamInfo { names, reused }, depth, names: source_names })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_and_numbered_params_follow_sqlite() {
        let p = parse("SELECT ?, ?5, ?, :a, :a").unwrap();
        assert_eq!(p[0].params.count(), 7);
        assert_eq!(p[0].params.index_of(":a"), 7);
        assert_eq!(p[0].ast.to_string(), "SELECT ?1, ?5, ?6, ?7, ?7");
        assert!(p[0].params.reused);
        assert!(!parse("SELECT ?, ?5, :a").unwrap()[0].params.reused);
    }

    #[test]
    fn at_sign_names_are_parameters_and_question_zero_is_a_syntax_error() {
        let p = parse("SELECT @a, :b, @a").unwrap();
        assert_eq!(p[0].params.count(), 2);
        assert_eq!(p[0].params.index_of("@a"), 1);
        let e = parse("SELECT ?0").unwrap_err();
        assert_eq!(e.code(), 1, "{e}");
    }

    #[test]
    fn syntax_errors_carry_position() {
        let e = parse("SELECT * FRM t").unwrap_err();
        assert!(e.to_string().contains("Line: 1"), "{e}");
    }
}
