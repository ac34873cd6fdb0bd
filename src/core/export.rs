//! A chart's answer as CSV, for a spreadsheet or a script.
//!
//! One row per timestamp of the union of all series' timestamps (a gap is an empty cell), one
//! column per series named by its labels as Prometheus names a series
//! (`metric{label="value", …}`). Values are written as Prometheus writes them in its JSON
//! (Go's shortest round-trip formatting, `NaN`, `+Inf`, `-Inf`), so the file holds exactly the
//! numbers Prometheus answered. Quoting follows RFC 4180: a field holding a comma, a double
//! quote, CR or LF is quoted, quotes doubled; lines end with CRLF.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (CSV injection).
//! Label values are written by whoever exports metrics, so every text cell starting with one of
//! these (or with a tab or CR, which some spreadsheets skip before reading the formula) gets
//! the [`FormulaGuard`]'s prefix. Plain numbers (`-1.5`, `-1e-07`) are read as numbers, never
//! as formulas, and are left as they are; `+Inf` and `-Inf` are text to a spreadsheet and are
//! guarded.
//!
//! The values need the shortest round-trip float formatting of Rust's `core` (about 10 KB of
//! wasm that the rest of the page avoids): the price of a file whose numbers are exact.

use crate::core::prom::{Labels, Series};
use crate::core::promql::quote;
use crate::core::time::rfc3339_utc;

/// What a cell that a spreadsheet would read as a formula is prefixed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormulaGuard {
    /// `'`, OWASP's advice: Excel, LibreOffice and Google Sheets show the cell as text and hide
    /// the apostrophe. A script reading the file sees it.
    #[default]
    Apostrophe,
    /// A tab: invisible in most spreadsheets, and trimmed by most scripts.
    Tab,
}

impl FormulaGuard {
    fn prefix(self) -> char {
        match self {
            FormulaGuard::Apostrophe => '\'',
            FormulaGuard::Tab => '\t',
        }
    }
}

/// The header's first two columns.
pub const TIME_COLUMNS: [&str; 2] = ["time_rfc3339", "time_unix"];

/// The CSV of a chart's series: the header `time_rfc3339,time_unix,<series…>`, then one row per
/// timestamp (sorted, each once) of any series. Each series' points are expected in time order,
/// as Prometheus returns them; a series without a point at a timestamp has an empty cell there.
pub fn series_csv(series: &[Series], guard: FormulaGuard) -> String {
    let mut out = String::new();
    let mut header = TIME_COLUMNS.map(str::to_owned).to_vec();
    header.extend(series.iter().map(|s| series_column_name(&s.labels)));
    push_row(&mut out, header.iter().map(|h| Cell::Text(h)), guard);

    let mut times: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.t_secs))
        .filter(|t| t.is_finite())
        .collect();
    crate::core::order::sort_by(&mut times, f64::total_cmp);
    times.dedup();

    // One cursor per series: the rows are in time order, and so are each series' points.
    let mut next = vec![0usize; series.len()];
    for &t_secs in &times {
        let mut row = vec![time_rfc3339(t_secs), time_unix(t_secs)];
        for (s, i) in series.iter().zip(next.iter_mut()) {
            while s.points.get(*i).is_some_and(|p| p.t_secs < t_secs) {
                *i += 1;
            }
            match s.points.get(*i).filter(|p| p.t_secs == t_secs) {
                Some(p) => {
                    row.push(prometheus_float(p.value));
                    *i += 1;
                }
                None => row.push(String::new()),
            }
        }
        let cells = row.iter().enumerate().map(|(column, cell)| match column {
            0 => Cell::Text(cell),
            _ => Cell::Value(cell),
        });
        push_row(&mut out, cells, guard);
    }
    out
}

/// A series named as Prometheus names it: `metric{a="x", b="y"}`, label values quoted as in
/// PromQL; `{a="x"}` without a metric name, `{}` without labels.
pub fn series_column_name(labels: &Labels) -> String {
    let mut name = labels.get("__name__").cloned().unwrap_or_default();
    let pairs: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect();
    name.push('{');
    name.push_str(&pairs.join(", "));
    name.push('}');
    name
}

