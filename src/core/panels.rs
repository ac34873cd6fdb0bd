//! The dashboard's panels as data: what each one asks Prometheus and how it shows the answer.
//! The browser shell only fetches and draws what is described here.

use crate::core::prom::{series_label, Series};
use crate::core::promql::{sum_rate, MatchOp, Selector};
use crate::core::chart::ChartSeries;
use crate::core::units::Unit;

/// The metric names a real arrwDB exports (prometheus-fastapi-instrumentator with namespace
/// `arrwdb` and subsystem `http` doubles the `http_`; see shared/fixtures/arrwdb/README.md).
pub const REQUESTS_TOTAL: &str = "arrwdb_http_http_requests_total";

/// A panel: its DOM id (`data-panel`), title and how its values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelSpec {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: Unit,
    pub y_from_zero: bool,
    /// The labels that name a series in the legend, in order.
    pub legend_labels: &'static [&'static str],
}

pub const REQUEST_RATE: PanelSpec = PanelSpec {
    id: "request-rate",
    title: "Request rate by handler",
    unit: Unit::PerSecond,
    y_from_zero: true,
    legend_labels: &["method", "handler"],
};

/// `sum by (method, handler) (rate(<requests>{job="…"}[window]))`: requests per second.
pub fn request_rate_query(job: &str, rate_window_secs: u64) -> String {
    let selector = Selector::new(REQUESTS_TOTAL).with("job", MatchOp::Equal, job);
    sum_rate(&selector, rate_window_secs, REQUEST_RATE.legend_labels)
}

/// A series' legend name from the panel's legend labels (missing ones are skipped; a series
/// with none of them is named by all its labels, or "total").
pub fn series_name(series: &Series, legend_labels: &[&str]) -> String {
    let name = series_label(&series.labels, legend_labels);
    if !name.is_empty() {
        return name;
    }
    if series.labels.is_empty() {
        return "total".to_owned();
    }
    series.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

/// Turns a matrix into named chart series, sorted by name so colours are stable across
/// refreshes.
pub fn chart_series(matrix: Vec<Series>, spec: &PanelSpec) -> Vec<ChartSeries> {
    let mut out: Vec<ChartSeries> = matrix
        .into_iter()
        .map(|s| ChartSeries { name: series_name(&s, spec.legend_labels), points: s.points })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_rate_query_is_per_handler_and_escaped() {
        assert_eq!(
            request_rate_query("arrwdb", 40),
            r#"sum by (method, handler) (rate(arrwdb_http_http_requests_total{job="arrwdb"}[40s]))"#
        );
        assert!(request_rate_query(r#"a"}or{x="#, 40).contains(r#"job="a\"}or{x=""#));
    }

    #[test]
    fn series_are_named_by_their_legend_labels() {
        let series = |pairs: &[(&str, &str)]| Series {
            labels: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        };
        let check = |pairs: &[(&str, &str)], expected: &str| {
            assert_eq!(series_name(&series(pairs), REQUEST_RATE.legend_labels), expected);
        };
        check(&[("handler", "/v1/libraries"), ("method", "GET")], "GET /v1/libraries");
        check(&[("handler", "/v1/libraries")], "/v1/libraries");
        check(&[], "total");
        check(&[("status", "5xx")], "status=5xx");
    }
}
