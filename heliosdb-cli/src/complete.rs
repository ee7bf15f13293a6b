//! When typed text holds a whole statement, as `sqlite3_complete()` decides:
//! it ends with `;` outside quotes and comments, and a `CREATE TRIGGER`
//! ends only at `END;` (its body holds semicolons of its own).

/// Whether `sql` ends with a complete statement.
pub fn is_complete(sql: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut ends_with_semicolon = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == close {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return false;
                }
                // A doubled quote ('it''s') simply opens the next quoted run.
                ends_with_semicolon = false;
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                let mut closed = false;
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        closed = true;
                        break;
                    }
                    prev = d;
                }
                if !closed {
                    return false;
                }
            }
            ';' => {
                ends_with_semicolon = true;
                words.push(";".into());
            }
            c if c.is_whitespace() => {}
            c if c.is_alphanumeric() || c == '_' => {
                let mut w = String::from(c);
                while let Some(&d) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' {
                        w.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                words.push(w.to_ascii_uppercase());
                ends_with_semicolon = false;
            }
            _ => ends_with_semicolon = false,
        }
    }
    ends_with_semicolon && !inside_trigger(&words)
}

/// Whether the last statement of `words` is a CREATE TRIGGER still missing its `END;`.
fn inside_trigger(words: &[String]) -> bool {
    // The last statement starts after the last `;` that closed a previous one.
    let body = &words[..words.len().saturating_sub(1)];
    let start = statement_start(body);
    let stmt = &body[start..];
    let is_trigger = stmt.first().is_some_and(|w| w == "CREATE") && stmt.iter().skip(1).take(2).any(|w| w == "TRIGGER");
    is_trigger && stmt.last().is_none_or(|w| w != "END")
}

/// Index where the statement that `words` ends in begins.
fn statement_start(words: &[String]) -> usize {
    let mut start = 0;
    let mut in_trigger = false;
    for (i, w) in words.iter().enumerate() {
        if i == start {
            in_trigger = w == "CREATE" && words.iter().skip(i + 1).take(2).any(|w| w == "TRIGGER");
        }
        if w == ";" && (!in_trigger || (i > 0 && words[i - 1] == "END")) {
            start = i + 1;
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::is_complete;

    #[test]
    fn semicolons_in_quotes_and_comments_do_not_end_a_statement() {
        assert!(is_complete("SELECT 1;"));
        assert!(is_complete("SELECT 1; -- done\n"));
        assert!(!is_complete("SELECT 'a;"));
        assert!(!is_complete("SELECT 'a;' "));
        assert!(is_complete("SELECT 'it''s;';"));
        assert!(!is_complete("SELECT 1 /* ; */"));
        assert!(!is_complete("SELECT 1 -- ;"));
        assert!(is_complete("SELECT \"a;b\" FROM t;"));
        assert!(!is_complete("SELECT 1; SELECT"));
    }

    #[test]
    fn a_trigger_ends_at_end() {
        let t = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  INSERT INTO log VALUES (new.a);";
        assert!(!is_complete(t));
        assert!(is_complete(&format!("{t}\nEND;")));
        assert!(is_complete(&format!("SELECT 1; {t} END;")));
        assert!(!is_complete(&format!("{t} END; {t}")));
        assert!(is_complete("CREATE TEMP TRIGGER x BEFORE DELETE ON t BEGIN SELECT 1; END;"));
    }
}
