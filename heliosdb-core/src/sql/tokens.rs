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
        out.last_mut().map(|s| s.push(t));
        if end {
            out.push(Vec::new());
        }
    }
    out
}