/// A time as RFC 3339 UTC, with milliseconds when it has some: `2026-11-24T16:33:53Z`,
/// `2026-11-24T16:33:53.250Z`.
pub fn time_rfc3339(t_secs: f64) -> String {
    let (whole_secs, millis) = split_millis(t_secs);
    let seconds = rfc3339_utc(whole_secs as f64);
    match millis {
        0 => seconds,
        ms => format!("{}.{ms:03}Z", seconds.trim_end_matches('Z')),
    }
}

/// A time as Prometheus writes it: Unix seconds with three decimals when there are
/// milliseconds (`1795538033`, `1795538033.250`, `-0.001`).
pub fn time_unix(t_secs: f64) -> String {
    let total_ms = (t_secs * 1_000.0).round() as i64;
    let sign = if total_ms < 0 { "-" } else { "" };
    let abs_ms = total_ms.unsigned_abs();
    match abs_ms % 1_000 {
        0 => format!("{sign}{}", abs_ms / 1_000),
        ms => format!("{sign}{}.{ms:03}", abs_ms / 1_000),
    }
}

/// Whole seconds (floored) and milliseconds of a time, rounded to the millisecond.
fn split_millis(t_secs: f64) -> (i64, u32) {
    let total_ms = (t_secs * 1_000.0).round() as i64;
    (
        total_ms.div_euclid(1_000),
        total_ms.rem_euclid(1_000) as u32,
    )
}

/// A sample value as Prometheus writes it (`MarshalValue` in util/jsonutil): `NaN`, `+Inf`,
/// `-Inf`; otherwise Go's `strconv.FormatFloat(v, fmt, -1, 64)`, the shortest digits that read
/// back as the same float, in plain notation (`'f'`) unless `|v| < 1e-6` or `|v| >= 1e21`, where
/// it is exponent notation (`'e'`: `1.5e-07`, `1e+21`, the exponent signed and of at least two
/// digits). Since the digits are the shortest that round-trip, this is the very text
/// Prometheus sent.
pub fn prometheus_float(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let abs = value.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        // Rust's `Display` of a float is the shortest round-trip digits, never in exponent form.
        return format!("{value}");
    }
    let rust = format!("{value:e}");
    let (mantissa, exponent) = rust.split_once('e').unwrap_or((&rust, "0"));
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// A cell of a row: text (a name, a time) or a value written by [`prometheus_float`].
enum Cell<'a> {
    Text(&'a str),
    Value(&'a str),
}

fn push_row<'a>(out: &mut String, cells: impl Iterator<Item = Cell<'a>>, guard: FormulaGuard) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Of the values, only the infinities start like a formula and are not numbers.
        let (text, guarded) = match cell {
            Cell::Text(text) => (text, starts_like_a_formula(text)),
            Cell::Value(text) => (text, matches!(text, "+Inf" | "-Inf")),
        };
        push_field(out, text, guarded, guard);
    }
    out.push_str("\r\n");
}

