//! Limits checked on the token stream, before anything recursive sees the
//! statement: the expression depth (SQLite's 1000) and the number of terms of
//! a compound SELECT (SQLite's 500), and enough stack for what is accepted.
//!
//! sqlparser builds chains of binary operators (`1+1+…`, `a AND b AND …`)
//! and of UNIONs iteratively, so a long chain parses into a tree as deep as
//! it is long; the binder, the evaluator and even dropping the tree recurse
//! over it and would overflow the thread's stack. Measuring on tokens keeps
//! that recursion bounded whatever the input.
//!
//! A tree at the limit still needs more stack than some callers' threads
//! have (a JVM thread has 1 MiB, other runtimes less), so a deep statement
//! runs on a stack segment of its own ([`with_stack`]); shallow ones, nearly
//! all, pay nothing.

use super::tokens::one_of;
use crate::error::{Error, Result};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// The deepest expression tree accepted (SQLite's `SQLITE_MAX_EXPR_DEPTH`).
pub const MAX_EXPR_DEPTH: usize = 1000;
/// The most SELECTs one compound SELECT may join (SQLite's `SQLITE_MAX_COMPOUND_SELECT`).
pub const MAX_COMPOUND_SELECT: usize = 500;

/// The precedence class of a binary operator, or `None` for other tokens.
/// A chain of one class is a tree as deep as the chain is long; operators of
/// other classes inside it add one level each, not one per occurrence
/// (`x=1 OR x=2 OR …` is about as deep as it has ORs).
fn operator_class(t: &Token) -> Option<usize> {
    Some(match t {
        Token::Mul | Token::Div | Token::Mod => 0,
        Token::Plus | Token::Minus => 1,
        Token::StringConcat => 2,
        Token::Ampersand | Token::Pipe | Token::ShiftLeft | Token::ShiftRight | Token::Tilde => 3,
        Token::Eq | Token::DoubleEq | Token::Neq | Token::Lt | Token::Gt | Token::LtEq | Token::GtEq => 4,
        Token::Word(w) if w.quote_style.is_none() => {
            let v = w.value.as_str();
            if one_of(v, &["IS", "LIKE", "GLOB", "IN", "BETWEEN"]) {
                4
            } else if v.eq_ignore_ascii_case("AND") {
                5
            } else if v.eq_ignore_ascii_case("OR") {
                6
            } else if v.eq_ignore_ascii_case("NOT") {
                // Prefix NOT nests: `NOT NOT … x` is as deep as it has NOTs.
                7
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

const CLASSES: usize = 8;

fn is_open(t: &Token) -> bool {
    match t {
        Token::LParen => true,
        Token::Word(w) => w.quote_style.is_none() && w.value.eq_ignore_ascii_case("CASE"),
        _ => false,
    }
}

fn is_close(t: &Token) -> bool {
    match t {
        Token::RParen => true,
        Token::Word(w) => w.quote_style.is_none() && w.value.eq_ignore_ascii_case("END"),
        _ => false,
    }
}

/// How deep one chain of operators makes its tree (see [`operator_class`]).
fn chain_depth(counts: &[usize; CLASSES]) -> usize {
    let longest = counts.iter().copied().max().unwrap_or(0);
    let others = counts.iter().filter(|c| **c > 0).count().saturating_sub(1);
    longest + others
}

/// Words after which a new, separate expression starts.
fn starts_expression(t: &Token) -> bool {
    match t {
        Token::Comma | Token::SemiColon => true,
        Token::Word(w) if w.quote_style.is_none() => one_of(
            &w.value,
            &["SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES", "SET", "ON"],
        ),
        _ => false,
    }
}

/// Depth (as [`check`] estimates it) above which a statement is parsed,
/// planned and run on a stack segment of its own.
const DEEP: usize = 48;

/// Runs `f` with room for a statement of estimated `depth`: directly for
/// shallow statements, else on a fresh stack segment when the thread's
/// remaining stack is short.
pub fn with_stack<T>(depth: usize, f: impl FnOnce() -> T) -> T {
    if depth <= DEEP {
        return f();
    }
    // About 1 KiB per level of depth covers parse, bind, plan and eval.
    let need = (depth + 64) * 1024 + 256 * 1024;
    stacker::maybe_grow(need, need * 2, f)
}

/// Fails when a statement's expressions nest deeper than [`MAX_EXPR_DEPTH`]
/// or a compound SELECT has more than [`MAX_COMPOUND_SELECT`] terms;
/// otherwise returns the deepest statement's estimated depth.
///
/// The depth is an upper bound: every chain of binary operators counts its
/// length (see [`operator_class`]), every parenthesis or compound term one
/// level, summed along the nesting.
///
/// # Errors
/// `Sql` naming the limit.
pub fn check(tokens: &[TokenWithSpan]) -> Result<usize> {
    let mut deepest = 0usize;
    // Operator counts of the current chain at each parenthesis level.
    let mut chains: Vec<[usize; CLASSES]> = vec![[0; CLASSES]];
    let mut compound = 0usize;
    for t in tokens {
        let tok = &t.token;
        if matches!(tok, Token::SemiColon) {
            chains = vec![[0; CLASSES]];
            compound = 0;
            continue;
        }
        deepest = deepest.max(chains.len() + compound);
        if let Token::Word(w) = tok {
            if w.quote_style.is_none() && one_of(&w.value, &["UNION", "INTERSECT", "EXCEPT"]) {
                compound += 1;
                if compound >= MAX_COMPOUND_SELECT {
                    return Err(Error::Sql(format!(
                        "too many terms in compound SELECT (the limit is {MAX_COMPOUND_SELECT})"
                    )));
                }
            }
        }
        match tok {
            // CASE … END nests like a parenthesis.
            t if is_open(t) => chains.push([0; CLASSES]),
            t if is_close(t) => {
                if chains.len() > 1 {
                    chains.pop();
                }
            }
            t if starts_expression(t) => {
                if let Some(top) = chains.last_mut() {
                    *top = [0; CLASSES];
                }
            }
            t => {
                if let (Some(class), Some(top)) = (operator_class(t), chains.last_mut()) {
                    top[class] += 1;
                    let depth: usize = chains.iter().map(chain_depth).sum::<usize>() + chains.len() - 1;
                    deepest = deepest.max(depth + compound);
                    if depth > MAX_EXPR_DEPTH {
                        return Err(Error::Sql(format!(
                            "Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})"
                        )));
                    }
                }
            }
        }
    }
    Ok(deepest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::GenericDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn run(sql: &str) -> Result<usize> {
        check(&Tokenizer::new(&GenericDialect {}, sql).tokenize_with_location().unwrap())
    }

    #[test]
    fn long_chains_are_refused_short_ones_pass() {
        let chain = |n: usize| format!("SELECT {}", vec!["1"; n].join("+"));
        assert!(run(&chain(1000)).is_ok());
        assert!(run(&chain(1002)).unwrap_err().to_string().contains("maximum depth 1000"));
        // Many short expressions side by side are not one deep tree.
        let wide = format!("SELECT {}", vec!["a+b+c"; 2000].join(", "));
        assert!(run(&wide).is_ok());
        let rows = format!("INSERT INTO t VALUES {}", vec!["(1+2, 3*4)"; 5000].join(", "));
        assert!(run(&rows).is_ok());
        // An OR chain of comparisons is about as deep as it has ORs.
        let ors = (0..900).map(|i| format!("x = {i}")).collect::<Vec<_>>().join(" OR ");
        assert!(run(&format!("SELECT * FROM t WHERE {ors}")).is_ok());
        let nested = format!("SELECT {}1{}", "(1+".repeat(600), ")".repeat(600));
        assert!(run(&nested).unwrap_err().to_string().contains("maximum depth"));
    }

    #[test]
    fn compound_selects_are_limited() {
        let union = |n: usize| vec!["SELECT 1"; n].join(" UNION ALL ");
        assert!(run(&union(500)).is_ok());
        assert!(run(&union(501)).unwrap_err().to_string().contains("compound SELECT"));
        // The count starts again with each statement.
        assert!(run(&format!("{}; {}", union(400), union(400))).is_ok());
    }
}
