//! A small RFC 4180 CSV reader for `.import`.

/// Splits CSV text into records of fields (quoted fields may hold commas,
/// doubled quotes and newlines).
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                other => field.push(other),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => in_quotes = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            other => field.push(other),
        }
    }
    if in_quotes {
        return Err("unterminated quoted field".into());
    }
    if any {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_commas_and_newlines() {
        let r = super::parse("a,b\n\"x, y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",3").unwrap();
        assert_eq!(r, vec![vec!["a", "b"], vec!["x, y", "he said \"hi\""], vec!["multi\nline", "3"]]);
        assert!(super::parse("\"open").is_err());
    }
}
