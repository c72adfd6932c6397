//! Numbers as the atlas writes them, in the panels and on slides alike.

/// Thousands separated by thin spaces; decimals only where the value has them.
pub fn format_number(value: f64) -> String {
    if value.fract().abs() > 1e-9 {
        return format!("{value}");
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "whole numbers shown here are far below i64::MAX"
    )]
    let whole = value as i64;
    let digits = whole.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    if whole < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::format_number;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(format_number(2228.0), "2\u{2009}228");
        assert_eq!(format_number(962.0), "962");
        assert_eq!(format_number(14.5), "14.5");
    }
}
