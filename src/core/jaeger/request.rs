//! The request URLs of both Jaeger APIs, as exact strings.
//!
//! api_v3 parameter spelling: the snake_case names (`query.service_name`,
//! `query.start_time_min`, …) are the ones every Jaeger with the api_v3 HTTP gateway reads;
//! releases that added the camelCase names (`query.serviceName`, … as in the v2.20 snapshot
//! tests) still read snake_case as an alias, and look-alike servers (VictoriaTraces) read both
//! too. camelCase would fail on older releases, so snake_case is the one spelling that works
//! everywhere. The limit is sent twice: `query.search_depth` (its current name) and
//! `query.num_traces` (the name releases before the rename read); unknown parameters are
//! ignored by every version, so the pair is safe. `query.attributes` is ignored by releases that
//! predate it: filter the answer again with [`crate::core::jaeger::Trace::matches_tags`].

use crate::core::json::string_literal;
use crate::core::time::rfc3339_utc;
use crate::core::url::{encode_component, with_query};

/// What to search for. Times are Unix microseconds (v1 takes them as they are; api_v3 takes
/// RFC 3339, converted here).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchParams {
    pub service: String,
    pub operation: Option<String>,
    pub start_us: i64,
    pub end_us: i64,
    /// The most traces to return.
    pub limit: u32,
    /// Only traces at least this long; `None` or ≤ 0 for any.
    pub min_duration_us: Option<i64>,
    /// Attribute filters, `key = value`, all of which must match.
    pub tags: Vec<(String, String)>,
}

/// A base URL without its trailing slashes (config may keep one).
fn base(base: &str) -> &str {
    base.trim_end_matches('/')
}

/// A time as RFC 3339 in UTC with microseconds, e.g. `2026-11-24T16:33:53.000250Z`. Go's
/// `time.RFC3339Nano` parser (api_v3) reads any number of fractional digits.
pub fn rfc3339_micros_utc(t_us: i64) -> String {
    let seconds = rfc3339_utc(t_us.div_euclid(1_000_000) as f64);
    let micros = t_us.rem_euclid(1_000_000);
    format!("{}.{micros:06}Z", seconds.trim_end_matches('Z'))
}

/// A duration in Go's `time.ParseDuration` syntax, in the largest unit that keeps it exact:
/// `2s`, `1500ms`, `250us`.
pub fn go_duration(us: i64) -> String {
    if us == 0 {
        "0s".to_owned()
    } else if us % 1_000_000 == 0 {
        format!("{}s", us / 1_000_000)
    } else if us % 1_000 == 0 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

/// Tags as the JSON object both APIs (and the Jaeger UI's URL) take: `{"error":"true"}`, in the
/// order given.
pub fn tags_json(tags: &[(String, String)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in tags.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&string_literal(key));
        out.push(':');
        out.push_str(&string_literal(value));
    }
    out.push('}');
    out
}

fn min_duration(p: &SearchParams) -> Option<String> {
    p.min_duration_us.filter(|&d| d > 0).map(go_duration)
}

fn operation(p: &SearchParams) -> Option<&str> {
    p.operation.as_deref().filter(|o| !o.is_empty())
}

fn v3_query(p: &SearchParams) -> Vec<(&'static str, String)> {
    let mut q = vec![("query.service_name", p.service.clone())];
    if let Some(op) = operation(p) {
        q.push(("query.operation_name", op.to_owned()));
    }
    q.push(("query.start_time_min", rfc3339_micros_utc(p.start_us)));
    q.push(("query.start_time_max", rfc3339_micros_utc(p.end_us)));
    if let Some(d) = min_duration(p) {
        q.push(("query.duration_min", d));
    }
    q.push(("query.search_depth", p.limit.to_string()));
    q.push(("query.num_traces", p.limit.to_string()));
    if !p.tags.is_empty() {
        q.push(("query.attributes", tags_json(&p.tags)));
    }
    q
}

fn url(base_url: &str, path: &str, params: &[(&str, String)]) -> String {
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    with_query(base(base_url), path, &params)
}

/// `GET {base}/api/v3/traces?query.…`: the search, answered with the traces' spans.
pub fn v3_search_url(base_url: &str, p: &SearchParams) -> String {
    url(base_url, "/api/v3/traces", &v3_query(p))
}

/// `GET {base}/api/v3/trace-summaries?query.…` (Jaeger ≥ 2.19): the same search, answered with
/// one summary per trace.
pub fn v3_trace_summaries_url(base_url: &str, p: &SearchParams) -> String {
    url(base_url, "/api/v3/trace-summaries", &v3_query(p))
}

/// `GET {base}/api/traces?service=&operation=&start=&end=&limit=&minDuration=&tags=`.
pub fn v1_search_url(base_url: &str, p: &SearchParams) -> String {
    let mut q = vec![("service", p.service.clone())];
    if let Some(op) = operation(p) {
        q.push(("operation", op.to_owned()));
    }
    q.push(("start", p.start_us.to_string()));
    q.push(("end", p.end_us.to_string()));
    q.push(("limit", p.limit.to_string()));
    if let Some(d) = min_duration(p) {
        q.push(("minDuration", d));
    }
    if !p.tags.is_empty() {
        q.push(("tags", tags_json(&p.tags)));
    }
    url(base_url, "/api/traces", &q)
}

/// `GET {base}/api/v3/traces/{id}`.
pub fn v3_trace_url(base_url: &str, trace_id: &str) -> String {
    format!(
        "{}/api/v3/traces/{}",
        base(base_url),
        encode_component(trace_id)
    )
}

