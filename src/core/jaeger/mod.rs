//! Jaeger query APIs, v1 (`/api/…`, the UI model) and api_v3 (`/api/v3/…`, OTLP-JSON), decoded
//! into one trace model.
//!
//! The browser shell builds a URL ([`v3_search_url`], [`v1_trace_url`], …), fetches it and hands
//! over `(http_status, body)`; the `decode_*` function of the endpoint answers a [`Trace`] list,
//! services or operations, or a [`JaegerError`] whose kind says what the operator can do. Units
//! are converted here, once: v1 microseconds stay microseconds, v3 nanosecond strings become
//! microseconds. No IO here.
//!
//! A search with no match is an empty list on both APIs (api_v3 answers it with 404 "No traces
//! found"); only a fetch by id answers [`JaegerErrorKind::NotFound`].

mod decode;
mod error;
mod json;
mod model;
#[cfg(test)]
pub(crate) use model::test_span;
mod request;
mod v1;
mod v3;

pub use decode::{
    decode_v1_operations, decode_v1_services, decode_v1_trace, decode_v1_traces,
    decode_v3_operations, decode_v3_services, decode_v3_trace, decode_v3_trace_summaries,
    decode_v3_traces,
};
pub use error::{JaegerError, JaegerErrorKind};
pub use model::{
    handler_to_operation, normalize_id, operation_to_handler, summarize, AttrValue, Event,
    Operation, Span, Trace, TraceSummary,
};
pub use request::{
    go_duration, rfc3339_micros_utc, tags_json, v1_operations_url, v1_search_url, v1_services_url,
    v1_trace_url, v3_operations_url, v3_search_url, v3_services_url, v3_trace_summaries_url,
    v3_trace_url, SearchParams,
};

/// Which query API a Jaeger speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    /// `/api/traces`, `/api/services`, …: every Jaeger up to v2.20; its search endpoints are
    /// removed on Jaeger `main` after v2.20.
    V1,
    /// `/api/v3/…`: Jaeger v1.35+ and v2, and the only search API of Jaeger after v2.20.
    V3,
}

impl ApiVersion {
    /// The trace search of `p` on this API.
    pub fn search_url(self, base_url: &str, p: &SearchParams) -> String {
        match self {
            ApiVersion::V3 => v3_search_url(base_url, p),
            ApiVersion::V1 => v1_search_url(base_url, p),
        }
    }

    /// The trace `trace_id` on this API.
    pub fn trace_url(self, base_url: &str, trace_id: &str) -> String {
        match self {
            ApiVersion::V3 => v3_trace_url(base_url, trace_id),
            ApiVersion::V1 => v1_trace_url(base_url, trace_id),
        }
    }

    /// The answer to [`search_url`](Self::search_url) of `p`: only the traces that carry
    /// `p`'s tags (releases whose api_v3 ignores `query.attributes` answer unfiltered). The
    /// `error` tag is a span status in OTLP, not an attribute: the list filters on it.
    pub fn decode_search(
        self,
        p: &SearchParams,
        http_status: u16,
        body: &str,
    ) -> Result<Vec<Trace>, JaegerError> {
        let traces = match self {
            ApiVersion::V3 => decode_v3_traces(http_status, body),
            ApiVersion::V1 => decode_v1_traces(http_status, body),
        }?;
        let tags: Vec<(String, String)> =
            p.tags.iter().filter(|(k, _)| k != "error").cloned().collect();
        Ok(traces.into_iter().filter(|t| t.matches_tags(&tags)).collect())
    }

    /// The answer to [`trace_url`](Self::trace_url).
    pub fn decode_trace(self, http_status: u16, body: &str) -> Result<Trace, JaegerError> {
        match self {
            ApiVersion::V3 => decode_v3_trace(http_status, body),
            ApiVersion::V1 => decode_v1_trace(http_status, body),
        }
    }
}

