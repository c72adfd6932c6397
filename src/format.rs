//! Numbers and degrees as the atlas writes them, in the panels and on slides alike.

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

/// An angle in degrees with its hemisphere letter (`positive` for zero and above), with
/// `decimals` places: "76.950°E", "45°N". A longitude past 180 is read as west of it.
pub fn format_degrees(value: f64, decimals: usize, positive: char, negative: char) -> String {
    let value = if value > 180.0 { value - 360.0 } else { value };
    let hemisphere = if value < 0.0 { negative } else { positive };
    format!("{:.decimals$}°{hemisphere}", value.abs())
}

/// A day as the atlas writes dates in prose: "3 January 1992".
pub fn long_date(day: crate::data::query::DayKey) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (year, month, date) = (day / 10_000, day / 100 % 100, day % 100);
    let month = (month as usize)
        .checked_sub(1)
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("?");
    format!("{date} {month} {year}")
}

#[cfg(test)]
mod tests {
    use super::{format_degrees, format_number, long_date};
    use crate::data::query::day_key;

    #[test]
    fn dates_are_written_out() {
        let day = |s| day_key(s).expect("a date");
        assert_eq!(long_date(day("1992-01-03")), "3 January 1992");
        assert_eq!(long_date(day("2025-12-31")), "31 December 2025");
        assert_eq!(long_date(day("2014")), "1 January 2014");
    }

    #[test]
    fn degrees_carry_their_hemisphere() {
        assert_eq!(format_degrees(76.95, 3, 'E', 'W'), "76.950°E");
        assert_eq!(format_degrees(-25.0, 0, 'E', 'W'), "25°W");
        assert_eq!(format_degrees(190.0, 0, 'E', 'W'), "170°W");
        assert_eq!(format_degrees(180.0, 0, 'E', 'W'), "180°E");
        assert_eq!(format_degrees(45.0, 0, 'N', 'S'), "45°N");
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(format_number(2228.0), "2\u{2009}228");
        assert_eq!(format_number(962.0), "962");
        assert_eq!(format_number(14.5), "14.5");
    }
}