/// `GET {base}/api/traces/{id}`.
pub fn v1_trace_url(base_url: &str, trace_id: &str) -> String {
    format!(
        "{}/api/traces/{}",
        base(base_url),
        encode_component(trace_id)
    )
}

/// `GET {base}/api/v3/services`.
pub fn v3_services_url(base_url: &str) -> String {
    format!("{}/api/v3/services", base(base_url))
}

/// `GET {base}/api/services`.
pub fn v1_services_url(base_url: &str) -> String {
    format!("{}/api/services", base(base_url))
}

/// `GET {base}/api/v3/operations?service=…` (all span kinds).
pub fn v3_operations_url(base_url: &str, service: &str) -> String {
    url(
        base_url,
        "/api/v3/operations",
        &[("service", service.to_owned())],
    )
}

/// `GET {base}/api/operations?service=…` (Jaeger ≥ 1.16; answers `{name, spanKind}`).
pub fn v1_operations_url(base_url: &str, service: &str) -> String {
    url(
        base_url,
        "/api/operations",
        &[("service", service.to_owned())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SearchParams {
        SearchParams {
            service: "arrwdb".into(),
            operation: Some("POST /v1/libraries/{library_id}/search".into()),
            // 2026-11-24T16:33:53.000250Z .. +15 min
            start_us: 1_795_538_033_000_250,
            end_us: 1_795_538_933_000_250,
            limit: 20,
            min_duration_us: Some(1_500_000),
            tags: vec![
                ("error".into(), "true".into()),
                ("http.status_code".into(), "500".into()),
            ],
        }
    }

    #[test]
    fn v3_search_uses_snake_case_rfc3339_and_go_durations() {
        assert_eq!(
            v3_search_url("http://jaeger:16686/", &params()),
            "http://jaeger:16686/api/v3/traces?query.service_name=arrwdb\
             &query.operation_name=POST%20%2Fv1%2Flibraries%2F%7Blibrary_id%7D%2Fsearch\
             &query.start_time_min=2026-11-24T16%3A33%3A53.000250Z\
             &query.start_time_max=2026-11-24T16%3A48%3A53.000250Z\
             &query.duration_min=1500ms&query.search_depth=20&query.num_traces=20\
             &query.attributes=%7B%22error%22%3A%22true%22%2C%22http.status_code%22%3A%22500%22%7D"
        );
        let bare = SearchParams {
            operation: None,
            min_duration_us: None,
            tags: vec![],
            ..params()
        };
        assert_eq!(
            v3_search_url("/jaeger", &bare),
            "/jaeger/api/v3/traces?query.service_name=arrwdb\
             &query.start_time_min=2026-11-24T16%3A33%3A53.000250Z\
             &query.start_time_max=2026-11-24T16%3A48%3A53.000250Z\
             &query.search_depth=20&query.num_traces=20"
        );
        assert!(v3_trace_summaries_url("/jaeger", &bare)
            .starts_with("/jaeger/api/v3/trace-summaries?query.service_name=arrwdb&"));
    }

    #[test]
    fn v1_search_uses_microseconds() {
        assert_eq!(
            v1_search_url("http://jaeger:16686", &params()),
            "http://jaeger:16686/api/traces?service=arrwdb\
             &operation=POST%20%2Fv1%2Flibraries%2F%7Blibrary_id%7D%2Fsearch\
             &start=1795538033000250&end=1795538933000250&limit=20&minDuration=1500ms\
             &tags=%7B%22error%22%3A%22true%22%2C%22http.status_code%22%3A%22500%22%7D"
        );
        let bare = SearchParams {
            operation: Some(String::new()),
            min_duration_us: Some(0),
            tags: vec![],
            ..params()
        };
        assert_eq!(
            v1_search_url("/jaeger", &bare),
            "/jaeger/api/traces?service=arrwdb&start=1795538033000250&end=1795538933000250&limit=20"
        );
    }

    #[test]
    fn other_urls() {
        assert_eq!(
            v3_trace_url("/j/", "4766f1209f70a5e2e55417fc296fd101"),
            "/j/api/v3/traces/4766f1209f70a5e2e55417fc296fd101"
        );
        assert_eq!(v1_trace_url("/j", "a/b"), "/j/api/traces/a%2Fb");
        assert_eq!(v3_services_url("/j"), "/j/api/v3/services");
        assert_eq!(v1_services_url("/j"), "/j/api/services");
        assert_eq!(
            v3_operations_url("/j", "arrwdb api"),
            "/j/api/v3/operations?service=arrwdb%20api"
        );
        assert_eq!(
            v1_operations_url("/j", "arrwdb"),
            "/j/api/operations?service=arrwdb"
        );
    }

    #[test]
    fn times_and_durations_format_exactly() {
        assert_eq!(rfc3339_micros_utc(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(rfc3339_micros_utc(-1), "1969-12-31T23:59:59.999999Z");
        assert_eq!(
            rfc3339_micros_utc(1_485_467_191_639_875),
            "2017-01-26T21:46:31.639875Z"
        );
        let check = |us: i64, expected: &str| assert_eq!(go_duration(us), expected);
        check(0, "0s");
        check(2_000_000, "2s");
        check(1_500_000, "1500ms");
        check(250, "250us");
        check(1_000_001, "1000001us");
        assert_eq!(tags_json(&[("a\"b".into(), "ü".into())]), r#"{"a\"b":"ü"}"#);
        assert_eq!(tags_json(&[]), "{}");
    }
}
