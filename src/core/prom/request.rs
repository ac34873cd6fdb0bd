//! The Prometheus HTTP API requests the page makes: one function per endpoint, each answering
//! the full URL under the configured base (which may carry a path, e.g. `/prometheus`).

use crate::core::config::PrometheusConfig;
use crate::core::promql::{MatchOp, Selector};
use crate::core::time::{QueryWindow, TimeRange};
use crate::core::url::with_query;

/// `GET /api/v1/query_range` over `window` (whole seconds: the window is aligned to a
/// whole-second step).
pub fn query_range_url(base: &str, query: &str, window: &QueryWindow) -> String {
    with_query(
        base,
        "/api/v1/query_range",
        &[
            ("query", query),
            ("start", &(window.start_secs as i64).to_string()),
            ("end", &(window.end_secs as i64).to_string()),
            ("step", &window.step.secs().to_string()),
        ],
    )
}

/// `GET /api/v1/query` evaluated at `time_unix`.
pub fn query_url(base: &str, query: &str, time_unix: i64) -> String {
    with_query(
        base,
        "/api/v1/query",
        &[("query", query), ("time", &time_unix.to_string())],
    )
}

/// `GET /api/v1/query_exemplars` of `query` between two times.
pub fn exemplars_url(base: &str, query: &str, start_unix: i64, end_unix: i64) -> String {
    with_query(
        base,
        "/api/v1/query_exemplars",
        &[
            ("query", query),
            ("start", &start_unix.to_string()),
            ("end", &end_unix.to_string()),
        ],
    )
}

/// `GET /api/v1/label/<label>/values`, of the series `matcher` selects when given.
///
/// Always between two times: without them VictoriaMetrics answers for the last day only and
/// Prometheus for all it holds (slow on a big server).
pub fn label_values_url(base: &str, label: &str, matcher: Option<&str>, start_unix: i64, end_unix: i64) -> String {
    let path = format!("/api/v1/label/{label}/values");
    let (start, end) = (start_unix.to_string(), end_unix.to_string());
    match matcher {
        Some(m) => with_query(base, &path, &[("match[]", m), ("start", &start), ("end", &end)]),
        None => with_query(base, &path, &[("start", &start), ("end", &end)]),
    }
}

/// The values of `label` for a header picker: those of arrwDB's requests counter (`requests`,
/// the resolved name) of `job`, in the chosen `clusters` (all when empty), over the range.
pub fn picker_values_url(prometheus: &PrometheusConfig, requests: &str, label: &str, clusters: &[String], range: TimeRange) -> String {
    let selector = Selector::new(requests)
        .with("job", MatchOp::Equal, &prometheus.job)
        .with_any(&prometheus.cluster_label, clusters)
        .to_string();
    let (start, end) = (range.start_secs() as i64, range.end_secs() as i64);
    label_values_url(&prometheus.url, label, Some(&selector), start, end)
}

/// `GET /api/v1/series` of `selector` between two times (rule health counts its answer).
pub fn series_url(base: &str, selector: &str, start_unix: i64, end_unix: i64) -> String {
    with_query(
        base,
        "/api/v1/series",
        &[
            ("match[]", selector),
            ("start", &start_unix.to_string()),
            ("end", &end_unix.to_string()),
        ],
    )
}

/// `GET /api/v1/rules`.
pub fn rules_url(base: &str) -> String {
    with_query(base, "/api/v1/rules", &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time::{query_window, TimeRange};

    #[test]
    fn each_endpoint_keeps_the_base_path_and_encodes_its_parameters() {
        let base = "http://h/prometheus";
        let w = query_window(TimeRange::new(0.0, 3_600.0).unwrap(), 1_000, 10);
        let url = query_range_url(base, "up{a=\"b c\"}", &w);
        assert!(url.starts_with("http://h/prometheus/api/v1/query_range?query=up%7Ba%3D%22b%20c%22%7D&start="), "{url}");
        assert!(url.ends_with(&format!("&end=3600&step={}", w.step.secs())), "{url}");
        assert_eq!(query_url(base, "up", 60), "http://h/prometheus/api/v1/query?query=up&time=60");
        assert_eq!(
            exemplars_url(base, "x", 1, 2),
            "http://h/prometheus/api/v1/query_exemplars?query=x&start=1&end=2"
        );
        assert_eq!(
            label_values_url(base, "__name__", None, 1, 2),
            "http://h/prometheus/api/v1/label/__name__/values?start=1&end=2"
        );
        assert_eq!(
            label_values_url(base, "handler", Some("m{job=\"a\"}"), 1, 2),
            "http://h/prometheus/api/v1/label/handler/values?match%5B%5D=m%7Bjob%3D%22a%22%7D&start=1&end=2"
        );
        let prometheus = crate::core::config::parse_config(r#"{"prometheus":{"url":"/p","cluster_label":"k8s"}}"#).unwrap().prometheus;
        let range = TimeRange::new(100.0, 200.0).unwrap();
        assert_eq!(
            picker_values_url(&prometheus, "r", "instance", &["eu".to_owned()], range),
            "/p/api/v1/label/instance/values?match%5B%5D=r%7Bjob%3D%22arrwdb%22%2Ck8s%3D%22eu%22%7D&start=100&end=200"
        );
        assert!(picker_values_url(&prometheus, "r", "k8s", &[], range).contains("match%5B%5D=r%7Bjob%3D%22arrwdb%22%7D&"));
        assert_eq!(
            series_url("", "m", 1, 2),
            "/api/v1/series?match%5B%5D=m&start=1&end=2"
        );
        assert_eq!(rules_url(base), "http://h/prometheus/api/v1/rules");
    }
}
