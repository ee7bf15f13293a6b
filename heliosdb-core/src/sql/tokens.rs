//! Token-stream helpers for the syntax HeliosDB adds on top of sqlparser
//! (time travel, materialized-view statements): rewrites happen on tokens so
//! source positions survive for error messages and parameter numbering.

use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Whitespace};

/// The upper-cased text of an unquoted word token.
pub fn word(t: &Token) -> Option<String> {
    match t {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

/// Whether any word token of `tokens` (quoted or not) is one of `words`
/// (upper case), ignoring case. The token rewrites ask this first: most
/// statements hold none of the words a rewrite looks for, and then it hands
/// the tokens on untouched instead of copying them one by one.
pub fn any_word(tokens: &[TokenWithSpan], words: &[&str]) -> bool {
    tokens.iter().any(|t| matches!(&t.token, Token::Word(w) if one_of(&w.value, words)))
}

/// Whether `word` is one of `words` (upper case), ignoring case, without
/// the upper-case copy of `word` that [`word`] makes: for checks that run
/// on every word token of every statement.
pub fn one_of(word: &str, words: &[&str]) -> bool {
    words.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// Indexes of the next `n` non-whitespace tokens from `from`.
pub fn next_words(tokens: &[TokenWithSpan], from: usize, n: usize) -> Vec<(usize, Option<String>)> {
    tokens[from..]
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t.token, Token::Whitespace(_)))
        .take(n)
        .map(|(i, t)| (from + i, word(&t.token)))
        .collect()
}

/// Tokens for `words` (space-separated; `=`, `(`, `)`, `,` become punctuation),
/// all placed at `span`.
pub fn make_tokens(words: &[&str], span: Span) -> Vec<TokenWithSpan> {
    let mut out = Vec::with_capacity(words.len() * 2);
    for (n, w) in words.iter().enumerate() {
        if n > 0 {
            out.push(TokenWithSpan { token: Token::Whitespace(Whitespace::Space), span });
        }
        let token = match *w {
            "=" => Token::Eq,
            "(" => Token::LParen,
            ")" => Token::RParen,
            "," => Token::Comma,
            w => Token::make_word(w, None),
        };
        out.push(TokenWithSpan { token, span });
    }
    out
}

/// Splits a token stream into statements (each keeps its `;`).
pub fn split_statements(tokens: Vec<TokenWithSpan>) -> Vec<Vec<TokenWithSpan>> {
    let mut out = vec![Vec::new()];
    for t in tokens {
        let end = matches!(t.token, Token::SemiColon);
        if let Some(s) = out.last_mut() {
            s.push(t);
        }
        if end {
            out.push(Vec::new());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::tokenizer::Tokenizer;

    fn tokens(sql: &str) -> Vec<TokenWithSpan> {
        let dialect = crate::sql::parser::HeliosDialect::default();
        Tokenizer::new(&dialect, sql).tokenize_with_location().unwrap()
    }

    /// The rewrites skip a statement when this says no, so it must never
    /// miss a word however it is written; a false yes only costs time.
    #[test]
    fn any_word_ignores_case_and_sees_quoted_words() {
        assert!(any_word(&tokens("select * from t as of scn 5"), &["OF"]));
        assert!(any_word(&tokens("SELECT \"Of\" FROM t"), &["OF"]));
        assert!(any_word(&tokens("refresh materialized view v"), &["PRAGMA", "REFRESH"]));
        assert!(!any_word(&tokens("INSERT INTO t VALUES ('of', 1)"), &["OF"]), "a string is not a word");
        assert!(!any_word(&tokens("SELECT offset FROM t"), &["OF"]), "whole words only");
    }
}
