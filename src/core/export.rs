//! A chart's answer as CSV, for a spreadsheet or a script.
//!
//! One row per timestamp of the union of all series' timestamps (a gap is an empty cell), one
//! column per series named by its labels as Prometheus names a series
//! (`metric{label="value", …}`). Values are the very text of Prometheus's JSON answer
//! ([`read_range_answer`]: Go's shortest round-trip digits, `NaN`, `+Inf`, `-Inf`), so the file
//! holds exactly the numbers Prometheus answered, and the page needs no float formatting. Quoting follows RFC 4180: a field holding a comma, a double
//! quote, CR or LF is quoted, quotes doubled; lines end with CRLF.
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (CSV injection).
//! Label values are written by whoever exports metrics, so every text cell starting with one of
//! these (or with a tab or CR, which some spreadsheets skip before reading the formula) gets
//! the [`FormulaGuard`]'s prefix. Plain numbers (`-1.5`, `-1e-07`) are read as numbers, never
//! as formulas, and are left as they are; `+Inf` and `-Inf` are text to a spreadsheet and are
//! guarded.

use serde_json::Value;

use crate::core::panel_view::SERIES_COUNT_LABEL;
use crate::core::prom::Labels;
use crate::core::promql::quote;
use crate::core::time::rfc3339_utc;

/// A series of a range answer, its values as Prometheus wrote them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextSeries {
    pub labels: Labels,
    /// `(unix seconds, value text)`, in time order.
    pub points: Vec<(f64, String)>,
}

/// The series of one `/api/v1/query_range` answer (its JSON text), but the page's own series
/// count ([`SERIES_COUNT_LABEL`]): what the panel drew, with each value's text.
pub fn read_range_answer(body: &str) -> Result<Vec<TextSeries>, String> {
    let answer: Value = serde_json::from_str(body).map_err(|e| format!("the answer is not JSON: {e}"))?;
    if answer["status"] != "success" {
        let error = answer["error"].as_str().unwrap_or("no data in the answer");
        return Err(format!("Prometheus answered: {error}"));
    }
    let mut out = Vec::new();
    for series in answer["data"]["result"].as_array().into_iter().flatten() {
        let Some(metric) = series["metric"].as_object() else { continue };
        if metric.contains_key(SERIES_COUNT_LABEL) {
            continue;
        }
        let labels = metric.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect();
        let points = series["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p[0].as_f64()?, p[1].as_str()?.to_owned())))
            .collect();
        out.push(TextSeries { labels, points });
    }
    Ok(out)
}

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
pub fn series_csv(series: &[TextSeries], guard: FormulaGuard) -> String {
    let mut out = String::new();
    let mut header = TIME_COLUMNS.map(str::to_owned).to_vec();
    header.extend(series.iter().map(|s| series_column_name(&s.labels)));
    push_row(&mut out, header.iter().map(|h| Cell::Text(h)), guard);

    let mut times: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|t| t.is_finite())
        .collect();
    crate::core::order::sort_by(&mut times, f64::total_cmp);
    times.dedup();

    // One cursor per series: the rows are in time order, and so are each series' points.
    let mut next = vec![0usize; series.len()];
    for &t_secs in &times {
        let mut row = vec![time_rfc3339(t_secs), time_unix(t_secs)];
        for (s, i) in series.iter().zip(next.iter_mut()) {
            while s.points.get(*i).is_some_and(|p| p.0 < t_secs) {
                *i += 1;
            }
            match s.points.get(*i).filter(|p| p.0 == t_secs) {
                Some(p) => {
                    row.push(p.1.clone());
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

/// A cell of a row: text (a name, a time) or a value as Prometheus wrote it.
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

    fn series(labels: &[(&str, &str)], points: &[(f64, &str)]) -> TextSeries {
        TextSeries {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: points.iter().map(|&(t_secs, value)| (t_secs, value.to_owned())).collect(),
        }
    }

    #[test]
    fn a_range_answer_is_read_with_its_values_as_written_and_without_the_page_s_count() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"handler":"/a"},"values":[[10,"0.30000000000000004"],[20.5,"NaN"],[30,"1e+21"]]},
            {"metric":{"arrwdb_ops_series_count":"all"},"values":[[10,"12"]]}]}}"#;
        assert_eq!(
            read_range_answer(body).unwrap(),
            [series(&[("handler", "/a")], &[(10.0, "0.30000000000000004"), (20.5, "NaN"), (30.0, "1e+21")])]
        );
        let refused = r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
        assert_eq!(read_range_answer(refused).unwrap_err(), "Prometheus answered: parse error");
        assert!(read_range_answer("<html>").unwrap_err().starts_with("the answer is not JSON"));
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
        let a = series(&[("handler", "/a")], &[(10.0, "1"), (20.0, "NaN"), (30.0, "3.5")]);
        let b = series(&[("handler", "/b")], &[(20.0, "-Inf"), (40.0, "-1.5e-07")]);
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
            let csv = series_csv(&[TextSeries { labels, ..TextSeries::default() }], guard);
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
