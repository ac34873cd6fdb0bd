//! Readable values: the unit a panel's numbers are in and how to print them.

/// The unit of a panel's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Requests (or operations) per second.
    PerSecond,
    /// Per minute (searches per minute).
    PerMinute,
    /// A ratio in 0..1, shown as a percentage.
    Ratio,
    /// A value already in percent (0..100).
    Percent,
    /// A duration in seconds, shown in ms or s.
    Seconds,
    /// Bytes, shown in KiB/MiB/GiB.
    Bytes,
    /// Bytes per second (network throughput).
    BytesPerSecond,
    /// A plain count.
    Count,
}

/// A correctly rounded parser of decimal text, as [`parse_number`] uses it.
pub type NumberParser = fn(&str) -> Option<f64>;

thread_local! {
    static NUMBER_PARSER: std::cell::Cell<NumberParser> = const { std::cell::Cell::new(default_parser) };
}

/// Natively, Rust's own (correctly rounded) parser.
#[cfg(not(target_arch = "wasm32"))]
fn default_parser(text: &str) -> Option<f64> {
    text.parse().ok()
}

/// In wasm, until the page installs the browser's: serde_json's, exact up to 15 significant
/// digits and within one ulp beyond. (Rust's would add 14 KB gzip of code and tables to the
/// page, serde_json's `float_roundtrip` 9 KB.)
#[cfg(target_arch = "wasm32")]
fn default_parser(text: &str) -> Option<f64> {
    serde_json::from_str(text).ok()
}

/// Makes [`parse_number`] use `parser`: the page installs the browser's own correctly rounded
/// one (JavaScript's `Number`) at start, so the wasm carries no float parser of its own.
pub fn set_number_parser(parser: NumberParser) {
    NUMBER_PARSER.with(|p| p.set(parser));
}

/// Whether `text` is a decimal number as JSON writes it: `-`?, digits, an optional fraction,
/// an optional exponent. The syntax check shared by every parser, so they accept the same texts.
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Parses a decimal number as JSON writes it (`"1234.5"`, `"-3"`, `"1.2345678e-67"`; surrounding
/// spaces allowed), correctly rounded to the nearest `f64` (see [`set_number_parser`]): every
/// number the page shows equals Prometheus's to the last bit. `None` for anything else,
/// including an exponent beyond the `f64` range.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if !is_json_number(text) {
        return None;
    }
    NUMBER_PARSER.with(|p| p.get())(text).filter(|x| x.is_finite())
}

/// Formats a value with its unit, e.g. `12.3 req/s`, `0.12 %`, `250 ms`, `1.5 GiB`.
/// A non-finite value (a gap) prints as `–`.
pub fn format_value(value: f64, unit: Unit) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    match unit {
        Unit::PerSecond => format!("{} req/s", significant(value)),
        Unit::PerMinute => format!("{}/min", significant(value)),
        Unit::Ratio => format!("{} %", significant(value * 100.0)),
        Unit::Percent => format!("{} %", significant(value)),
        Unit::Seconds => {
            if value.abs() < 1.0 {
                format!("{} ms", significant(value * 1_000.0))
            } else {
                format!("{} s", significant(value))
            }
        }
        Unit::BytesPerSecond => format!("{}/s", format_value(value, Unit::Bytes)),
        Unit::Bytes => {
            const NAMES: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
            let mut v = value;
            let mut i = 0;
            while v.abs() >= 1_024.0 && i < NAMES.len() - 1 {
                v /= 1_024.0;
                i += 1;
            }
            format!("{} {}", significant(v), NAMES[i])
        }
        Unit::Count => significant(value),
    }
}

/// Three significant digits without exponent noise: `1234` → `1234`, `12.345` → `12.3`,
/// `0.012345` → `0.0123`, `0` → `0`.
///
/// Integer arithmetic only: the float formatter of `core` costs ~10 KB of wasm.
pub fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return if value == 0.0 {
            "0".to_owned()
        } else {
            "–".to_owned()
        };
    }
    let magnitude = value.abs().log10().floor() as i32;
    fixed(value, (2 - magnitude).clamp(0, 6) as u32)
}

/// `value` rounded to `decimals` places, trailing zeros dropped: `fixed(99.95312, 3)` →
/// `99.953`, `fixed(-35.0, 2)` → `-35`. Integer arithmetic, as [`significant`].
pub fn fixed(value: f64, decimals: u32) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let scale = 10u128.pow(decimals);
    let scaled = (value.abs() * scale as f64).round() as u128;
    let sign = if value < 0.0 && scaled > 0 { "-" } else { "" };
    let (whole, fraction) = (scaled / scale, scaled % scale);
    if decimals == 0 || fraction == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{fraction:0width$}", width = decimals as usize);
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_as_rusts_correctly_rounded_parser_does() {
        for text in [
            "0",
            "-3",
            "1234.5",
            "0.1",
            "0.30000000000000004",
            "1.2345678e-67",
            "1e+06",
            "1732478400.123",
            "1435781451.781",
            "99.99999999999",
            " 42 ",
            "2.5E3",
        ] {
            assert_eq!(
                parse_number(text),
                Some(text.trim().parse::<f64>().unwrap()),
                "{text}"
            );
        }
        for bad in [
            "", "abc", "1.2.3", "NaN", "+Inf", "0x10", "1,5", "<script>", ".5", "5.", "+1", "1e",
            "1e+", "--1", "1e999", "Infinity",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
        // Exact past 15 digits, as Prometheus writes some values.
        assert_eq!(parse_number("3.7500000000000004"), Some(3.7500000000000004));
        assert_ne!(parse_number("3.7500000000000004"), Some(3.75));
    }

    #[test]
    fn values_print_with_readable_units() {
        let check = |v: f64, unit: Unit, expected: &str| {
            assert_eq!(format_value(v, unit), expected, "{v} {unit:?}")
        };
        check(12.345, Unit::PerSecond, "12.3 req/s");
        check(1234.6, Unit::PerSecond, "1235 req/s");
        check(0.0012, Unit::Ratio, "0.12 %");
        check(0.05, Unit::Ratio, "5 %");
        check(41.26, Unit::Percent, "41.3 %");
        check(0.25, Unit::Seconds, "250 ms");
        check(0.0123, Unit::Seconds, "12.3 ms");
        check(2.0, Unit::Seconds, "2 s");
        check(1_048_576.0, Unit::Bytes, "1 MiB");
        check(2.147483648e9, Unit::Bytes, "2 GiB");
        check(1_500.0, Unit::Bytes, "1.46 KiB");
        check(512.0, Unit::Bytes, "512 B");
        check(3.0, Unit::Count, "3");
        assert_eq!(fixed(99.95312, 3), "99.953");
        assert_eq!(fixed(-35.0, 2), "-35");
        assert_eq!(fixed(0.0004, 3), "0");
        check(1_572_864.0, Unit::BytesPerSecond, "1.5 MiB/s");
        check(90.0, Unit::PerMinute, "90/min");
        check(f64::NAN, Unit::PerSecond, "–");
        check(f64::INFINITY, Unit::Seconds, "–");
        check(0.0, Unit::PerSecond, "0 req/s");
        check(-0.5, Unit::Count, "-0.5");
        check(0.000123456, Unit::Count, "0.000123");
        check(1e-9, Unit::Count, "0");
        check(123_456_789.0, Unit::Count, "123456789");
        check(0.999, Unit::Count, "0.999");
        check(9.9996, Unit::Count, "10");
        check(1.05, Unit::Count, "1.05");
    }
}