/// "auto" mode: the API to use, from the answer to `GET {base}/api/v3/services` decoded with
/// [`decode_v3_services`]. A list, or an api_v3 error envelope, means api_v3 is there. Any other
/// HTTP answer (404 text, the UI's HTML, a v1-shaped body) means it is not: use v1. No answer at
/// all (unreachable, aborted) decides nothing: `None`, show that error.
pub fn choose_api_version(v3_services: &Result<Vec<String>, JaegerError>) -> Option<ApiVersion> {
    match v3_services {
        Ok(_) => Some(ApiVersion::V3),
        Err(e) => match e.kind {
            JaegerErrorKind::Api { .. } | JaegerErrorKind::NotFound => Some(ApiVersion::V3),
            JaegerErrorKind::Http { .. }
            | JaegerErrorKind::NotJson { .. }
            | JaegerErrorKind::Decode { .. } => Some(ApiVersion::V1),
            JaegerErrorKind::Unreachable { .. }
            | JaegerErrorKind::Timeout { .. }
            | JaegerErrorKind::Aborted => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A search of `arrwdb`'s first second for traces with `tag`.
    fn search_with(tag: (&str, &str)) -> SearchParams {
        SearchParams {
            service: "arrwdb".into(),
            operation: None,
            start_us: 0,
            end_us: 1_000_000,
            limit: 20,
            min_duration_us: None,
            tags: vec![(tag.0.into(), tag.1.into())],
        }
    }

    #[test]
    fn each_version_builds_its_own_urls_and_refilters_search_tags() {
        let p = search_with(("error", "true"));
        assert!(ApiVersion::V3.search_url("http://j", &p).starts_with("http://j/api/v3/traces?"));
        assert!(ApiVersion::V1.search_url("http://j", &p).starts_with("http://j/api/traces?"));
        assert_eq!(ApiVersion::V1.trace_url("http://j", "ab"), v1_trace_url("http://j", "ab"));
        assert_eq!(ApiVersion::V3.trace_url("http://j", "ab"), v3_trace_url("http://j", "ab"));
        let body = include_str!("../../../../shared/fixtures/jaeger/v3_find_traces.json");
        let all = ApiVersion::V3.decode_search(&p, 200, body).unwrap();
        assert!(!all.is_empty(), "`error` is a status, not an attribute: not refiltered");
        let narrowed = SearchParams {
            tags: vec![("no.such.attribute".into(), "x".into())],
            ..p
        };
        assert!(ApiVersion::V3.decode_search(&narrowed, 200, body).unwrap().is_empty());
        assert!(ApiVersion::V1.decode_trace(404, "{}").is_err());
    }

    #[test]
    fn a_search_for_a_replica_keeps_the_traces_whose_resource_names_it_through_either_api() {
        let p = search_with(("service.instance.id", "10.0.0.2:8000"));
        let v3 = |instance: &str| {
            format!(
                r#"{{"result":{{"resourceSpans":[{{"resource":{{"attributes":[
                    {{"key":"service.name","value":{{"stringValue":"arrwdb"}}}},
                    {{"key":"service.instance.id","value":{{"stringValue":"{instance}"}}}}]}},
                  "scopeSpans":[{{"spans":[{{"traceId":"01","spanId":"02","name":"GET /"}}]}}]}}]}}}}"#
            )
        };
        let v1 = |instance: &str| {
            format!(
                r#"{{"data":[{{"traceID":"01","processes":{{"p1":{{"serviceName":"arrwdb",
                    "tags":[{{"key":"service.instance.id","type":"string","value":"{instance}"}}]}}}},
                  "spans":[{{"traceID":"01","spanID":"02","operationName":"GET /","processID":"p1"}}]}}]}}"#
            )
        };
        for (api, body) in [(ApiVersion::V3, v3 as fn(&str) -> String), (ApiVersion::V1, v1)] {
            let kept = api.decode_search(&p, 200, &body("10.0.0.2:8000")).unwrap();
            assert_eq!(kept.len(), 1, "{api:?}");
            let span = &kept[0].spans[0];
            assert_eq!(span.service, "arrwdb");
            assert_eq!(
                span.resource,
                [("service.instance.id".to_owned(), AttrValue::Str("10.0.0.2:8000".into()))],
                "{api:?}: the service is not repeated among the resource's attributes"
            );
            assert!(api.decode_search(&p, 200, &body("10.0.0.3:8000")).unwrap().is_empty(), "{api:?}");
        }
    }

    #[test]
    fn auto_mode_reads_the_v3_services_probe() {
        let check = |status: u16, body: &str, expected: Option<ApiVersion>| {
            assert_eq!(
                choose_api_version(&decode_v3_services(status, body)),
                expected,
                "{status} {body}"
            );
        };
        check(200, r#"{"services":["arrwdb"]}"#, Some(ApiVersion::V3));
        check(200, "{}", Some(ApiVersion::V3));
        check(
            500,
            r#"{"error":{"httpCode":500,"message":"storage down"}}"#,
            Some(ApiVersion::V3),
        );
        check(404, "404 page not found\n", Some(ApiVersion::V1));
        check(
            200,
            "<!doctype html><html>Jaeger UI</html>",
            Some(ApiVersion::V1),
        );
        check(
            200,
            r#"{"data":["arrwdb"],"total":1,"limit":0,"offset":0,"errors":null}"#,
            Some(ApiVersion::V1),
        );
        assert_eq!(
            choose_api_version(&Err(JaegerError::unreachable("http://j", "refused"))),
            None
        );
        assert_eq!(choose_api_version(&Err(JaegerError::aborted())), None);
    }
}
