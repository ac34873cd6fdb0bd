//! Prometheus HTTP API: response types and decoding.
//!
//! The browser shell fetches and hands over `(http_status, body)`; the `decode_*` functions turn
//! that into an [`Answer`] (data plus warnings and infos) or a [`PromError`] whose kind says what
//! the operator can do. Sample values keep NaN and ±∞ as non-finite floats: a chart draws them as
//! gaps, never as zero. No IO here.

mod decode;
mod error;
mod request;
mod sample;
mod types;

pub use decode::{
    decode_alertmanagers, decode_alerts, decode_buildinfo, decode_envelope, decode_exemplars,
    decode_label_values, decode_metadata, decode_query, decode_query_range, decode_rules,
    decode_runtimeinfo, decode_scrape_pools, decode_series, decode_targets, Answer,
};
pub use request::{
    exemplars_url, label_values_url, picker_values_url, query_range_url, query_url, rules_url, series_url,
};
pub use error::{reason_phrase, snippet, PromError, PromErrorKind, SNIPPET_CHARS};
pub(crate) use error::{sentence, Status};
pub use sample::{
    parse_sample_value, HistogramBucket, HistogramPoint, Labels, Point, StringSample,
};
pub use types::{
    ActiveTarget, Alert, AlertState, AlertmanagerTarget, AlertmanagersData, AlertsData, BuildInfo,
    DroppedTarget, Exemplar, ExemplarSeries, InstantSample, MetadataData, MetricMetadata,
    MetricType, QueryData, Rule, RuleHealth, RuleKind, RulesData, RuntimeInfo, ScrapePoolsData,
    Series, SeriesData, TargetHealth, TargetsData,
};

/// The values of `keys` in `labels`, in the order given, joined by spaces; missing keys are
/// skipped. `series_label(l, &["method", "handler"])` → `"POST /v1/libraries/{library_id}/search"`.
pub fn series_label(labels: &Labels, keys: &[&str]) -> String {
    let mut out = String::new();
    for value in keys.iter().filter_map(|k| labels.get(k)) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(value);
    }
    out
}

/// The names among `metric_names` (the values of `__name__`) that start with one of `prefixes`,
/// sorted and without duplicates: e.g. to find which spelling of arrwDB's metrics
/// (`arrwdb_http_http_…` or `arrwdb_http_…`) a server really has.
pub fn metric_names<'a>(metric_names: &'a [String], prefixes: &[&str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = metric_names
        .iter()
        .map(String::as_str)
        .filter(|name| prefixes.iter().any(|p| name.starts_with(p)))
        .collect();
    crate::core::order::sort(&mut out);
    out.dedup();
    out
}

/// Labels from (name, value) pairs, for tests.
#[cfg(test)]
pub(crate) fn test_labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_labels as labels;

    #[test]
    fn series_labels_follow_the_keys_and_skip_missing_ones() {
        let check = |pairs: &[(&str, &str)], keys: &[&str], expected: &str| {
            assert_eq!(series_label(&labels(pairs), keys), expected);
        };
        let search = [
            ("handler", "/v1/libraries/{library_id}/search"),
            ("method", "POST"),
            ("status", "2xx"),
        ];
        check(
            &search,
            &["method", "handler"],
            "POST /v1/libraries/{library_id}/search",
        );
        check(
            &search,
            &["handler", "method"],
            "/v1/libraries/{library_id}/search POST",
        );
        check(&search, &["route", "method"], "POST");
        check(&search, &[], "");
        check(&[], &["method"], "");
    }

    #[test]
    fn metric_names_are_filtered_by_prefix() {
        let names: Vec<String> = [
            "up",
            "arrwdb_http_http_requests_total",
            "arrwdb_requests_inprogress",
            "up",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            metric_names(&names, &["arrwdb_"]),
            [
                "arrwdb_http_http_requests_total",
                "arrwdb_requests_inprogress"
            ]
        );
        assert_eq!(metric_names(&names, &["up"]), ["up"]);
        assert!(metric_names(&names, &["node_"]).is_empty());
    }
}