/// True for text a spreadsheet may read as a formula.
fn starts_like_a_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// One field, guarded if asked, quoted when RFC 4180 needs it.
fn push_field(out: &mut String, text: &str, guarded: bool, guard: FormulaGuard) {
    let needs_quotes =
        text.contains([',', '"', '\r', '\n']) || (guarded && guard == FormulaGuard::Tab);
    if needs_quotes {
        out.push('"');
    }
    if guarded {
        out.push(guard.prefix());
    }
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if needs_quotes {
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::prom::Point;

    fn series(labels: &[(&str, &str)], points: &[(f64, f64)]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: points
                .iter()
                .map(|&(t_secs, value)| Point { t_secs, value })
                .collect(),
            histograms: Vec::new(),
        }
    }

    #[test]
    fn floats_read_as_prometheus_wrote_them() {
        let check = |value: f64, expected: &str| {
            assert_eq!(prometheus_float(value), expected, "{value:e}");
            if value.is_finite() {
                assert_eq!(expected.parse::<f64>().unwrap(), value, "round trip");
            }
        };
        check(0.0, "0");
        check(-0.0, "-0");
        check(1.0, "1");
        check(1234.5, "1234.5");
        check(0.1 + 0.2, "0.30000000000000004");
        check(1e-6, "0.000001");
        check(1.5e-7, "1.5e-07");
        check(-2.5e-10, "-2.5e-10");
        check(1e20, "100000000000000000000");
        check(1e21, "1e+21");
        check(1.2345678e-67, "1.2345678e-67");
        check(f64::MAX, "1.7976931348623157e+308");
        check(5e-324, "5e-324");
        check(f64::NAN, "NaN");
        check(f64::INFINITY, "+Inf");
        check(f64::NEG_INFINITY, "-Inf");
    }

    #[test]
    fn times_have_milliseconds_only_when_present() {
        assert_eq!(time_rfc3339(1_795_538_033.0), "2026-11-24T16:33:53Z");
        assert_eq!(time_rfc3339(1_795_538_033.25), "2026-11-24T16:33:53.250Z");
        assert_eq!(time_rfc3339(-0.001), "1969-12-31T23:59:59.999Z");
        assert_eq!(time_unix(1_795_538_033.0), "1795538033");
        assert_eq!(time_unix(1_795_538_033.25), "1795538033.250");
        assert_eq!(time_unix(-0.001), "-0.001");
        assert_eq!(time_unix(-1.5), "-1.500");
    }

    #[test]
    fn columns_are_named_like_prometheus_series() {
        let s = series(
            &[("__name__", "up"), ("job", "a\"b"), ("instance", "x:1")],
            &[],
        );
        assert_eq!(
            series_column_name(&s.labels),
            r#"up{instance="x:1", job="a\"b"}"#
        );
        assert_eq!(
            series_column_name(&series(&[("le", "0.5")], &[]).labels),
            r#"{le="0.5"}"#
        );
        assert_eq!(series_column_name(&Labels::new()), "{}");
    }

    #[test]
    fn rows_are_the_union_of_timestamps_with_gaps_empty() {
        let a = series(
            &[("handler", "/a")],
            &[(10.0, 1.0), (20.0, f64::NAN), (30.0, 3.5)],
        );
        let b = series(
            &[("handler", "/b")],
            &[(20.0, f64::NEG_INFINITY), (40.0, -1.5e-7)],
        );
        assert_eq!(
            series_csv(&[a, b], FormulaGuard::Apostrophe),
            "time_rfc3339,time_unix,\"{handler=\"\"/a\"\"}\",\"{handler=\"\"/b\"\"}\"\r\n\
             1970-01-01T00:00:10Z,10,1,\r\n\
             1970-01-01T00:00:20Z,20,NaN,'-Inf\r\n\
             1970-01-01T00:00:30Z,30,3.5,\r\n\
             1970-01-01T00:00:40Z,40,,-1.5e-07\r\n"
        );
        assert_eq!(
            series_csv(&[], FormulaGuard::Apostrophe),
            "time_rfc3339,time_unix\r\n"
        );
    }

    #[test]
    fn hostile_label_values_are_quoted_and_guarded() {
        let check = |value: &str, guard: FormulaGuard, expected_header_cell: &str| {
            let mut labels = Labels::new();
            labels.insert("__name__".into(), value.into());
            let csv = series_csv(
                &[Series {
                    labels,
                    ..Series::default()
                }],
                guard,
            );
            assert_eq!(
                csv,
                format!("time_rfc3339,time_unix,{expected_header_cell}\r\n"),
                "{value:?}"
            );
        };
        use FormulaGuard::{Apostrophe, Tab};
        check("=cmd|' /C calc'!A0", Apostrophe, "'=cmd|' /C calc'!A0{}");
        check("=cmd", Tab, "\"\t=cmd{}\"");
        check("+1", Apostrophe, "'+1{}");
        check("-1", Apostrophe, "'-1{}");
        check("@SUM(A1)", Apostrophe, "'@SUM(A1){}");
        check("\tx", Apostrophe, "'\tx{}");
        check(
            "=HYPERLINK(\"http://e\",\"x\")",
            Apostrophe,
            "\"'=HYPERLINK(\"\"http://e\"\",\"\"x\"\"){}\"",
        );
        check("a,b", Apostrophe, "\"a,b{}\"");
        check("line\r\nbreak", Apostrophe, "\"line\r\nbreak{}\"");
        check("plain", Apostrophe, "plain{}");
    }
}
